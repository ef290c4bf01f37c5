// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IConsentRegistry — GDPR-style consent records with usage receipts, one slot per tuple
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
/// message and must act for the subject when the signature is checked; a deadline equal to the
/// block time is still valid. No nonce is stored: a signed grant names the serial the new consent
/// takes (the tuple's next, `getConsent(key).serial + 1`), so it is stale once used or once another
/// grant of the tuple came first (`ConsentGrantSuperseded`) — granting or revoking directly is how
/// a subject withdraws a signature it handed out; a signed revocation names one consent id, which
/// is revoked once (`ConsentRevokedAlready` on a replay).
interface IConsentRegistry {
    /// @notice Which consent: the (subject, grantee, scope, purpose) tuple. Each tuple has at most
    /// one current consent; a new grant for it replaces (and revokes) the previous one.
    struct ConsentKey {
        address subject; // the data subject's DID identity
        address grantee; // the organisation's DID identity
        bytes32 scope; // data category id
        bytes32 purpose; // purpose id
    }

    /// @notice The current consent of a tuple, as stored in its one slot. Times are UNIX seconds;
    /// 0 means "none". The grant time is the block of the `ConsentGranted` event, which (with the
    /// `ConsentRevoked` and `ConsentUsed` events) is also the history of earlier consents.
    struct Consent {
        bytes32 id; // keccak256(abi.encode(keccak256(abi.encode(key)), serial))
        uint64 validFrom; // first second the consent is usable
        uint64 validUntil; // last second the consent is usable, 0 = no end
        uint32 maxUses; // maximum recorded uses, 0 = unlimited
        uint32 uses; // uses recorded so far
        uint32 serial; // 1 for the tuple's first grant, 2 for the next, ...
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
    /// @notice The window is empty (`validUntil` set and before `validFrom`), already over, or
    /// ends after the year 36812 (times are stored in 40 bits).
    error ConsentInvalidWindow(uint64 validFrom, uint64 validUntil);
    /// @notice Subject or grantee is the zero address.
    error ConsentZeroIdentity();
    /// @notice The tuple has never had a consent.
    error ConsentNotGranted(address subject, address grantee, bytes32 scope, bytes32 purpose);
    /// @notice Consent `id` is not the tuple's current consent: a later grant replaced (and
    /// revoked) it, or it is another tuple's.
    error ConsentNotCurrent(bytes32 id, bytes32 current);
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
    /// @notice A signed grant for the tuple's consent number `signedSerial` arrived when the next is
    /// `nextSerial`: it was used already, or another grant of the tuple came first.
    error ConsentGrantSuperseded(uint32 signedSerial, uint32 nextSerial);

    /// @notice Grants a consent; the caller must act for `request.subject`. Returns its id.
    /// @dev A live (unrevoked) consent for the same (subject, grantee, scope, purpose) is
    /// revoked by this grant: at most one unrevoked consent per tuple.
    function grant(GrantRequest calldata request) external returns (bytes32 id);

    /// @notice Grants the tuple's consent number `serial` (its next), signed by `signer`, who must
    /// act for the subject. Anyone may relay. Signs `Grant(address subject,address grantee,bytes32
    /// scope,bytes32 purpose,uint64 validFrom,uint64 validUntil,uint32 maxUses,uint32 serial,address
    /// signer,uint256 deadline)`.
    function grantBySig(
        GrantRequest calldata request,
        uint32 serial,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 id);

    /// @notice Revokes consent `id`, the current consent of `key`, for good; the caller must act for
    /// its subject. Naming both means a call can never revoke a later grant it did not mean.
    function revoke(ConsentKey calldata key, bytes32 id) external;

    /// @notice Revokes consent `id`, the current consent of `key`, as signed by `signer`. Anyone
    /// may relay. Signs `Revoke(bytes32 id,address signer,uint256 deadline)`: the signature names
    /// one consent, so it cannot revoke a later grant for the same tuple.
    function revokeBySig(
        ConsentKey calldata key,
        bytes32 id,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Records a use of consent `id`, the current consent of `key`; the caller must act for
    /// its grantee. Reverts when the consent is not live (revoked, outside its window, exhausted,
    /// subject deactivated). Returns the use number (1 for the first).
    function recordUse(ConsentKey calldata key, bytes32 id, bytes32 accessHash) external returns (uint32 use);

    /// @notice Whether `grantee` may now use `scope` of `subject` for `purpose` (false once the
    /// subject's or the grantee's DID is deactivated).
    function isAuthorized(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bool);

    /// @notice Whether consent `id` is the current consent of `key` and live now (unrevoked, in its
    /// window, uses left, subject and grantee active).
    function isLive(ConsentKey calldata key, bytes32 id) external view returns (bool);

    /// @notice The tuple's current consent if it is live now (its id, serial and use limit), else zeros.
    function liveConsent(ConsentKey calldata key) external view returns (bytes32 id, uint32 serial, uint32 maxUses);

    /// @notice The consent most recently granted for the tuple (zero if none).
    function currentConsent(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bytes32);

    /// @notice The tuple's current consent (reverts with ConsentNotGranted if it never had one).
    function getConsent(ConsentKey calldata key) external view returns (Consent memory);

    /// @notice The id of the tuple's `serial`-th consent.
    function consentId(ConsentKey calldata key, uint32 serial) external pure returns (bytes32);

    /// @notice Whether `actor` acts for `identity` (owner or valid sigAuth delegate).
    function actsFor(address identity, address actor) external view returns (bool);

    /// @notice The ERC-1056 registry consulted for owners and delegates.
    function identityRegistry() external view returns (address);


    /// @notice The contract's semantic version.
    function version() external pure returns (string memory);
}
