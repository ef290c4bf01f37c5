// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Signatures} from "../utils/Signatures.sol";
import {SignerNonces} from "../utils/SignerNonces.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IPaymentEscrow} from "../interfaces/IPaymentEscrow.sol";

/// @title PaymentEscrow — payment-sharing escrow in TKY
/// @notice See {IPaymentEscrow}. Payouts are pull credits (one `withdraw` collects them across
/// agreements); only the provider's own `reclaim` transfers directly, to the caller. A verifier's
/// `decline` credits the provider (no transfer to a third party inside another party's call).
///
/// Invariants:
/// - The escrow's token balance equals the sum of the prices of all non-terminal agreements
///   plus the sum of all unwithdrawn credits (conservation; nothing is created or lost).
/// - Every agreement moves only forward along the lifecycle and ends in exactly one terminal
///   state (Settled, Refunded or Resolved); no action is possible on it afterwards. None can be
///   stuck: a silent verifier lets the provider reclaim after the service deadline, a silent
///   arbiter lets anyone settle by the plan `ARBITRATION_PERIOD` after the dispute.
/// - A payout credits exactly the price: the plan's floors plus the dust (to the verifier), or the
///   arbiter's refund plus split, which must sum to the price.
/// - An agreement's state is stored under `keccak256(abi.encode(id, terms))`: an action with any
///   term changed (a payee, a share, the price, a party, a time) finds no agreement and reverts.
/// - No payee can block another: settlement makes no external call; each payee withdraws its own
///   credits, and a withdrawal zeroes the credit before the transfer (and is non-reentrant).
/// - An agreement is funded with exactly its price; a token delivering any other amount is rejected.
/// - Whoever creates an agreement is its provider; only the provider confirms, disputes and reclaims;
///   only the verifier completes; only the verifier and the user accept; only the arbiter resolves;
///   anyone may settle once the window (or, after a dispute, the arbitration period) has passed.
/// - An acceptance signature is valid for one signer, one nonce, one chain, this contract, until
///   its deadline (inclusive); it binds the provider and every term, including the plan. Nonces are
///   keyed ({SignerNonces}): a signer may sign in parallel lanes and burn outstanding nonces.
/// - Tokens leave the escrow only in `reclaim` (to the provider, its caller) and `withdraw`/`withdrawTo`
///   (the caller's own credits).
contract PaymentEscrow is IPaymentEscrow, EIP712, SignerNonces, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IPaymentEscrow
    uint256 public constant MAX_PAYEES = 8;
    /// @inheritdoc IPaymentEscrow
    uint64 public constant ARBITRATION_PERIOD = 30 days;
    uint256 private constant BPS = 10_000;

    /// @inheritdoc IPaymentEscrow
    /// @dev keccak256("Agreement(address provider,address verifier,address user,address arbiter,uint96 price,
    /// uint64 serviceDeadline,uint32 disputeWindow,bytes32 termsHash,address[] payees,uint16[] shares,
    /// uint256 nonce,uint256 deadline)") — one line, no spaces after commas.
    bytes32 public constant AGREEMENT_TYPEHASH = 0x8e6638484c7b0f89fb3402fb7e3e3646f09c53f9343457cb8cc32334c7aa2441;

    IERC20 private immutable _token;
    /// @dev The next agreement id. Starts at 1 in the constructor, so the first agreement of a
    /// deployment updates a non-zero slot (5,000 gas) instead of creating it (22,100).
    uint256 private _next;
    // slither-disable-next-line uninitialized-state — every agreement is written through an `Agreement storage` pointer
    mapping(bytes32 key => Agreement) private _agreements;
    mapping(address account => uint256) private _credits;

    /// @param token_ the TKY token (immutable: the only token this escrow accepts).
    constructor(address token_) EIP712("TheKey PaymentEscrow", "1") {
        if (token_ == address(0)) revert EscrowZeroAddress();
        _token = IERC20(token_);
        _next = 1;
    }

    // -- provider --------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function create(Terms calldata terms, Acceptance calldata verifierAcceptance, Acceptance calldata userAcceptance)
        external
        nonReentrant
        returns (uint256 id)
    {
        id = _open(terms, verifierAcceptance, userAcceptance);
        _pull(terms.price);
    }

    /// @inheritdoc IPaymentEscrow
    function createWithPermit(
        Terms calldata terms,
        Acceptance calldata verifierAcceptance,
        Acceptance calldata userAcceptance,
        PermitData calldata permit
    ) external nonReentrant returns (uint256 id) {
        // A front-run permit (same signature submitted by someone else) must not grief the
        // creation: ignore its failure; `_pull` fails anyway when no allowance exists.
        try IERC20Permit(address(_token)).permit(
            msg.sender, address(this), terms.price, permit.deadline, permit.v, permit.r, permit.s
        ) {} catch {}
        id = _open(terms, verifierAcceptance, userAcceptance);
        _pull(terms.price);
    }

    /// @inheritdoc IPaymentEscrow
    function confirm(uint256 id, Terms calldata terms) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        _checkStatus(id, status, Status.Completed);
        _checkCaller(id, terms.provider);
        emit AgreementConfirmed(id);
        _settle(id, a, terms);
    }

    /// @inheritdoc IPaymentEscrow
    function dispute(uint256 id, Terms calldata terms, bytes32 reasonHash) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        _checkStatus(id, status, Status.Completed);
        _checkCaller(id, terms.provider);
        uint64 until = a.completedAt + terms.disputeWindow;
        uint64 now_ = _time();
        if (now_ >= until) revert EscrowDisputeWindowClosed(id, until);
        a.status = Status.Disputed;
        a.disputedAt = now_;
        emit AgreementDisputed(id, reasonHash);
    }

    /// @inheritdoc IPaymentEscrow
    function reclaim(uint256 id, Terms calldata terms) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        if (status != Status.Proposed) {
            _checkStatus(id, status, Status.Active);
            if (_time() <= terms.serviceDeadline) revert EscrowServiceDeadlineNotReached(id, terms.serviceDeadline);
        }
        _checkCaller(id, terms.provider);
        uint256 price = terms.price;
        a.status = Status.Refunded;
        emit AgreementReclaimed(id, price);
        _token.safeTransfer(msg.sender, price);
    }

    // -- verifier and user -----------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function decline(uint256 id, Terms calldata terms, bytes32 reasonHash) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        if (status != Status.Proposed) _checkStatus(id, status, Status.Active);
        _checkCaller(id, terms.verifier);
        uint256 price = terms.price;
        a.status = Status.Refunded;
        emit AgreementDeclined(id, reasonHash, price);
        _credit(terms.provider, price);
    }

    /// @inheritdoc IPaymentEscrow
    function accept(uint256 id, Terms calldata terms) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        _checkStatus(id, status, Status.Proposed);
        bool verifierAccepted = a.verifierAccepted;
        bool userAccepted = a.userAccepted;
        if (msg.sender == terms.verifier && !verifierAccepted) {
            verifierAccepted = true;
        } else if (msg.sender == terms.user && !userAccepted) {
            userAccepted = true;
        } else if (msg.sender == terms.verifier || msg.sender == terms.user) {
            revert EscrowAlreadyAccepted(id, msg.sender);
        } else {
            revert EscrowUnauthorized(id, msg.sender);
        }
        bool binding = verifierAccepted && userAccepted;
        a.verifierAccepted = verifierAccepted;
        a.userAccepted = userAccepted;
        if (binding) a.status = Status.Active;
        emit AgreementAccepted(id, msg.sender);
        if (binding) emit AgreementActivated(id);
    }

    /// @inheritdoc IPaymentEscrow
    function complete(uint256 id, Terms calldata terms, bytes32 evidenceHash) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        _checkStatus(id, status, Status.Active);
        _checkCaller(id, terms.verifier);
        if (evidenceHash == bytes32(0)) revert EscrowEmptyEvidence();
        uint64 now_ = _time();
        if (now_ > terms.serviceDeadline) revert EscrowServiceDeadlinePassed(id, terms.serviceDeadline);
        a.status = Status.Completed;
        a.completedAt = now_;
        a.evidenceHash = evidenceHash;
        emit AgreementCompleted(id, evidenceHash, now_ + terms.disputeWindow);
    }

    // -- anyone ----------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function settle(uint256 id, Terms calldata terms) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        if (status == Status.Disputed) {
            uint64 arbiterUntil = a.disputedAt + ARBITRATION_PERIOD;
            if (_time() < arbiterUntil) revert EscrowArbitrationPending(id, arbiterUntil);
        } else {
            _checkStatus(id, status, Status.Completed);
            uint64 until = a.completedAt + terms.disputeWindow;
            if (_time() < until) revert EscrowDisputeWindowOpen(id, until);
        }
        _settle(id, a, terms);
    }

    /// @inheritdoc IPaymentEscrow
    /// @dev Logs nothing itself: the token's `Transfer` from this escrow to the caller is the record.
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _take();
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IPaymentEscrow
    /// @dev `Withdrawn` names the payee, which the token's `Transfer` to `to` does not show.
    function withdrawTo(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert EscrowZeroAddress();
        amount = _take();
        emit Withdrawn(msg.sender, to, amount);
        _token.safeTransfer(to, amount);
    }

    // -- arbiter ---------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function resolve(
        uint256 id,
        Terms calldata terms,
        uint256 refund,
        address[] calldata recipients,
        uint256[] calldata amounts
    ) external nonReentrant {
        (Agreement storage a, Status status) = _load(id, terms);
        _checkStatus(id, status, Status.Disputed);
        _checkCaller(id, terms.arbiter);
        if (recipients.length != amounts.length) revert EscrowSplitLength(recipients.length, amounts.length);
        uint256 total = refund;
        for (uint256 i = 0; i < recipients.length; ++i) {
            address r = recipients[i];
            if (r != terms.verifier && r != terms.user && !_isPayee(terms.plan.payees, r)) {
                revert EscrowUnknownPayee(id, r);
            }
            total += amounts[i];
        }
        uint256 price = terms.price;
        if (total != price) revert EscrowSplitSum(total, price);
        a.status = refund == price ? Status.Refunded : Status.Resolved;
        emit AgreementResolved(id, refund, recipients, amounts);
        _credit(terms.provider, refund);
        for (uint256 i = 0; i < recipients.length; ++i) {
            _credit(recipients[i], amounts[i]);
        }
    }

    // -- views -----------------------------------------------------------------------------

    /// @inheritdoc IPaymentEscrow
    function token() external view returns (address) {
        return address(_token);
    }

    /// @inheritdoc IPaymentEscrow
    function agreement(uint256 id, Terms calldata terms) external view returns (Agreement memory) {
        return _agreements[_key(id, terms)];
    }

    /// @inheritdoc IPaymentEscrow
    function agreementKey(uint256 id, Terms calldata terms) external pure returns (bytes32) {
        return _key(id, terms);
    }

    /// @inheritdoc IPaymentEscrow
    function agreementCount() external view returns (uint256) {
        return _next - 1;
    }

    /// @inheritdoc IPaymentEscrow
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /// @inheritdoc IPaymentEscrow
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    // -- internals -------------------------------------------------------------------------

    /// @dev Validates the terms, checks relayed acceptances, stores the agreement's state and emits.
    function _open(Terms calldata t, Acceptance calldata va, Acceptance calldata ua) private returns (uint256 id) {
        _checkTerms(t);
        bool verifierAccepted = va.signature.length != 0;
        bool userAccepted = ua.signature.length != 0;
        if (verifierAccepted || userAccepted) {
            // The struct hash is this prefix followed by (nonce, deadline): all words are static,
            // so concatenating two abi.encode blocks equals one abi.encode of every member.
            bytes memory prefix = _structPrefix(t);
            if (verifierAccepted) _checkAcceptance(t.verifier, prefix, va);
            if (userAccepted) _checkAcceptance(t.user, prefix, ua);
        }
        id = _next;
        unchecked {
            _next = id + 1; // cannot overflow: one per transaction
        }
        Agreement storage a = _agreements[_key(id, t)];
        a.status = verifierAccepted && userAccepted ? Status.Active : Status.Proposed;
        a.verifierAccepted = verifierAccepted;
        a.userAccepted = userAccepted;
        _emitCreated(id, t, verifierAccepted, userAccepted);
    }

    /// @dev The agreement `id` created with `t`, and its status; reverts when there is none.
    function _load(uint256 id, Terms calldata t) private view returns (Agreement storage a, Status status) {
        a = _agreements[_key(id, t)];
        status = a.status;
        if (status == Status.None) {
            if (id == 0 || id >= _next) revert EscrowUnknownAgreement(id);
            revert EscrowTermsMismatch(id);
        }
    }

    function _key(uint256 id, Terms calldata t) private pure returns (bytes32) {
        return keccak256(abi.encode(id, t));
    }

    function _structPrefix(Terms calldata t) private pure returns (bytes memory) {
        // EIP-712 array encoding: keccak256 of the concatenated 32-byte encoded elements.
        bytes32 payeesHash = keccak256(abi.encodePacked(t.plan.payees));
        bytes32 sharesHash = keccak256(abi.encodePacked(t.plan.shares));
        return bytes.concat(
            abi.encode(AGREEMENT_TYPEHASH, t.provider, t.verifier, t.user, t.arbiter, t.price),
            abi.encode(t.serviceDeadline, t.disputeWindow, t.termsHash, payeesHash, sharesHash)
        );
    }

    function _emitCreated(uint256 id, Terms calldata t, bool verifierAccepted, bool userAccepted) private {
        emit AgreementCreated(
            id, t.provider, t.verifier, t.user, t.arbiter, t.price, t.serviceDeadline, t.disputeWindow,
            t.termsHash, t.plan.payees, t.plan.shares, verifierAccepted, userAccepted
        );
    }

    function _checkTerms(Terms calldata t) private view {
        if (t.provider != msg.sender) revert EscrowUnauthorized(0, msg.sender);
        if (t.price == 0) revert EscrowZeroPrice();
        if (t.verifier == address(0) || t.user == address(0) || t.arbiter == address(0)) revert EscrowZeroAddress();
        uint64 now_ = _time();
        if (t.serviceDeadline <= now_) revert EscrowDeadlineInPast(t.serviceDeadline, now_);
        address[] calldata payees = t.plan.payees;
        uint16[] calldata shares = t.plan.shares;
        if (payees.length > MAX_PAYEES) revert EscrowTooManyPayees(payees.length, MAX_PAYEES);
        if (shares.length != payees.length + 2) revert EscrowSharesLength(payees.length, shares.length);
        uint256 sum = uint256(shares[0]) + shares[1];
        for (uint256 i = 0; i < payees.length; ++i) {
            if (payees[i] == address(0)) revert EscrowZeroAddress();
            sum += shares[i + 2];
        }
        if (sum != BPS) revert EscrowSharesSum(sum);
    }

    function _checkAcceptance(address signer, bytes memory prefix, Acceptance calldata acc) private {
        if (_time() > acc.deadline) revert EscrowSignatureExpired(signer, acc.deadline);
        _useCheckedNonce(signer, acc.nonce);
        bytes32 structHash = keccak256(bytes.concat(prefix, abi.encode(acc.nonce, acc.deadline)));
        if (!Signatures.isValidNow(signer, _hashTypedDataV4(structHash), acc.signature)) {
            revert EscrowInvalidSignature(signer);
        }
    }

    /// @dev Moves exactly `amount` from the caller in and rejects any other delivered amount.
    function _pull(uint256 amount) private {
        uint256 before = _token.balanceOf(address(this));
        _token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _token.balanceOf(address(this)) - before;
        if (received != amount) revert EscrowFundingMismatch(amount, received);
    }

    /// @dev Credits each payee its floor share and the verifier the rest (its share + dust).
    function _settle(uint256 id, Agreement storage a, Terms calldata t) internal {
        a.status = Status.Settled;
        uint256 price = t.price;
        uint16[] calldata shares = t.plan.shares;
        address[] calldata payees = t.plan.payees;
        uint256 paid = 0;
        // price < 2**96 and each share <= 10_000, so products < 2**110 and the floors sum to at
        // most the price (shares sum to 10_000): nothing here can overflow or underflow.
        unchecked {
            for (uint256 i = 0; i < payees.length; ++i) {
                uint256 amount = (price * shares[i + 2]) / BPS;
                paid += amount;
                _credit(payees[i], amount);
            }
            uint256 userAmount = (price * shares[1]) / BPS;
            paid += userAmount;
            _credit(t.user, userAmount);
            uint256 verifierAmount = price - paid;
            _credit(t.verifier, verifierAmount);
            emit AgreementSettled(id, verifierAmount - (price * shares[0]) / BPS);
        }
    }

    function _credit(address payee, uint256 amount) private {
        if (amount != 0) _credits[payee] += amount;
    }

    /// @dev The caller's whole credit, zeroed before the caller transfers it.
    function _take() private returns (uint256 amount) {
        amount = _credits[msg.sender];
        if (amount == 0) revert EscrowNothingToWithdraw(msg.sender);
        _credits[msg.sender] = 0;
    }

    function _checkStatus(uint256 id, Status status, Status expected) private pure {
        if (status == expected) return;
        if (status >= Status.Settled) revert EscrowAgreementClosed(id, status);
        revert EscrowWrongStatus(id, status);
    }

    function _checkCaller(uint256 id, address expected) private view {
        if (msg.sender != expected) revert EscrowUnauthorized(id, msg.sender);
    }

    function _isPayee(address[] calldata payees, address account) private pure returns (bool) {
        for (uint256 i = 0; i < payees.length; ++i) {
            if (payees[i] == account) return true;
        }
        return false;
    }

    /// @dev The clock (a hook for tests and L2s).
    function _time() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }
}
