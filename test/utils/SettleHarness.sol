// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {PaymentEscrow} from "../../contracts/payments/PaymentEscrow.sol";

/// @notice PaymentEscrow's settlement (`_settle`, the contract's own code) behind an external entry,
/// for the payout fuzz test (test/unit/EscrowPayouts.t.sol) and proof (test/halmos/EscrowPayouts.t.sol).
contract SettleHarness is PaymentEscrow {
    Agreement internal _scratch;

    constructor() PaymentEscrow(address(0x70CE)) {}

    function settleHere(Terms calldata t) external {
        _settle(1, _scratch, t);
    }
}
