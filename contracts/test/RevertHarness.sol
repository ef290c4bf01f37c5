// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

/// @notice Test-only: reverts in each way the SDK's error decoder must understand.
contract RevertHarness {
    error HarnessFailed(address who, uint256 amount, bytes32 tag);

    uint256 public counter;

    function failWithCustomError(uint256 amount) external view {
        revert HarnessFailed(msg.sender, amount, keccak256("tag"));
    }

    function failWithMessage() external pure {
        require(false, "harness: plain message");
    }

    function failWithPanic(uint256 divisor) external pure returns (uint256) {
        return 1 / divisor;
    }

    function failWithUnknownData() external pure {
        assembly {
            mstore(0, 0xdeadbeef00000000000000000000000000000000000000000000000000000000)
            revert(0, 4)
        }
    }

    function increment() external {
        counter += 1;
    }
}
