// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IPaymentEscrow — payment-sharing escrow for service agreements, settled in TKY
/// @notice A service provider (the payer) locks the price of a service in TKY; the agreement
/// becomes binding once the verifier and the user have signed it (EIP-712 signatures relayed
/// at creation, or on-chain `accept`). The verifier completes it with an evidence hash; after the
/// dispute window — or at once when the provider confirms — the price is split by the agreed plan
/// (basis points summing to 10,000) into pull credits that each payee withdraws, across any number
/// of agreements, with one `withdraw`. Failure paths: the provider reclaims the price when the
/// service deadline passes without completion; a dispute inside the window is resolved by the
/// arbiter (full refund or a custom split summing to the price).
///
/// Lifecycle (every agreement ends in exactly one terminal state):
///
///     Proposed --accept x2--> Active --complete--> Completed --settle/confirm--> Settled
///        |                      |                      |
///        +--reclaim--> Refunded <--reclaim (deadline)--+--dispute--> Disputed --resolve--> Refunded | Resolved
///
/// Storage holds only what changes: an agreement's state (status, acceptances, completion and
/// dispute times, evidence) is stored under its *key*, `keccak256(abi.encode(id, terms))`, so the
/// key commits to every term. The terms themselves are not stored: every action takes them back
/// as calldata (every party has them from the signed document and from the `AgreementCreated`
/// event), and terms that differ in any field find no agreement (`EscrowTermsMismatch`). Payouts
/// are not logged one by one: a settlement's credits follow exactly from the terms and the plan
/// (floors, dust to the verifier), a resolution's from its event. No personal data: `termsHash`,
/// `evidenceHash` and `reasonHash` are salted hashes of off-chain documents.
interface IPaymentEscrow {
    /// @notice Where an agreement is in its life. `Settled`, `Refunded` and `Resolved` are terminal.
    enum Status {
        None, // no such agreement
        Proposed, // funded, waiting for the verifier's and/or the user's acceptance
        Active, // binding: the verifier and the user have accepted
        Completed, // the verifier submitted its result; the dispute window runs
        Disputed, // the provider disputed within the window; the arbiter decides
        Settled, // terminal: paid out by the plan
        Refunded, // terminal: the whole price went back to the provider
        Resolved // terminal: paid out by the arbiter's custom split
    }

    /// @notice The share plan. `shares[0]` is the verifier's, `shares[1]` the user's, and
    /// `shares[2 + i]` belongs to `payees[i]` (data providers, platform). Shares are basis points
    /// summing to exactly 10,000. Rounding dust goes to the verifier.
    struct Plan {
        address[] payees;
        uint16[] shares;
    }

    /// @notice What the provider proposes and the verifier and the user sign. The provider must be
    /// the creator (`msg.sender`). Times are UNIX seconds.
    struct Terms {
        address provider;
        address verifier;
        address user;
        address arbiter;
        uint96 price; // TKY wei, > 0
        uint64 serviceDeadline; // the verifier must complete by this time (inclusive)
        uint32 disputeWindow; // seconds after completion during which the provider may dispute
        bytes32 termsHash; // salted hash of the off-chain service description
        Plan plan;
    }

    /// @notice A party's EIP-712 acceptance of `Terms`, relayed by the provider. An empty
    /// `signature` means "this party accepts on chain later".
    struct Acceptance {
        uint256 nonce;
        uint256 deadline;
        bytes signature;
    }

    /// @notice An EIP-2612 permit of the provider for this escrow, for the exact price.
    struct PermitData {
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice An agreement's state as stored under its key (the terms are not stored). Times: 0 = none.
    struct Agreement {
        Status status;
        bool verifierAccepted;
        bool userAccepted;
        uint64 completedAt;
        uint64 disputedAt;
        bytes32 evidenceHash;
    }

    // -- events ----------------------------------------------------------------------------

    /// @notice A funded agreement was created with these terms; the parties whose signatures were
    /// relayed accepted it (both: it is Active at once, else Proposed).
    event AgreementCreated(
        uint256 indexed id,
        address indexed provider,
        address indexed verifier,
        address user,
        address arbiter,
        uint96 price,
        uint64 serviceDeadline,
        uint32 disputeWindow,
        bytes32 termsHash,
        address[] payees,
        uint16[] shares,
        bool verifierAccepted,
        bool userAccepted
    );
    /// @notice `party` (the verifier or the user) accepted agreement `id` on chain (`accept`).
    event AgreementAccepted(uint256 indexed id, address indexed party);
    /// @notice Agreement `id` became binding through an on-chain `accept` (status Active).
    event AgreementActivated(uint256 indexed id);
    /// @notice The verifier completed agreement `id`; disputes are possible until `disputeUntil` (exclusive).
    event AgreementCompleted(uint256 indexed id, bytes32 evidenceHash, uint64 disputeUntil);
    /// @notice The provider confirmed the service of agreement `id` (it settles at once).
    event AgreementConfirmed(uint256 indexed id);
    /// @notice The provider disputed agreement `id`.
    event AgreementDisputed(uint256 indexed id, bytes32 reasonHash);
    /// @notice Agreement `id` paid out by its plan: each payee credited `price * share / 10_000`
    /// (floor), the verifier the rest; `dust` (included in the verifier's credit) was rounding.
    event AgreementSettled(uint256 indexed id, uint256 dust);
    /// @notice The provider took back the whole price of agreement `id` (not binding, or deadline passed).
    event AgreementReclaimed(uint256 indexed id, uint256 amount);
    /// @notice The verifier declined the work before completing it; the price `amount` was credited
    /// back to the provider (who collects it with `withdraw`).
    event AgreementDeclined(uint256 indexed id, bytes32 reasonHash, uint256 amount);
    /// @notice The arbiter resolved the dispute of agreement `id`: `refund` credited to the provider,
    /// `amounts[i]` to `recipients[i]`.
    event AgreementResolved(uint256 indexed id, uint256 refund, address[] recipients, uint256[] amounts);
    /// @notice `payee` withdrew `amount` (all its credits) to `to` with `withdrawTo`. A plain `withdraw`
    /// is recorded by the token's `Transfer` from the escrow to the payee.
    event Withdrawn(address indexed payee, address indexed to, uint256 amount);

    // -- errors ----------------------------------------------------------------------------

    /// @notice The price is zero.
    error EscrowZeroPrice();
    /// @notice A party or payee is the zero address.
    error EscrowZeroAddress();
    /// @notice `shares` must have `payees + 2` entries.
    error EscrowSharesLength(uint256 payees, uint256 shares);
    /// @notice More payees than `MAX_PAYEES`.
    error EscrowTooManyPayees(uint256 count, uint256 max);
    /// @notice The shares sum to `sum`, not 10,000.
    error EscrowSharesSum(uint256 sum);
    /// @notice The service deadline is not in the future.
    error EscrowDeadlineInPast(uint64 serviceDeadline, uint64 now_);
    /// @notice The escrow received `received` instead of `expected`.
    error EscrowFundingMismatch(uint256 expected, uint256 received);
    /// @notice No agreement `id`.
    error EscrowUnknownAgreement(uint256 id);
    /// @notice Agreement `id` is in `status`, which does not allow this action.
    error EscrowWrongStatus(uint256 id, Status status);
    /// @notice Agreement `id` already ended in the terminal `status`.
    error EscrowAgreementClosed(uint256 id, Status status);
    /// @notice `caller` may not do this on agreement `id`.
    error EscrowUnauthorized(uint256 id, address caller);
    /// @notice `party` already accepted agreement `id`.
    error EscrowAlreadyAccepted(uint256 id, address party);
    /// @notice The terms given are not the ones agreement `id` was created with.
    error EscrowTermsMismatch(uint256 id);
    /// @notice The service deadline of agreement `id` passed; it can no longer be completed.
    error EscrowServiceDeadlinePassed(uint256 id, uint64 serviceDeadline);
    /// @notice The service deadline of agreement `id` has not passed yet; it cannot be reclaimed.
    error EscrowServiceDeadlineNotReached(uint256 id, uint64 serviceDeadline);
    /// @notice The dispute window of agreement `id` is open until `disputeUntil`; it cannot settle yet.
    error EscrowDisputeWindowOpen(uint256 id, uint64 disputeUntil);
    /// @notice The dispute window of agreement `id` closed at `disputeUntil`.
    error EscrowDisputeWindowClosed(uint256 id, uint64 disputeUntil);
    /// @notice The arbiter may still rule on this disputed agreement until `until`.
    error EscrowArbitrationPending(uint256 id, uint64 until);
    /// @notice An evidence hash must not be zero.
    error EscrowEmptyEvidence();
    /// @notice `account` is not a payee of agreement `id` (verifier, user or a plan payee).
    error EscrowUnknownPayee(uint256 id, address account);
    /// @notice `recipients` and `amounts` differ in length.
    error EscrowSplitLength(uint256 recipients, uint256 amounts);
    /// @notice The refund and the split add up to `sum`, not the price.
    error EscrowSplitSum(uint256 sum, uint256 price);
    /// @notice The acceptance of `signer` expired at `deadline`.
    error EscrowSignatureExpired(address signer, uint256 deadline);
    /// @notice The acceptance signature is not `signer`'s.
    error EscrowInvalidSignature(address signer);
    /// @notice `account` has no credit to withdraw.
    error EscrowNothingToWithdraw(address account);

    // -- provider --------------------------------------------------------------------------

    /// @notice Creates an agreement and funds it from a prior approval of `terms.price`; `terms.provider`
    /// must be the caller.
    /// Relayed acceptances are checked (EIP-712, per-signer keyed nonce (see {ISignerNonces}), deadline; ERC-1271 wallets too);
    /// with both present the agreement is binding at once. Exactly `price` must arrive.
    /// @return id the new agreement's id (sequential from 1).
    function create(Terms calldata terms, Acceptance calldata verifierAcceptance, Acceptance calldata userAcceptance)
        external
        returns (uint256 id);

    /// @notice As `create`, funded through the provider's EIP-2612 `permit` in the same transaction
    /// (no standing allowance). A permit already used (front-run) is tolerated when the allowance exists.
    function createWithPermit(
        Terms calldata terms,
        Acceptance calldata verifierAcceptance,
        Acceptance calldata userAcceptance,
        PermitData calldata permit
    ) external returns (uint256 id);

    // Every action on an existing agreement takes its `id` and the `terms` it was created with
    // (`EscrowUnknownAgreement` for an id never issued, `EscrowTermsMismatch` for other terms).

    /// @notice The provider confirms the service of a Completed agreement: it settles at once.
    function confirm(uint256 id, Terms calldata terms) external;

    /// @notice The provider disputes a Completed agreement within its dispute window.
    /// @param reasonHash salted hash of the off-chain complaint.
    function dispute(uint256 id, Terms calldata terms, bytes32 reasonHash) external;

    /// @notice The provider takes back the whole price: at any time while the agreement is not
    /// binding (Proposed), or once an Active agreement's service deadline has passed uncompleted.
    function reclaim(uint256 id, Terms calldata terms) external;

    /// @notice The verifier declines the work (e.g. the request breaks the industry rules, or the
    /// identity check failed): the whole price is credited to the provider (collected with
    /// `withdraw`, like every payout) and the agreement ends `Refunded`. `reasonHash` is the hash of the off-chain decision record, kept for audit.
    /// @dev Only the verifier, while `Proposed` or `Active`.
    function decline(uint256 id, Terms calldata terms, bytes32 reasonHash) external;

    // -- verifier and user -----------------------------------------------------------------

    /// @notice The verifier or the user accepts a Proposed agreement on chain.
    function accept(uint256 id, Terms calldata terms) external;

    /// @notice The verifier submits its result for an Active agreement, by the service deadline.
    /// @param evidenceHash the hash of the verification record, anchored for audit.
    function complete(uint256 id, Terms calldata terms, bytes32 evidenceHash) external;

    // -- anyone ----------------------------------------------------------------------------

    /// @notice Settles by the plan (anyone may call): a Completed agreement whose dispute window has
    /// passed, or a Disputed one whose arbiter has not ruled within `ARBITRATION_PERIOD` of the
    /// dispute — the provider named the arbiter, so the provider bears its silence, and the
    /// verifier's completion (with its evidence) stands. Each payee is credited its share;
    /// rounding dust to the verifier.
    function settle(uint256 id, Terms calldata terms) external;

    /// @notice Sends all of the caller's credits (from any number of agreements) to the caller.
    function withdraw() external returns (uint256 amount);

    /// @notice Sends all of the caller's credits to `to`.
    function withdrawTo(address to) external returns (uint256 amount);

    // -- arbiter ---------------------------------------------------------------------------

    /// @notice The arbiter resolves a Disputed agreement: `refund` is credited to the provider and
    /// `amounts[i]` to `recipients[i]`, each the verifier, the user or a plan payee; the total must
    /// equal the price. A full refund with no recipients ends Refunded, anything else Resolved.
    function resolve(
        uint256 id,
        Terms calldata terms,
        uint256 refund,
        address[] calldata recipients,
        uint256[] calldata amounts
    ) external;

    // -- views -----------------------------------------------------------------------------

    /// @notice The TKY token (immutable).
    function token() external view returns (address);

    /// @notice The state of agreement `id` created with `terms` (all zero when there is no such
    /// agreement or the terms are not its own).
    function agreement(uint256 id, Terms calldata terms) external view returns (Agreement memory);

    /// @notice The storage key of agreement `id` with `terms`: `keccak256(abi.encode(id, terms))`.
    function agreementKey(uint256 id, Terms calldata terms) external pure returns (bytes32);

    /// @notice How many agreements were created (ids are 1..count).
    function agreementCount() external view returns (uint256);

    /// @notice The unwithdrawn credit of `account`, across all agreements.
    function creditOf(address account) external view returns (uint256);

    /// @notice The most payees a plan may name besides the verifier and the user.
    function MAX_PAYEES() external view returns (uint256);

    /// @notice How long the arbiter has to rule on a dispute before anyone may settle by the plan.
    function ARBITRATION_PERIOD() external view returns (uint64);

    /// @notice The EIP-712 typehash of the `Agreement` acceptance.
    function AGREEMENT_TYPEHASH() external view returns (bytes32);

    /// @notice The contract's semantic version.
    function version() external view returns (string memory);
}
