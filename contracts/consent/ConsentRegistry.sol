// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Signatures} from "../utils/Signatures.sol";
import {IConsentRegistry} from "../interfaces/IConsentRegistry.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {DIDActors} from "../utils/DIDActors.sol";
import {ConsentKeys} from "../utils/ConsentKeys.sol";

/// @title ConsentRegistry — consent records with signed relay and usage receipts
/// @notice See IConsentRegistry. Only DIDs and hashes are stored, passed or logged.
///
/// Invariants:
/// - One storage slot per (subject, grantee, scope, purpose) tuple holds its current consent;
///   everything else about a consent is in its `ConsentGranted` event and its id.
/// - A consent id is unique: keccak256 of the tuple's key and the tuple's grant serial.
/// - Only an actor for the subject (owner or valid "sigAuth" delegate) grants or revokes, directly
///   or by signature; only an actor for the grantee records uses.
/// - Revocation is final: a revoked consent never becomes live again, and is never un-revoked.
/// - For each (subject, grantee, scope, purpose) at most one consent is unrevoked: the current one.
/// - isAuthorized(tuple) == isLive(currentConsent(tuple)).
/// - A consent is live only in [validFrom, validUntil] (validUntil 0 = no end), unrevoked, with
///   uses < maxUses (maxUses 0 = unlimited), and while its subject is not deactivated.
/// - uses only grows, by one per recordUse, and never exceeds maxUses when maxUses > 0.
/// - Each signature is used once, with no nonce to store: a signed grant binds the serial the new
///   consent takes (the tuple's next), so once used — or once any other grant of the tuple came
///   first — it is stale; a signed revocation names one consent id, which can be revoked once.
///   Both bind this chain, this contract and a deadline.
/// - A subject's consents are enumerated from the `ConsentGranted` events (indexed by subject).
contract ConsentRegistry is IConsentRegistry, DIDActors, EIP712 {
    /// @inheritdoc IConsentRegistry
    bytes32 public constant ROUTE_PURPOSE = keccak256("data-route");
    /// @dev keccak256("Grant(address subject,address grantee,bytes32 scope,bytes32 purpose,uint64 validFrom,uint64 validUntil,uint32 maxUses,uint32 serial,address signer,uint256 deadline)")
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address subject,address grantee,bytes32 scope,bytes32 purpose,uint64 validFrom,uint64 validUntil,uint32 maxUses,uint32 serial,address signer,uint256 deadline)"
    );
    /// @dev keccak256("Revoke(bytes32 id,address signer,uint256 deadline)")
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 id,address signer,uint256 deadline)");

    /// @dev The current consent of a tuple: one slot (40 + 40 + 32 + 32 + 32 + 40 bits).
    struct Record {
        uint40 validFrom;
        uint40 validUntil;
        uint32 maxUses;
        uint32 uses;
        uint32 serial; // 0 = the tuple never had a consent
        uint40 revokedAt;
    }

    mapping(bytes32 tupleKey => Record) private _records;

    /// @param identities the ERC-1056 registry of DIDs (owners, delegates, deactivation).
    constructor(IERC1056 identities) DIDActors(identities, "sigAuth") EIP712("TheKey Consent", "1") {}

    // -- grant ----------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function grant(GrantRequest calldata request) external returns (bytes32) {
        _checkActsFor(request.subject, msg.sender);
        return _grant(request, msg.sender, 0);
    }

    /// @inheritdoc IConsentRegistry
    function grantBySig(
        GrantRequest calldata request,
        uint32 serial,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32) {
        _checkSignature(keccak256(abi.encode(GRANT_TYPEHASH, request, serial, signer, deadline)), signer, deadline, signature);
        _checkActsFor(request.subject, signer);
        return _grant(request, signer, serial);
    }

    /// @dev Grants the tuple's next consent; `signedSerial` (0 for a direct grant) must be that serial.
    function _grant(GrantRequest calldata r, address by, uint32 signedSerial) internal returns (bytes32 id) {
        if (r.subject == address(0) || r.grantee == address(0)) revert ConsentZeroIdentity();
        uint64 now_ = _time();
        uint64 validFrom = r.validFrom == 0 ? now_ : r.validFrom;
        uint64 validUntil = r.validUntil;
        if (
            (validUntil != 0 && (validUntil < validFrom || validUntil < now_)) || validUntil > type(uint40).max
                || validFrom > type(uint40).max
        ) revert ConsentInvalidWindow(validFrom, validUntil);
        bytes32 key = ConsentKeys.tupleKey(r.subject, r.grantee, r.scope, r.purpose);
        Record storage record = _records[key];
        uint32 serial = record.serial;
        if (signedSerial != 0 && signedSerial != serial + 1) revert ConsentGrantSuperseded(signedSerial, serial + 1);
        if (serial != 0 && record.revokedAt == 0) emit ConsentRevoked(ConsentKeys.consentId(key, serial), r.subject, by);
        ++serial; // checked: 2**32 grants for one tuple cannot happen
        _records[key] = Record(uint40(validFrom), uint40(validUntil), r.maxUses, 0, serial, 0);
        id = ConsentKeys.consentId(key, serial);
        _emitGranted(id, r, validFrom, by);
    }

    function _emitGranted(bytes32 id, GrantRequest calldata r, uint64 validFrom, address by) internal {
        emit ConsentGranted(id, r.subject, r.grantee, r.scope, r.purpose, validFrom, r.validUntil, r.maxUses, by);
    }

    // -- revoke ---------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function revoke(ConsentKey calldata key, bytes32 id) external {
        _revokeNamed(key, id, msg.sender);
    }

    /// @inheritdoc IConsentRegistry
    function revokeBySig(
        ConsentKey calldata key,
        bytes32 id,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkSignature(keccak256(abi.encode(REVOKE_TYPEHASH, id, signer, deadline)), signer, deadline, signature);
        _revokeNamed(key, id, signer);
    }

    function _revokeNamed(ConsentKey calldata key, bytes32 id, address by) internal {
        Record storage record = _named(key, id);
        address subject = key.subject;
        uint40 revoked = record.revokedAt;
        if (revoked != 0) revert ConsentRevokedAlready(id, revoked);
        _checkActsFor(subject, by);
        record.revokedAt = uint40(_time());
        emit ConsentRevoked(id, subject, by);
    }

    // -- use ------------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function recordUse(ConsentKey calldata key, bytes32 id, bytes32 accessHash) external returns (uint32 use) {
        Record storage record = _named(key, id);
        address grantee = key.grantee;
        _checkActsFor(grantee, msg.sender);
        if (key.purpose == ROUTE_PURPOSE) revert ConsentRouteUse(id);
        Record memory r = record;
        address subject = key.subject;
        if (r.revokedAt != 0) revert ConsentRevokedAlready(id, r.revokedAt);
        uint64 now_ = _time();
        if (now_ < r.validFrom) revert ConsentNotYetValid(id, r.validFrom);
        if (r.validUntil != 0 && now_ > r.validUntil) revert ConsentExpired(id, r.validUntil);
        if (r.maxUses != 0 && r.uses >= r.maxUses) revert ConsentExhausted(id, r.maxUses);
        if (!_isActive(subject)) revert ConsentSubjectDeactivated(id, subject);
        // cannot overflow: uses stays below maxUses when maxUses > 0, and an unlimited consent
        // reaching 2**32 - 1 uses would need 4 billion transactions.
        unchecked {
            use = r.uses + 1;
        }
        record.uses = use;
        emit ConsentUsed(id, subject, grantee, accessHash, use);
    }

    // -- reads ----------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function isAuthorized(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bool)
    {
        return _isLive(_records[ConsentKeys.tupleKey(subject, grantee, scope, purpose)], subject) && _isActive(grantee);
    }

    /// @inheritdoc IConsentRegistry
    function isLive(ConsentKey calldata key, bytes32 id) external view returns (bool) {
        bytes32 k = _keyOf(key);
        Record storage record = _records[k];
        uint32 serial = record.serial;
        return serial != 0 && ConsentKeys.consentId(k, serial) == id && _isLive(record, key.subject) && _isActive(key.grantee);
    }

    /// @inheritdoc IConsentRegistry
    function liveConsent(ConsentKey calldata key) external view returns (bytes32 id, uint32 serial, uint32 maxUses) {
        bytes32 k = _keyOf(key);
        Record storage record = _records[k];
        if (_isLive(record, key.subject) && _isActive(key.grantee)) {
            serial = record.serial;
            return (ConsentKeys.consentId(k, serial), serial, record.maxUses);
        }
    }

    /// @inheritdoc IConsentRegistry
    function currentConsent(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bytes32)
    {
        bytes32 k = ConsentKeys.tupleKey(subject, grantee, scope, purpose);
        uint32 serial = _records[k].serial;
        if (serial != 0) return ConsentKeys.consentId(k, serial);
    }

    /// @inheritdoc IConsentRegistry
    function getConsent(ConsentKey calldata key) external view returns (Consent memory c) {
        (Record storage record, bytes32 id) = _current(key);
        Record memory r = record;
        c = Consent(id, r.validFrom, r.validUntil, r.maxUses, r.uses, r.serial, r.revokedAt);
    }

    /// @inheritdoc IConsentRegistry
    function consentId(ConsentKey calldata key, uint32 serial) external pure returns (bytes32) {
        return ConsentKeys.consentId(_keyOf(key), serial);
    }

    /// @inheritdoc IConsentRegistry
    function actsFor(address identity, address actor) external view returns (bool) {
        return _actsFor(identity, actor);
    }

    /// @inheritdoc IConsentRegistry
    function identityRegistry() external view returns (address) {
        return address(_identities);
    }

    /// @inheritdoc IConsentRegistry
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    // -- internals ------------------------------------------------------------------------

    /// @dev The tuple's record, which must hold consent `id`.
    function _named(ConsentKey calldata key, bytes32 id) internal view returns (Record storage record) {
        bytes32 current;
        (record, current) = _current(key);
        if (current != id) revert ConsentNotCurrent(id, current);
    }

    /// @dev The tuple's record and its current consent id; reverts if it never had a consent.
    function _current(ConsentKey calldata key) internal view returns (Record storage record, bytes32 id) {
        bytes32 k = _keyOf(key);
        record = _records[k];
        uint32 serial = record.serial;
        if (serial == 0) revert ConsentNotGranted(key.subject, key.grantee, key.scope, key.purpose);
        id = ConsentKeys.consentId(k, serial);
    }

    function _isLive(Record storage record, address subject) internal view returns (bool) {
        Record memory r = record;
        if (r.serial == 0 || r.revokedAt != 0) return false;
        uint64 now_ = _time();
        if (now_ < r.validFrom || (r.validUntil != 0 && now_ > r.validUntil)) return false;
        if (r.maxUses != 0 && r.uses >= r.maxUses) return false;
        return _isActive(subject);
    }

    function _checkActsFor(address identity, address actor) internal view {
        if (!_actsFor(identity, actor)) revert ConsentUnauthorized(identity, actor);
    }

    function _checkSignature(bytes32 structHash, address signer, uint256 deadline, bytes calldata signature)
        internal
        view
    {
        if (_time() > deadline) revert ConsentSignatureExpired(deadline);
        if (!Signatures.isValidNow(signer, _hashTypedDataV4(structHash), signature)) {
            revert ConsentInvalidSignature(signer);
        }
    }

    function _keyOf(ConsentKey calldata key) internal pure returns (bytes32) {
        return ConsentKeys.tupleKey(key.subject, key.grantee, key.scope, key.purpose);
    }
}
