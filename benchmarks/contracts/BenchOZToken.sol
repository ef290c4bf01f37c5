// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title BenchOZToken
/// @notice Benchmark reference only (never deployed by scripts): a plain OpenZeppelin 5 ERC-20
/// with EIP-2612 permit, minting `supply` to `holder` at construction.
/// Invariant: behaves exactly as OpenZeppelin's ERC20 + ERC20Permit; nothing is added.
contract BenchOZToken is ERC20, ERC20Permit {
    constructor(address holder, uint256 supply) ERC20("BenchOZ", "BOZ") ERC20Permit("BenchOZ") {
        _mint(holder, supply);
    }

    /// @notice The benchmark wrapper's version.
    function version() external pure returns (string memory) {
        return "1";
    }
}
