// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @notice What every invariant handler shares: the cheatcodes, `bound`, the clock, and the book
/// of breaches. A breach is an outcome the contracts must never allow (an attacker's call that
/// succeeded, a legitimate call refused against the ghost model's prediction); the campaign's
/// `invariant_no…` functions fail on the first one, naming it.
abstract contract HandlerBase {
    Vm internal constant vm = Vm(VM_ADDRESS);

    /// @dev The campaign's clock: handlers move it forward only (`warp`).
    uint256 public now_ = 1_800_000_000;

    mapping(bytes32 kind => uint256) public breaches;
    mapping(bytes32 kind => string) public firstBreach;

    constructor() {
        vm.warp(now_);
    }

    /// @notice Move time forward by up to `maxStep` seconds.
    function _warp(uint256 seed, uint256 maxStep) internal {
        now_ += _bound(seed, 1, maxStep);
        vm.warp(now_);
    }

    function _breach(bytes32 kind, string memory what) internal {
        if (breaches[kind] == 0) firstBreach[kind] = what;
        breaches[kind] += 1;
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (x >= lo && x <= hi) return x;
        return lo + (x % (hi - lo + 1));
    }

    /// @dev The 4-byte selector of revert data (zero when shorter).
    function _selector(bytes memory data) internal pure returns (bytes4 s) {
        if (data.length >= 4) {
            assembly {
                s := mload(add(data, 32))
            }
        }
    }
}
