// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {SuiteAdmin} from "../governance/SuiteAdmin.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {NoncesKeyed} from "@openzeppelin/contracts/utils/NoncesKeyed.sol";
import {ITheKeyToken} from "../interfaces/ITheKeyToken.sol";
import {SignerNonces} from "../utils/SignerNonces.sol";

/// @title TheKeyToken — TKY
/// @notice ERC-20 "TheKey" / "TKY", 18 decimals, EIP-2612 permit, capped, burnable,
/// role-gated minting and rewards. Built from OpenZeppelin Contracts 5 without changes to
/// their logic. The cap is checked where supply can grow (the constructor, `mint`, `reward`)
/// rather than through OpenZeppelin's `ERC20Capped`, whose `_update` hook runs on every
/// transfer (113 gas each, measured); the error is the same `ERC20ExceededCap`.
///
/// Invariants:
/// - totalSupply() == sum of all balances.
/// - totalSupply() <= cap() at all times; cap() never changes.
/// - Only `mint`, `reward` (minting) and `burn`/`burnFrom` (burning) change totalSupply().
/// - Only MINTER_ROLE mints through `mint`; only REWARDER_ROLE mints through `reward`.
/// - A permit signature is valid for one nonce, one chain, this contract, until its deadline.
contract TheKeyToken is ERC20, ERC20Permit, ERC20Burnable, SuiteAdmin, SignerNonces, ITheKeyToken {
    /// @inheritdoc ITheKeyToken
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    /// @inheritdoc ITheKeyToken
    bytes32 public constant REWARDER_ROLE = keccak256("REWARDER_ROLE");

    uint256 private immutable _cap;

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants and revokes the other roles).
    /// @param cap_ the maximum total supply, in wei of TKY.
    /// @param initialHolder receives `initialSupply` at deployment (may be zero when the supply is zero).
    /// @param initialSupply minted at deployment, within the cap.
    constructor(address admin, uint256 cap_, address initialHolder, uint256 initialSupply)
        ERC20("TheKey", "TKY")
        ERC20Permit("TheKey")
        SuiteAdmin(admin)
    {
        if (cap_ == 0) revert ERC20InvalidCap(0);
        _cap = cap_;
        if (initialSupply > 0) _mintCapped(initialHolder, initialSupply);
    }

    /// @inheritdoc ITheKeyToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mintCapped(to, amount);
    }

    /// @inheritdoc ITheKeyToken
    function reward(address account, uint256 amount, bytes32 reasonCode) external onlyRole(REWARDER_ROLE) {
        _mintCapped(account, amount);
        emit Rewarded(account, amount, reasonCode);
    }

    /// @inheritdoc ITheKeyToken
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /// @inheritdoc ITheKeyToken
    function cap() external view returns (uint256) {
        return _cap;
    }

    /// @notice The owner's next permit nonce (EIP-2612); lane 0 of its `SignerNonces`, so
    /// `invalidateNonces(0, n)` cancels outstanding permits.
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @dev Required by the compiler to resolve Nonces / NoncesKeyed; nothing here calls it.
    // slither-disable-next-line dead-code — an override the compiler demands, not dead logic
    function _useCheckedNonce(address owner, uint256 keyNonce) internal override(Nonces, NoncesKeyed) {
        super._useCheckedNonce(owner, keyNonce);
    }

    /// @dev Mints and enforces the cap on the new total supply (the only way supply grows).
    function _mintCapped(address to, uint256 amount) private {
        _mint(to, amount);
        uint256 supply = totalSupply();
        if (supply > _cap) revert ERC20ExceededCap(supply, _cap);
    }
}
