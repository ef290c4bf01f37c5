// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title SuiteTimelock — OpenZeppelin's TimelockController as the suite's admin
/// @notice `thekey deploy --timelock DELAY` deploys it and hands it every admin role: each
/// governance action is scheduled by a proposer, becomes executable after `minDelay` seconds,
/// and is executed by an executor. It administers itself (no separate admin).
contract SuiteTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
