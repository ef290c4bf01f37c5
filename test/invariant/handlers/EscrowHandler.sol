// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {HandlerBase} from "../../utils/HandlerBase.sol";
import {TheKeyToken} from "../../../contracts/token/TheKeyToken.sol";
import {PaymentEscrow} from "../../../contracts/payments/PaymentEscrow.sol";
import {IPaymentEscrow} from "../../../contracts/interfaces/IPaymentEscrow.sol";

/// @notice Drives PaymentEscrow + TKY through any interleaving of create, accept, decline, complete,
/// confirm, dispute, resolve, settle, reclaim, withdraw and time, with awkward prices and plans (0-8
/// payees, shares with remainders), beside a ghost model of every agreement's status and every
/// account's credit. The attacker is a payee (one ordinary role): it acts on agreements it is
/// only paid by, with the real terms and with tampered ones, and every such call must fail.
contract EscrowHandler is HandlerBase {
    bytes32 public constant ATTACKER_ACTED = "attacker acted";
    bytes32 public constant TAMPERED_TERMS = "tampered terms accepted";
    bytes32 public constant REFUSED = "legitimate call refused";
    bytes32 public constant OFF_MODEL = "outcome off the model";

    uint256 private constant BPS = 10_000;
    uint256 private constant MAX_AGREEMENTS = 24;

    TheKeyToken public immutable token;
    PaymentEscrow public immutable escrow;
    address public immutable attacker;

    address[] public providers;
    address[] public verifiers;
    address[] public users;
    address[] public arbiters;
    /// @dev Every account the escrow may ever credit (parties, payees, the attacker).
    address[] public accounts;

    uint256[] public ids;
    mapping(uint256 id => bytes) private _terms; // abi.encode(Terms)
    mapping(uint256 id => IPaymentEscrow.Status) public ghostStatus;
    mapping(uint256 id => uint64) public ghostCompletedAt;
    mapping(uint256 id => uint64) public ghostDisputedAt;
    mapping(uint256 id => bool) public ghostVerifierAccepted;
    mapping(uint256 id => bool) public ghostUserAccepted;
    mapping(address account => uint256) public ghostCredit;
    /// @dev The sum of the prices of all non-terminal agreements.
    uint256 public ghostLocked;
    uint256 public paidIn;
    uint256 public paidOut;

    mapping(bytes4 selector => uint256) public calls;

    constructor() {
        token = new TheKeyToken(address(this), type(uint256).max, address(0), 0);
        token.grantRole(token.MINTER_ROLE(), address(this));
        escrow = new PaymentEscrow(address(token));
        for (uint256 i = 0; i < 2; ++i) {
            providers.push(vm.addr(0xA000 + i));
            verifiers.push(vm.addr(0xB000 + i));
            users.push(vm.addr(0xC000 + i));
        }
        arbiters.push(vm.addr(0xD000));
        attacker = vm.addr(0xE000);
        for (uint256 i = 0; i < 2; ++i) {
            accounts.push(providers[i]);
            accounts.push(verifiers[i]);
            accounts.push(users[i]);
        }
        accounts.push(arbiters[0]);
        accounts.push(attacker);
        for (uint256 i = 0; i < 3; ++i) accounts.push(vm.addr(0xF000 + i)); // data providers, platform
    }

    // ------------------------------------------------------------------ helpers

    function agreementCount() external view returns (uint256) {
        return ids.length;
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function termsOf(uint256 id) public view returns (IPaymentEscrow.Terms memory) {
        return abi.decode(_terms[id], (IPaymentEscrow.Terms));
    }

    function isOpen(uint256 id) public view returns (bool) {
        IPaymentEscrow.Status s = ghostStatus[id];
        return s != IPaymentEscrow.Status.None && s < IPaymentEscrow.Status.Settled;
    }

    function _pick(uint256 seed) private view returns (uint256 id, IPaymentEscrow.Terms memory t, bool ok) {
        if (ids.length == 0) return (0, t, false);
        id = ids[seed % ids.length];
        return (id, termsOf(id), true);
    }

    /// @dev An awkward price: tiny (remainders everywhere), near the uint96 ceiling, or anything.
    function _price(uint256 seed) private pure returns (uint96) {
        uint256 kind = seed % 4;
        if (kind == 0) return uint96(_bound(seed >> 8, 1, 20_001));
        if (kind == 1) return uint96(type(uint96).max - _bound(seed >> 8, 0, 10_000));
        return uint96(_bound(seed >> 8, 1, 1e27));
    }

    function _plan(uint256 seed) private view returns (IPaymentEscrow.Plan memory plan) {
        uint256 n = seed % 9;
        plan.payees = new address[](n);
        plan.shares = new uint16[](n + 2);
        uint256 remaining = BPS;
        for (uint256 i = 0; i < n + 1; ++i) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            uint256 s = seed % 3 == 0 ? 0 : _bound(seed >> 8, 0, remaining);
            plan.shares[i] = uint16(s);
            remaining -= s;
            if (i < n) plan.payees[i] = accounts[(seed >> 40) % accounts.length];
        }
        plan.shares[n + 1] = uint16(remaining);
    }

    function _fund(address provider, uint256 price) private {
        uint256 balance = token.balanceOf(provider);
        if (balance < price) token.mint(provider, price - balance);
        vm.prank(provider);
        token.approve(address(escrow), price);
    }

    function _credit(address account, uint256 amount) private {
        ghostCredit[account] += amount;
    }

    function _close(uint256 id, IPaymentEscrow.Status status, uint256 price) private {
        ghostStatus[id] = status;
        ghostLocked -= price;
    }

    function _settleGhost(uint256 id, IPaymentEscrow.Terms memory t) private {
        uint256 paid = 0;
        for (uint256 i = 0; i < t.plan.payees.length; ++i) {
            uint256 amount = (uint256(t.price) * t.plan.shares[i + 2]) / BPS;
            paid += amount;
            _credit(t.plan.payees[i], amount);
        }
        uint256 userAmount = (uint256(t.price) * t.plan.shares[1]) / BPS;
        _credit(t.user, userAmount);
        _credit(t.verifier, t.price - paid - userAmount); // the verifier's share plus all dust
        _close(id, IPaymentEscrow.Status.Settled, t.price);
    }

    // ------------------------------------------------------------------ actions

    function create(uint256 seed, uint256 priceSeed, uint256 planSeed, uint32 window, uint32 deadlineIn) external {
        if (ids.length >= MAX_AGREEMENTS) return;
        calls[this.create.selector]++;
        IPaymentEscrow.Terms memory t;
        t.provider = providers[seed % 2];
        t.verifier = verifiers[(seed >> 1) % 2];
        t.user = users[(seed >> 2) % 2];
        t.arbiter = arbiters[0];
        t.price = _price(priceSeed);
        t.serviceDeadline = uint64(now_ + _bound(deadlineIn, 1, 20 days));
        t.disputeWindow = uint32(_bound(window, 0, 10 days));
        t.termsHash = keccak256(abi.encode("terms", seed));
        t.plan = _plan(planSeed);
        _fund(t.provider, t.price);
        IPaymentEscrow.Acceptance memory none;
        vm.prank(t.provider);
        try escrow.create(t, none, none) returns (uint256 id) {
            ids.push(id);
            _terms[id] = abi.encode(t);
            ghostStatus[id] = IPaymentEscrow.Status.Proposed;
            ghostLocked += t.price;
            paidIn += t.price;
        } catch {
            _breach(REFUSED, "create with sound terms refused");
        }
    }

    function accept(uint256 seed, bool asUser) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.accept.selector]++;
        address who = asUser ? t.user : t.verifier;
        bool already = asUser ? ghostUserAccepted[id] : ghostVerifierAccepted[id];
        bool expected = ghostStatus[id] == IPaymentEscrow.Status.Proposed && !already;
        vm.prank(who);
        try escrow.accept(id, t) {
            if (!expected) _breach(OFF_MODEL, "accept succeeded off the model");
            if (asUser) ghostUserAccepted[id] = true;
            else ghostVerifierAccepted[id] = true;
            if (ghostUserAccepted[id] && ghostVerifierAccepted[id]) ghostStatus[id] = IPaymentEscrow.Status.Active;
        } catch {
            if (expected) _breach(REFUSED, "accept refused");
        }
        _checkStored(id, t);
    }

    function decline(uint256 seed) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.decline.selector]++;
        IPaymentEscrow.Status s = ghostStatus[id];
        bool expected = s == IPaymentEscrow.Status.Proposed || s == IPaymentEscrow.Status.Active;
        vm.prank(t.verifier);
        try escrow.decline(id, t, "reason") {
            if (!expected) _breach(OFF_MODEL, "decline succeeded off the model");
            _close(id, IPaymentEscrow.Status.Refunded, t.price);
            _credit(t.provider, t.price);
        } catch {
            if (expected) _breach(REFUSED, "decline refused");
        }
        _checkStored(id, t);
    }

    function complete(uint256 seed, bytes32 evidence) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.complete.selector]++;
        if (evidence == bytes32(0)) evidence = "evidence";
        bool expected = ghostStatus[id] == IPaymentEscrow.Status.Active && now_ <= t.serviceDeadline;
        vm.prank(t.verifier);
        try escrow.complete(id, t, evidence) {
            if (!expected) _breach(OFF_MODEL, "complete succeeded off the model");
            ghostStatus[id] = IPaymentEscrow.Status.Completed;
            ghostCompletedAt[id] = uint64(now_);
        } catch {
            if (expected) _breach(REFUSED, "complete refused");
        }
        _checkStored(id, t);
    }

    function confirm(uint256 seed) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.confirm.selector]++;
        bool expected = ghostStatus[id] == IPaymentEscrow.Status.Completed;
        vm.prank(t.provider);
        try escrow.confirm(id, t) {
            if (!expected) _breach(OFF_MODEL, "confirm succeeded off the model");
            _settleGhost(id, t);
        } catch {
            if (expected) _breach(REFUSED, "confirm refused");
        }
        _checkStored(id, t);
    }

    function dispute(uint256 seed) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.dispute.selector]++;
        bool expected = ghostStatus[id] == IPaymentEscrow.Status.Completed
            && now_ < uint256(ghostCompletedAt[id]) + t.disputeWindow;
        vm.prank(t.provider);
        try escrow.dispute(id, t, "complaint") {
            if (!expected) _breach(OFF_MODEL, "dispute succeeded off the model");
            ghostStatus[id] = IPaymentEscrow.Status.Disputed;
            ghostDisputedAt[id] = uint64(now_);
        } catch {
            if (expected) _breach(REFUSED, "dispute refused");
        }
        _checkStored(id, t);
    }

    function resolve(uint256 seed, uint256 split) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.resolve.selector]++;
        // refund + verifier + user + (first payee, if any) == price
        uint256 price = t.price;
        uint256 refund = split % 4 == 0 ? price : _bound(split >> 2, 0, price);
        uint256 rest = price - refund;
        uint256 n = rest == 0 ? 0 : (t.plan.payees.length > 0 ? 3 : 2);
        address[] memory recipients = new address[](n);
        uint256[] memory amounts = new uint256[](n);
        if (n > 0) {
            recipients[0] = t.verifier;
            amounts[0] = _bound(split >> 100, 0, rest);
            recipients[1] = t.user;
            amounts[1] = n == 2 ? rest - amounts[0] : _bound(split >> 180, 0, rest - amounts[0]);
            if (n == 3) {
                recipients[2] = t.plan.payees[0];
                amounts[2] = rest - amounts[0] - amounts[1];
            }
        }
        bool expected = ghostStatus[id] == IPaymentEscrow.Status.Disputed;
        vm.prank(t.arbiter);
        try escrow.resolve(id, t, refund, recipients, amounts) {
            if (!expected) _breach(OFF_MODEL, "resolve succeeded off the model");
            _close(id, refund == price ? IPaymentEscrow.Status.Refunded : IPaymentEscrow.Status.Resolved, price);
            _credit(t.provider, refund);
            for (uint256 i = 0; i < n; ++i) _credit(recipients[i], amounts[i]);
        } catch {
            if (expected) _breach(REFUSED, "resolve refused");
        }
        _checkStored(id, t);
    }

    function settle(uint256 seed, uint256 callerSeed) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.settle.selector]++;
        IPaymentEscrow.Status s = ghostStatus[id];
        bool expected = (s == IPaymentEscrow.Status.Completed && now_ >= uint256(ghostCompletedAt[id]) + t.disputeWindow)
            || (s == IPaymentEscrow.Status.Disputed && now_ >= uint256(ghostDisputedAt[id]) + escrow.ARBITRATION_PERIOD());
        vm.prank(accounts[callerSeed % accounts.length]); // anyone, the attacker included
        try escrow.settle(id, t) {
            if (!expected) _breach(OFF_MODEL, "settle succeeded off the model");
            _settleGhost(id, t);
        } catch {
            if (expected) _breach(REFUSED, "settle refused");
        }
        _checkStored(id, t);
    }

    function reclaim(uint256 seed) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.reclaim.selector]++;
        IPaymentEscrow.Status s = ghostStatus[id];
        bool expected = s == IPaymentEscrow.Status.Proposed
            || (s == IPaymentEscrow.Status.Active && now_ > t.serviceDeadline);
        vm.prank(t.provider);
        try escrow.reclaim(id, t) {
            if (!expected) _breach(OFF_MODEL, "reclaim succeeded off the model");
            _close(id, IPaymentEscrow.Status.Refunded, t.price);
            paidOut += t.price;
        } catch {
            if (expected) _breach(REFUSED, "reclaim refused");
        }
        _checkStored(id, t);
    }

    function withdraw(uint256 who, bool toOther) external {
        calls[this.withdraw.selector]++;
        address account = accounts[who % accounts.length];
        uint256 owed = ghostCredit[account];
        address to = toOther ? accounts[(who >> 8) % accounts.length] : account;
        uint256 before = token.balanceOf(to);
        vm.prank(account);
        try escrow.withdrawTo(to) returns (uint256 amount) {
            if (amount != owed || owed == 0) _breach(OFF_MODEL, "withdrawal other than the modelled credit");
            if (token.balanceOf(to) - before != amount) _breach(OFF_MODEL, "withdrawal delivered another amount");
            ghostCredit[account] = 0;
            paidOut += amount;
        } catch {
            if (owed != 0) _breach(REFUSED, "withdrawal of a credit refused");
        }
    }

    function warp(uint256 seed) external {
        calls[this.warp.selector]++;
        _warp(seed, 12 days);
    }

    /// @notice The attacker (a payee) tries every party's action on an agreement it does not hold a party role in.
    function attack(uint256 seed, uint8 action) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.attack.selector]++;
        vm.startPrank(attacker);
        bool succeeded;
        action = action % 7;
        if (action == 0) succeeded = _try(abi.encodeCall(escrow.confirm, (id, t)));
        else if (action == 1) succeeded = _try(abi.encodeCall(escrow.dispute, (id, t, "x")));
        else if (action == 2) succeeded = _try(abi.encodeCall(escrow.reclaim, (id, t)));
        else if (action == 3) succeeded = _try(abi.encodeCall(escrow.decline, (id, t, "x")));
        else if (action == 4) succeeded = _try(abi.encodeCall(escrow.accept, (id, t)));
        else if (action == 5) succeeded = _try(abi.encodeCall(escrow.complete, (id, t, "x")));
        else {
            address[] memory r = new address[](1);
            uint256[] memory a = new uint256[](1);
            r[0] = attacker;
            a[0] = t.price;
            succeeded = _try(abi.encodeCall(escrow.resolve, (id, t, 0, r, a)));
        }
        vm.stopPrank();
        if (succeeded) _breach(ATTACKER_ACTED, "a payee acted as a party");
        _checkStored(id, t);
    }

    /// @notice Anyone settles with one term changed (a payee swapped for the attacker, a share moved, the price, a party).
    function tamper(uint256 seed, uint8 how) external {
        (uint256 id, IPaymentEscrow.Terms memory t, bool ok) = _pick(seed);
        if (!ok) return;
        calls[this.tamper.selector]++;
        how = how % 4;
        if (how == 0) {
            if (t.plan.payees.length == 0) return;
            if (t.plan.payees[0] == attacker) return;
            t.plan.payees[0] = attacker;
        } else if (how == 1) {
            if (t.plan.shares[0] == 0) return;
            t.plan.shares[0] -= 1;
            t.plan.shares[1] += 1;
        } else if (how == 2) {
            t.price = t.price == 1 ? 2 : t.price - 1;
        } else {
            t.verifier = attacker;
        }
        vm.warp(now_ + 61 days); // every window has passed
        vm.prank(attacker);
        bool succeeded = _try(abi.encodeCall(escrow.settle, (id, t)));
        vm.warp(now_);
        if (succeeded) _breach(TAMPERED_TERMS, "settle with tampered terms succeeded");
    }

    /// @dev The agreement just acted on is stored in the modelled status.
    function _checkStored(uint256 id, IPaymentEscrow.Terms memory t) private {
        if (escrow.agreement(id, t).status != ghostStatus[id]) _breach(OFF_MODEL, "stored status differs from the model");
    }

    function _try(bytes memory data) private returns (bool ok) {
        (ok,) = address(escrow).call(data);
    }

    /// @notice For the drain check: every open agreement ended by the party the rules leave it to
    /// (the provider reclaims or confirms, anyone settles), far in the future; reverts if one cannot be.
    function endEverything() external {
        vm.warp(now_ + 120 days);
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 id = ids[i];
            if (!isOpen(id)) continue;
            IPaymentEscrow.Terms memory t = termsOf(id);
            IPaymentEscrow.Status s = ghostStatus[id];
            if (s == IPaymentEscrow.Status.Proposed || s == IPaymentEscrow.Status.Active) {
                vm.prank(t.provider);
                escrow.reclaim(id, t);
            } else {
                vm.prank(attacker); // settling is anyone's right
                escrow.settle(id, t);
            }
        }
        for (uint256 i = 0; i < accounts.length; ++i) {
            if (escrow.creditOf(accounts[i]) == 0) continue;
            vm.prank(accounts[i]);
            escrow.withdraw();
        }
    }
}
