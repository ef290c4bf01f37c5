// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ITheKeyToken} from "../interfaces/ITheKeyToken.sol";

/// @title TheKeyToken — TKY
/// @notice ERC-20 "TheKey" / "TKY", 18 decimals, EIP-2612 permit, capped, burnable,
/// role-gated minting and rewards. Built from OpenZeppelin Contracts 5 without changes to
/// their logic.
///
/// Invariants:
/// - totalSupply() == sum of all balances.
/// - totalSupply() <= cap() at all times; cap() never changes.
/// - Only `mint`, `reward` (minting) and `burn`/`burnFrom` (burning) change totalSupply().
/// - Only MINTER_ROLE mints through `mint`; only REWARDER_ROLE mints through `reward`.
/// - A permit signature is valid for one nonce, one chain, this contract, until its deadline.
contract TheKeyToken is ERC20, ERC20Permit, ERC20Burnable, ERC20Capped, AccessControl, ITheKeyToken {
    /// @inheritdoc ITheKeyToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @inheritdoc ITheKeyToken
    bytes32 public constant REWARDER_ROLE = keccak256("REWARDER_ROLE");

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants and revokes the other roles).
    /// @param cap_ the maximum total supply, in wei of TKY.
    /// @param initialHolder receives `initialSupply` at deployment (may be zero when the supply is zero).
    /// @param initialSupply minted at deployment, within the cap.
    constructor(address admin, uint256 cap_, address initialHolder, uint256 initialSupply)
        ERC20("TheKey", "TKY")
        ERC20Permit("TheKey")
        ERC20Capped(cap_)
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        if (initialSupply > 0) _mint(initialHolder, initialSupply);
    }

    /// @inheritdoc ITheKeyToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @inheritdoc ITheKeyToken
    function reward(address account, uint256 amount, bytes32 reasonCode) external onlyRole(REWARDER_ROLE) {
        _mint(account, amount);
        emit Rewarded(account, amount, reasonCode);
    }

    /// @inheritdoc ITheKeyToken
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
