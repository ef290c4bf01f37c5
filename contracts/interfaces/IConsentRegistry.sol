// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IConsentRegistry — GDPR-style consent records with usage receipts
/// @notice A consent lets `grantee` (an organisation's DID, by its identity address) use the
/// data category `scope` of the DID `subject` for `purpose`, from `validFrom` until
/// `validUntil`, at most `maxUses` times (0 = unlimited). Scopes and purposes are ids:
/// keccak256 of human-readable names (the documented list lives in `thekey.consent.ids`).
/// No personal data is ever stored, passed or logged: only DIDs (addresses) and hashes.
///
/// Who acts for a DID: its ERC-1056 `identityOwner`, or a delegate that is
/// `validDelegate(identity, "sigAuth", delegate)` — the DID document's authentication keys.
/// A deactivated DID (`identityOwner == address(0)`) has no live consents and cannot act.
///
/// Signed actions (EIP-712, domain "TheKey Consent" / "1"): the signer is named in the
/// message, consumes its own per-signer nonce, and must act for the subject when the
/// signature is checked; a deadline equal to the block time is still valid.
interface IConsentRegistry {
    /// @notice A consent record (grant writes 4 storage slots, revocation a 5th). Times are UNIX seconds; 0 means
    /// "none". The grant time is the block of the `ConsentGranted` event.
    struct Consent {
        address subject; // the data subject's DID identity
        uint64 validFrom; // first second the consent is usable
        uint32 maxUses; // maximum recorded uses, 0 = unlimited
        address grantee; // the organisation's DID identity
        uint64 validUntil; // last second the consent is usable, 0 = no end
        uint32 uses; // uses recorded so far
        bytes32 scope; // data category id
        bytes32 purpose; // purpose id
        uint64 revocationTime; // when it was revoked, 0 = not revoked
    }

    /// @notice The purpose id reserved for data routes (keccak256("data-route")): uses of such a
    /// consent are counted by the route registry (`IDataRoutes.consentUses`), one per publication
    /// or account link, so `recordUse` refuses them and `uses` stays 0.
    function ROUTE_PURPOSE() external view returns (bytes32);

    /// @notice The parameters of a grant, as signed in `Grant`.
    struct GrantRequest {
        address subject;
        address grantee;
        bytes32 scope;
        bytes32 purpose;
        uint64 validFrom;
        uint64 validUntil;
        uint32 maxUses;
    }

    /// @notice `subject` granted consent `id` to `grantee` for (`scope`, `purpose`); `by` acted.
    event ConsentGranted(
        bytes32 indexed id,
        address indexed subject,
        address indexed grantee,
        bytes32 scope,
        bytes32 purpose,
        uint64 validFrom,
        uint64 validUntil,
        uint32 maxUses,
        address by
    );

    /// @notice Consent `id` was revoked (finally) by `by` — or by a later grant for the same
    /// (subject, grantee, scope, purpose), which then is `by`.
    event ConsentRevoked(bytes32 indexed id, address indexed subject, address by);

    /// @notice `grantee` used consent `id` for the `use`-th time; `accessHash` identifies what was
    /// accessed (a hash, never the data). These events are the audit trail.
    event ConsentUsed(
        bytes32 indexed id, address indexed subject, address indexed grantee, bytes32 accessHash, uint32 use
    );

    /// @notice `caller` does not act for `identity` (neither its owner nor a valid sigAuth delegate).
    error ConsentUnauthorized(address identity, address caller);
    /// @notice The window is empty (`validUntil` set and before `validFrom`) or already over.
    error ConsentInvalidWindow(uint64 validFrom, uint64 validUntil);
    /// @notice Subject or grantee is the zero address.
    error ConsentZeroIdentity();
    /// @notice No consent has id `id`.
    error ConsentNotFound(bytes32 id);
    /// @notice Consent `id` was revoked at `revocationTime`.
    error ConsentRevokedAlready(bytes32 id, uint64 revocationTime);
    /// @notice Consent `id` is not valid before `validFrom`.
    error ConsentNotYetValid(bytes32 id, uint64 validFrom);
    /// @notice Consent `id` expired after `validUntil`.
    error ConsentExpired(bytes32 id, uint64 validUntil);
    /// @notice Consent `id` is for ROUTE_PURPOSE: the route registry counts its uses, not `recordUse`.
    error ConsentRouteUse(bytes32 id);
    /// @notice Consent `id` has used all its `maxUses` uses.
    error ConsentExhausted(bytes32 id, uint32 maxUses);
    /// @notice The subject of consent `id` was deactivated.
    error ConsentSubjectDeactivated(bytes32 id, address subject);
    /// @notice A signed action was submitted after its `deadline`.
    error ConsentSignatureExpired(uint256 deadline);
    /// @notice The signature does not verify for `signer`.
    error ConsentInvalidSignature(address signer);

    /// @notice Grants a consent; the caller must act for `request.subject`. Returns its id.
    /// @dev A live (unrevoked) consent for the same (subject, grantee, scope, purpose) is
    /// revoked by this grant: at most one unrevoked consent per tuple.
    function grant(GrantRequest calldata request) external returns (bytes32 id);

    /// @notice Grants a consent signed by `signer`, who must act for the subject. Anyone may relay.
    /// Signs `Grant(address subject,address grantee,bytes32 scope,bytes32 purpose,uint64 validFrom,
    /// uint64 validUntil,uint32 maxUses,address signer,uint256 nonce,uint256 deadline)`.
    function grantBySig(
        GrantRequest calldata request,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 id);

    /// @notice Revokes consent `id` for good; the caller must act for its subject.
    function revoke(bytes32 id) external;

    /// @notice Revokes consent `id` as signed by `signer`. Anyone may relay.
    /// Signs `Revoke(bytes32 id,address signer,uint256 nonce,uint256 deadline)`.
    function revokeBySig(bytes32 id, address signer, uint256 nonce, uint256 deadline, bytes calldata signature)
        external;

    /// @notice Records a use of live consent `id`; the caller must act for its grantee.
    /// Reverts when the consent is not live (revoked, outside its window, exhausted,
    /// subject deactivated). Returns the use number (1 for the first).
    function recordUse(bytes32 id, bytes32 accessHash) external returns (uint32 use);

    /// @notice Whether `grantee` may now use `scope` of `subject` for `purpose` (false once the
    /// subject's or the grantee's DID is deactivated).
    function isAuthorized(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bool);

    /// @notice Whether consent `id` is live now (exists, unrevoked, in its window, uses left,
    /// subject and grantee active). A deactivated grantee cannot record uses either: it has no actor.
    function isLive(bytes32 id) external view returns (bool);

    /// @notice The consent most recently granted for the tuple (zero if none).
    function currentConsent(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bytes32);

    /// @notice The record of consent `id` (reverts with ConsentNotFound if none).
    function getConsent(bytes32 id) external view returns (Consent memory);

    /// @notice How many consents `subject` ever had granted.
    function consentCount(address subject) external view returns (uint256);

    /// @notice The ids of `subject`'s consents `[start, start + count)` in grant order (clipped).
    function consentIds(address subject, uint256 start, uint256 count) external view returns (bytes32[] memory);

    /// @notice Whether `actor` acts for `identity` (owner or valid sigAuth delegate).
    function actsFor(address identity, address actor) external view returns (bool);

    /// @notice The ERC-1056 registry consulted for owners and delegates.
    function identityRegistry() external view returns (address);

    /// @notice The per-signer nonce of the signed actions.
    function nonces(address signer) external view returns (uint256);

    /// @notice The contract's semantic version.
    function version() external pure returns (string memory);
}
