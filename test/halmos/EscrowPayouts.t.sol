// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IPaymentEscrow} from "../../contracts/interfaces/IPaymentEscrow.sol";
import {SettleHarness} from "../utils/SettleHarness.sol";

/// @notice halmos proofs (`make prove`) of what PaymentEscrow's settlement (`_settle`, the
/// contract's own code, behind `SettleHarness`) credits: for every price a `uint96` holds and every plan of 0-3
/// payees whose shares sum to 10,000 basis points, each payee and the user exactly their floor share
/// `price * share / 10_000`, the verifier exactly the price less those floors, the provider and the
/// arbiter nothing; so the credits sum to the price. halmos leaves the 256-bit division
/// uninterpreted, so this holds for any value the division could take: the one arithmetic fact left,
/// that the floors sum to at most the price (no wrap in the unchecked block), is the forge fuzz test
/// `testFuzz_payoutsSumToThePrice` and the escrow campaign (docs/verification.md says why no solver
/// here proves it). Addresses are distinct; a repeat only adds two credits on one address.
contract EscrowPayoutsProof {
    uint256 private constant BPS = 10_000;

    address private constant PROVIDER = address(0x1001);
    address private constant VERIFIER = address(0x1002);
    address private constant USER = address(0x1003);
    address private constant ARBITER = address(0x1004);

    SettleHarness internal immutable _escrow = new SettleHarness();

    function check_payoutsSumToThePrice_0payees(uint96 price, uint16 sv, uint16 su) public {
        uint16[] memory s = new uint16[](2);
        (s[0], s[1]) = (sv, su);
        _prove(price, s);
    }

    function check_payoutsSumToThePrice_1payee(uint96 price, uint16 sv, uint16 su, uint16 s0) public {
        uint16[] memory s = new uint16[](3);
        (s[0], s[1], s[2]) = (sv, su, s0);
        _prove(price, s);
    }

    function check_payoutsSumToThePrice_2payees(uint96 price, uint16 sv, uint16 su, uint16 s0, uint16 s1) public {
        uint16[] memory s = new uint16[](4);
        (s[0], s[1], s[2], s[3]) = (sv, su, s0, s1);
        _prove(price, s);
    }

    function check_payoutsSumToThePrice_3payees(uint96 price, uint16 sv, uint16 su, uint16 s0, uint16 s1, uint16 s2)
        public
    {
        uint16[] memory s = new uint16[](5);
        (s[0], s[1], s[2], s[3], s[4]) = (sv, su, s0, s1, s2);
        _prove(price, s);
    }

    /// `shares[0]` the verifier's, `shares[1]` the user's, then one per payee (the plan's layout).
    function _prove(uint96 price, uint16[] memory shares) internal {
        uint256 n = shares.length - 2;
        uint256 shareSum = 0;
        for (uint256 i = 0; i < shares.length; ++i) {
            shareSum += shares[i];
        }
        assume(price > 0 && shareSum == BPS); // what `create` admits (PlanShareSum, zero price)

        IPaymentEscrow.Terms memory t;
        t.provider = PROVIDER;
        t.verifier = VERIFIER;
        t.user = USER;
        t.arbiter = ARBITER;
        t.price = price;
        t.plan.shares = shares;
        t.plan.payees = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            t.plan.payees[i] = address(uint160(0x2000 + i));
        }
        _escrow.settleHere(t);

        uint256 p = price;
        uint256 floors = 0;
        unchecked {
            // modular on purpose: the contract's block is unchecked, so the identities are checked
            // in the same arithmetic and a wrap shows up as a failed assertion, never a revert
            for (uint256 i = 0; i < n; ++i) {
                uint256 floor = (p * shares[i + 2]) / BPS;
                assert(_escrow.creditOf(t.plan.payees[i]) == floor);
                floors += floor;
            }
            uint256 userFloor = (p * shares[1]) / BPS;
            assert(_escrow.creditOf(USER) == userFloor);
            floors += userFloor;
            uint256 verifierCredit = _escrow.creditOf(VERIFIER);
            assert(verifierCredit == p - floors);
            assert(floors + verifierCredit == p);
        }
        assert(_escrow.creditOf(PROVIDER) == 0 && _escrow.creditOf(ARBITER) == 0);
    }

    function assume(bool condition) internal pure {
        // halmos: a failed `require` prunes the path (an assumption), unlike a failed `assert`
        require(condition);
    }
}
