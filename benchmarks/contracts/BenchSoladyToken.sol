// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ERC20} from "solady/tokens/ERC20.sol";

/// @title BenchSoladyToken
/// @notice Benchmark reference only (never deployed by scripts): a plain Solady ERC-20 (with its
/// built-in EIP-2612 permit, domain version "1"), minting `supply` to `holder` at construction.
/// Invariant: behaves exactly as Solady's ERC20; only name, symbol and the constant name hash are set.
contract BenchSoladyToken is ERC20 {
    /// keccak256("BenchSolady")
    bytes32 private constant _NAME_HASH = keccak256("BenchSolady");

    constructor(address holder, uint256 supply) {
        _mint(holder, supply);
    }

    function name() public pure override returns (string memory) {
        return "BenchSolady";
    }

    function symbol() public pure override returns (string memory) {
        return "BSD";
    }

    /// @notice The benchmark wrapper's version.
    function version() external pure returns (string memory) {
        return "1";
    }

    function _constantNameHash() internal pure override returns (bytes32) {
        return _NAME_HASH;
    }
}
