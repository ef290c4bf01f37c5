// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title SuiteAdmin — the governance of every role-based contract of the suite
/// @notice OpenZeppelin `AccessControlDefaultAdminRules`: exactly one DEFAULT_ADMIN_ROLE holder
/// (a multisig or a `TimelockController` in production), and handing it over is two-step and
/// delayed: the admin calls `beginDefaultAdminTransfer(newAdmin)`, the new admin calls
/// `acceptDefaultAdminTransfer()` once `INITIAL_ADMIN_DELAY` (2 days) has passed, and the admin
/// may `cancelDefaultAdminTransfer()` meanwhile. `grantRole(DEFAULT_ADMIN_ROLE, …)` is refused.
/// The delay itself changes only through `changeDefaultAdminDelay`, which waits too.
abstract contract SuiteAdmin is AccessControlDefaultAdminRules {
    /// @dev The admin-transfer delay a deployment starts with; read it as `defaultAdminDelay()`.
    /// Internal, not a getter: one function fewer keeps the token's `transfer` dispatch as
    /// short as OpenZeppelin's plain ERC-20 (solc's selector binary search, `make bench`).
    uint48 internal constant INITIAL_ADMIN_DELAY = 2 days;

    constructor(address admin) AccessControlDefaultAdminRules(INITIAL_ADMIN_DELAY, admin) {}
}
