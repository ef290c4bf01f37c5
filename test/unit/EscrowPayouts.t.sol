// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {IPaymentEscrow} from "../../contracts/interfaces/IPaymentEscrow.sol";
import {SettleHarness} from "../utils/SettleHarness.sol";

/// @notice Escrow payouts sum exactly to the price for any price and plan: each payee and the user
/// their floor share, the verifier the rest (at least its floor, less than its floor plus one wei
/// per floor taken), the provider nothing. Fuzzed (1,024 cases in CI, 100,000 in the deep
/// profile) per payee count 0-8: halmos cannot discharge the 256-bit division (docs/verification.md).
contract EscrowPayoutsTest is Test {
    uint256 private constant BPS = 10_000;

    function _plan(uint256 n, uint256 seed) internal pure returns (IPaymentEscrow.Plan memory plan) {
        plan.payees = new address[](n);
        plan.shares = new uint16[](n + 2);
        uint256 remaining = BPS;
        for (uint256 i = 0; i < n + 1; ++i) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            uint256 s = seed % 4 == 0 ? 0 : (seed >> 8) % (remaining + 1);
            plan.shares[i] = uint16(s);
            remaining -= s;
            if (i < n) plan.payees[i] = address(uint160(0x2000 + i));
        }
        plan.shares[n + 1] = uint16(remaining);
    }

    function testFuzz_payoutsSumToThePrice(uint96 price, uint256 planSeed, uint8 payees) public {
        price = uint96(bound(price, 1, type(uint96).max));
        uint256 n = payees % 9;
        SettleHarness escrow = new SettleHarness();
        IPaymentEscrow.Terms memory t;
        t.provider = address(0x1001);
        t.verifier = address(0x1002);
        t.user = address(0x1003);
        t.arbiter = address(0x1004);
        t.price = price;
        t.plan = _plan(n, planSeed);
        escrow.settleHere(t);
        uint256 total = 0;
        for (uint256 i = 0; i < n; ++i) {
            uint256 credit = escrow.creditOf(t.plan.payees[i]);
            assertEq(credit, (uint256(price) * t.plan.shares[i + 2]) / BPS, "a payee's credit is not its floor share");
            total += credit;
        }
        uint256 userCredit = escrow.creditOf(t.user);
        assertEq(userCredit, (uint256(price) * t.plan.shares[1]) / BPS, "the user's credit is not its floor share");
        uint256 verifierCredit = escrow.creditOf(t.verifier);
        uint256 verifierFloor = (uint256(price) * t.plan.shares[0]) / BPS;
        assertGe(verifierCredit, verifierFloor, "the verifier got less than its floor");
        assertLe(verifierCredit, verifierFloor + n + 1, "the dust exceeds one wei per floor taken");
        assertEq(total + userCredit + verifierCredit, price, "payouts do not sum to the price");
        assertEq(escrow.creditOf(t.provider), 0, "the provider was credited");
    }
}
