// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {Test} from "../utils/Test.sol";
import {Sig} from "../utils/Sig.sol";
import {PaymentEscrow} from "../../contracts/payments/PaymentEscrow.sol";
import {IPaymentEscrow} from "../../contracts/interfaces/IPaymentEscrow.sol";
import {TheKeyToken} from "../../contracts/token/TheKeyToken.sol";
import {EscrowFeeToken} from "../../contracts/test/EscrowTestTokens.sol";

contract PaymentEscrowTest is Test {
    TheKeyToken internal tky;
    PaymentEscrow internal escrow;
    uint256 internal constant PROVIDER_KEY = 0x9A;
    uint256 internal constant VERIFIER_KEY = 0x9B;
    uint256 internal constant USER_KEY = 0x9C;
    address internal provider;
    address internal verifier;
    address internal user;
    address internal constant ARBITER = address(0xA5B);
    address internal constant PAYEE = address(0x9A7E);
    address internal constant STRANGER = address(0xBAD);
    uint96 internal constant PRICE = 10_001;
    uint256 internal acceptNonce; // the next nonce `_active` signs with (both parties use the same)

    function setUp() public {
        vm.warp(1_000_000);
        provider = vm.addr(PROVIDER_KEY);
        verifier = vm.addr(VERIFIER_KEY);
        user = vm.addr(USER_KEY);
        tky = new TheKeyToken(address(0xAD), 1e30, provider, 1e24);
        escrow = new PaymentEscrow(address(tky));
        vm.prank(provider);
        tky.approve(address(escrow), type(uint256).max);
    }

    function _terms() internal view returns (IPaymentEscrow.Terms memory t) {
        t.provider = provider;
        t.verifier = verifier;
        t.user = user;
        t.arbiter = ARBITER;
        t.price = PRICE;
        t.serviceDeadline = uint64(block.timestamp + 1 days);
        t.disputeWindow = 1 hours;
        t.termsHash = keccak256("terms");
        t.plan.payees = new address[](1);
        t.plan.payees[0] = PAYEE;
        t.plan.shares = new uint16[](3);
        t.plan.shares[0] = 5_000;
        t.plan.shares[1] = 3_000;
        t.plan.shares[2] = 2_000;
    }

    function _none() internal pure returns (IPaymentEscrow.Acceptance memory a) {}

    function _accept(uint256 key, IPaymentEscrow.Terms memory t, uint256 nonce, uint256 deadline)
        internal
        view
        returns (IPaymentEscrow.Acceptance memory)
    {
        bytes32 structHash = keccak256(
            bytes.concat(
                abi.encode(escrow.AGREEMENT_TYPEHASH(), t.provider, t.verifier, t.user, t.arbiter, t.price),
                abi.encode(
                    t.serviceDeadline,
                    t.disputeWindow,
                    t.termsHash,
                    keccak256(abi.encodePacked(t.plan.payees)),
                    keccak256(abi.encodePacked(t.plan.shares))
                ),
                abi.encode(nonce, deadline)
            )
        );
        return IPaymentEscrow.Acceptance(nonce, deadline, Sig.sign(vm, key, address(escrow), structHash));
    }

    function _create(IPaymentEscrow.Terms memory t) internal returns (uint256 id) {
        vm.prank(provider);
        id = escrow.create(t, _none(), _none());
    }

    function _active(IPaymentEscrow.Terms memory t) internal returns (uint256 id) {
        uint256 d = block.timestamp;
        IPaymentEscrow.Acceptance memory va = _accept(VERIFIER_KEY, t, acceptNonce, d);
        IPaymentEscrow.Acceptance memory ua = _accept(USER_KEY, t, acceptNonce, d);
        ++acceptNonce;
        vm.prank(provider);
        id = escrow.create(t, va, ua);
    }

    function _completed(IPaymentEscrow.Terms memory t) internal returns (uint256 id) {
        id = _active(t);
        vm.prank(verifier);
        escrow.complete(id, t, "evidence");
    }

    function _status(uint256 id, IPaymentEscrow.Terms memory t) internal view returns (uint256) {
        return uint256(escrow.agreement(id, t).status);
    }

    function test_constructor__refuses_a_zero_token() public {
        vm.expectRevert(IPaymentEscrow.EscrowZeroAddress.selector);
        new PaymentEscrow(address(0));
    }

    function test_views__version_token_count_key() public {
        assertTrue(keccak256(bytes(escrow.version())) == keccak256("2.0.0"), "version");
        assertEq(escrow.token(), address(tky), "token");
        assertEq(escrow.agreementCount(), 0, "none");
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _create(t);
        assertEq(escrow.agreementCount(), 1, "one");
        assertEq(escrow.agreementKey(id, t), keccak256(abi.encode(id, t)), "key");
        assertEq(tky.balanceOf(address(escrow)), PRICE, "funded");
    }

    function test_create__refuses_bad_terms() public {
        IPaymentEscrow.Terms memory t = _terms();
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, 0, STRANGER));
        escrow.create(t, _none(), _none());
        vm.startPrank(provider);
        t.price = 0;
        vm.expectRevert(IPaymentEscrow.EscrowZeroPrice.selector);
        escrow.create(t, _none(), _none());
        t = _terms();
        t.verifier = address(0);
        vm.expectRevert(IPaymentEscrow.EscrowZeroAddress.selector);
        escrow.create(t, _none(), _none());
        t = _terms();
        t.user = address(0);
        vm.expectRevert(IPaymentEscrow.EscrowZeroAddress.selector);
        escrow.create(t, _none(), _none());
        t = _terms();
        t.arbiter = address(0);
        vm.expectRevert(IPaymentEscrow.EscrowZeroAddress.selector);
        escrow.create(t, _none(), _none());
        t = _terms();
        t.serviceDeadline = uint64(block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentEscrow.EscrowDeadlineInPast.selector, uint64(block.timestamp), uint64(block.timestamp))
        );
        escrow.create(t, _none(), _none());
        t = _terms();
        t.plan.payees = new address[](9);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowTooManyPayees.selector, 9, 8));
        escrow.create(t, _none(), _none());
        t = _terms();
        t.plan.shares = new uint16[](2);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowSharesLength.selector, 1, 2));
        escrow.create(t, _none(), _none());
        t = _terms();
        t.plan.payees[0] = address(0);
        vm.expectRevert(IPaymentEscrow.EscrowZeroAddress.selector);
        escrow.create(t, _none(), _none());
        t = _terms();
        t.plan.shares[2] = 1;
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowSharesSum.selector, 8_001));
        escrow.create(t, _none(), _none());
        vm.stopPrank();
    }

    function test_create__with_both_signatures_is_active_and_refuses_bad_ones() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _active(t);
        assertEq(_status(id, t), uint256(IPaymentEscrow.Status.Active), "active");
        uint256 d = block.timestamp;
        IPaymentEscrow.Acceptance memory used = _accept(VERIFIER_KEY, t, 0, d);
        IPaymentEscrow.Acceptance memory expired = _accept(VERIFIER_KEY, t, 1, d - 1);
        IPaymentEscrow.Acceptance memory wrongKey = _accept(VERIFIER_KEY, t, 1, d); // the verifier's key for the user
        IPaymentEscrow.Acceptance memory userOnly = _accept(USER_KEY, t, 1, d);
        vm.startPrank(provider);
        vm.expectRevert(abi.encodeWithSignature("InvalidAccountNonce(address,uint256)", verifier, 1));
        escrow.create(t, used, _none());
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowSignatureExpired.selector, verifier, d - 1));
        escrow.create(t, expired, _none());
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowInvalidSignature.selector, user));
        escrow.create(t, _none(), wrongKey);
        uint256 only = escrow.create(t, _none(), userOnly);
        vm.stopPrank();
        assertEq(_status(only, t), uint256(IPaymentEscrow.Status.Proposed), "user only: proposed");
        assertTrue(escrow.agreement(only, t).userAccepted, "user accepted");
    }

    function test_createWithPermit__uses_the_permit_or_ignores_a_spent_one() public {
        IPaymentEscrow.Terms memory t = _terms();
        vm.prank(provider);
        tky.approve(address(escrow), 0);
        uint256 d = block.timestamp + 1;
        bytes32 typehash = keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
        bytes32 digest = Sig.digest(address(tky), keccak256(abi.encode(typehash, provider, address(escrow), PRICE, 0, d)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(PROVIDER_KEY, digest);
        IPaymentEscrow.PermitData memory p = IPaymentEscrow.PermitData(d, v, r, s);
        vm.prank(provider);
        escrow.createWithPermit(t, _none(), _none(), p);
        assertEq(tky.balanceOf(address(escrow)), PRICE, "funded by permit");
        vm.prank(provider);
        tky.approve(address(escrow), PRICE);
        vm.prank(provider); // the permit is spent: its failure is ignored
        escrow.createWithPermit(t, _none(), _none(), p);
        assertEq(escrow.agreementCount(), 2, "two");
    }

    function test_create__refuses_a_fee_on_transfer_token() public {
        EscrowFeeToken fee = new EscrowFeeToken(provider, 1e24);
        PaymentEscrow e = new PaymentEscrow(address(fee));
        vm.startPrank(provider);
        fee.approve(address(e), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowFundingMismatch.selector, PRICE, PRICE - PRICE / 100));
        e.create(_terms(), _none(), _none());
        vm.stopPrank();
    }

    function test_accept__by_verifier_then_user_and_refusals() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _create(t);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, id, STRANGER));
        escrow.accept(id, t);
        vm.prank(verifier);
        escrow.accept(id, t);
        vm.prank(verifier);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowAlreadyAccepted.selector, id, verifier));
        escrow.accept(id, t);
        vm.prank(user);
        escrow.accept(id, t);
        assertEq(_status(id, t), uint256(IPaymentEscrow.Status.Active), "active");
        vm.prank(user);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowWrongStatus.selector, id, IPaymentEscrow.Status.Active));
        escrow.accept(id, t);
    }

    function test_load__refuses_unknown_ids_and_mismatched_terms() public {
        IPaymentEscrow.Terms memory t = _terms();
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnknownAgreement.selector, 0));
        escrow.accept(0, t);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnknownAgreement.selector, 1));
        escrow.accept(1, t);
        uint256 id = _create(t);
        t.price = PRICE + 1;
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowTermsMismatch.selector, id));
        escrow.accept(id, t);
    }

    function test_complete__and_its_refusals() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _active(t);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, id, STRANGER));
        escrow.complete(id, t, "e");
        vm.startPrank(verifier);
        vm.expectRevert(IPaymentEscrow.EscrowEmptyEvidence.selector);
        escrow.complete(id, t, bytes32(0));
        vm.warp(t.serviceDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowServiceDeadlinePassed.selector, id, t.serviceDeadline));
        escrow.complete(id, t, "e");
        vm.stopPrank();
    }

    function test_confirm__settles_by_the_plan_and_withdrawals_pay_out() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _completed(t);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, id, STRANGER));
        escrow.confirm(id, t);
        vm.prank(provider);
        escrow.confirm(id, t);
        assertEq(escrow.creditOf(PAYEE), 2_000, "payee");
        assertEq(escrow.creditOf(user), 3_000, "user");
        assertEq(escrow.creditOf(verifier), 5_001, "verifier with dust");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowAgreementClosed.selector, id, IPaymentEscrow.Status.Settled));
        escrow.confirm(id, t);
        vm.prank(PAYEE);
        assertEq(escrow.withdraw(), 2_000, "withdrawn");
        assertEq(tky.balanceOf(PAYEE), 2_000, "paid");
        vm.prank(user);
        escrow.withdrawTo(STRANGER);
        assertEq(tky.balanceOf(STRANGER), 3_000, "paid to");
        vm.prank(verifier);
        vm.expectRevert(IPaymentEscrow.EscrowZeroAddress.selector);
        escrow.withdrawTo(address(0));
        vm.prank(PAYEE);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowNothingToWithdraw.selector, PAYEE));
        escrow.withdraw();
    }

    function test_settle__after_the_window_by_anyone() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _completed(t);
        uint64 until = uint64(block.timestamp) + t.disputeWindow;
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowDisputeWindowOpen.selector, id, until));
        escrow.settle(id, t);
        vm.warp(until);
        vm.prank(STRANGER);
        escrow.settle(id, t);
        assertEq(_status(id, t), uint256(IPaymentEscrow.Status.Settled), "settled");
        uint256 other = _active(t);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowWrongStatus.selector, other, IPaymentEscrow.Status.Active));
        escrow.settle(other, t);
    }

    function test_dispute__in_the_window_then_arbitration_or_settlement() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _completed(t);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, id, STRANGER));
        escrow.dispute(id, t, "r");
        vm.prank(provider);
        escrow.dispute(id, t, "bad work");
        uint64 arbiterUntil = uint64(block.timestamp) + 30 days;
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowArbitrationPending.selector, id, arbiterUntil));
        escrow.settle(id, t);
        vm.warp(arbiterUntil);
        escrow.settle(id, t);
        assertEq(_status(id, t), uint256(IPaymentEscrow.Status.Settled), "settled by default");
        t = _terms();
        uint256 late = _completed(t);
        vm.warp(block.timestamp + t.disputeWindow);
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentEscrow.EscrowDisputeWindowClosed.selector, late, uint64(block.timestamp))
        );
        escrow.dispute(late, t, "late");
    }

    function _disputed(IPaymentEscrow.Terms memory t) internal returns (uint256 id) {
        id = _completed(t);
        vm.prank(provider);
        escrow.dispute(id, t, "r");
    }

    function test_resolve__splits_or_refunds_and_refuses_bad_splits() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _disputed(t);
        address[] memory rs = new address[](3);
        rs[0] = verifier;
        rs[1] = user;
        rs[2] = PAYEE;
        uint256[] memory am = new uint256[](3);
        am[0] = 1;
        am[1] = 2;
        am[2] = 3;
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, id, STRANGER));
        escrow.resolve(id, t, 0, rs, am);
        vm.startPrank(ARBITER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowSplitLength.selector, 3, 2));
        escrow.resolve(id, t, 0, rs, new uint256[](2));
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowSplitSum.selector, 6, PRICE));
        escrow.resolve(id, t, 0, rs, am);
        rs[2] = STRANGER;
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnknownPayee.selector, id, STRANGER));
        escrow.resolve(id, t, 0, rs, am);
        rs[2] = PAYEE;
        escrow.resolve(id, t, PRICE - 6, rs, am);
        vm.stopPrank();
        assertEq(_status(id, t), uint256(IPaymentEscrow.Status.Resolved), "resolved");
        assertEq(escrow.creditOf(provider), PRICE - 6, "provider refund");
        uint256 full = _disputed(t);
        vm.startPrank(ARBITER);
        escrow.resolve(full, t, PRICE, new address[](0), new uint256[](0));
        vm.stopPrank();
        assertEq(_status(full, t), uint256(IPaymentEscrow.Status.Refunded), "refunded");
    }

    function test_reclaim__proposed_or_after_the_deadline_only() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _create(t);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, id, STRANGER));
        escrow.reclaim(id, t);
        uint256 before = tky.balanceOf(provider);
        vm.prank(provider);
        escrow.reclaim(id, t);
        assertEq(tky.balanceOf(provider), before + PRICE, "reclaimed");
        vm.prank(provider);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowAgreementClosed.selector, id, IPaymentEscrow.Status.Refunded));
        escrow.reclaim(id, t);
        uint256 active = _active(t);
        vm.prank(provider);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentEscrow.EscrowServiceDeadlineNotReached.selector, active, t.serviceDeadline)
        );
        escrow.reclaim(active, t);
        vm.warp(t.serviceDeadline + 1);
        vm.prank(provider);
        escrow.reclaim(active, t);
    }

    function test_decline__by_the_verifier_credits_the_provider() public {
        IPaymentEscrow.Terms memory t = _terms();
        uint256 id = _create(t);
        vm.prank(STRANGER);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowUnauthorized.selector, id, STRANGER));
        escrow.decline(id, t, "no");
        vm.prank(verifier);
        escrow.decline(id, t, "no");
        assertEq(escrow.creditOf(provider), PRICE, "refund credited");
        uint256 active = _active(t);
        vm.prank(verifier);
        escrow.decline(active, t, "no");
        uint256 done = _completed(t);
        vm.prank(verifier);
        vm.expectRevert(abi.encodeWithSelector(IPaymentEscrow.EscrowWrongStatus.selector, done, IPaymentEscrow.Status.Completed));
        escrow.decline(done, t, "no");
    }
}
