// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Vm, VM_ADDRESS} from "./Vm.sol";

/// @notice The base of every forge test here: the cheatcodes, a few assertions that revert with
/// the values compared, `bound`, and the target selectors of invariant campaigns.
abstract contract Test {
    Vm internal constant vm = Vm(VM_ADDRESS);

    /// @dev Read by forge: a test contract that sets it is a test contract (forge-std's `IS_TEST`).
    bool public IS_TEST = true;

    error AssertionFailed(string what);
    error AssertionFailedUint(string what, uint256 left, uint256 right);
    error AssertionFailedAddress(string what, address left, address right);
    error AssertionFailedBytes32(string what, bytes32 left, bytes32 right);

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;
    address[] private _excludeSenders;

    function assertTrue(bool ok, string memory what) internal pure {
        if (!ok) revert AssertionFailed(what);
    }

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailedUint(what, left, right);
    }

    function assertEq(address left, address right, string memory what) internal pure {
        if (left != right) revert AssertionFailedAddress(what, left, right);
    }

    function assertEq(bytes32 left, bytes32 right, string memory what) internal pure {
        if (left != right) revert AssertionFailedBytes32(what, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailedUint(what, left, right);
    }

    function assertGe(uint256 left, uint256 right, string memory what) internal pure {
        if (left < right) revert AssertionFailedUint(what, left, right);
    }

    /// @dev `x` mapped into [lo, hi] (forge-std's `bound`, without its logging).
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (lo > hi) revert AssertionFailedUint("bound: lo > hi", lo, hi);
        if (x >= lo && x <= hi) return x;
        uint256 size = hi - lo + 1;
        return lo + (x % size);
    }

    // -- invariant campaign configuration (read by forge) ---------------------------------

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetSelectors.push(selector);
    }

    /// @dev Fuzz only these functions of `target` (helpers the test itself calls stay out).
    function targetSelectors(address target, bytes4[] memory selectors) internal {
        _targetSelectors.push(FuzzSelector(target, selectors));
    }

    function excludeSender(address sender) internal {
        _excludeSenders.push(sender);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludeSenders;
    }
}

interface IBreaches {
    function breaches(bytes32 kind) external view returns (uint256);
    function firstBreach(bytes32 kind) external view returns (string memory);
}

/// @notice An invariant campaign over one handler: `assertNoBreach(kind)` fails with the first
/// recorded breach of that kind.
abstract contract InvariantTest is Test {
    error Breach(bytes32 kind, uint256 count, string first);

    function assertNoBreach(IBreaches handler, bytes32 kind) internal view {
        uint256 n = handler.breaches(kind);
        if (n != 0) revert Breach(kind, n, handler.firstBreach(kind));
    }
}
