// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Signatures} from "../utils/Signatures.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SignerNonces} from "../utils/SignerNonces.sol";
import {IConsentRegistry} from "../interfaces/IConsentRegistry.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {DIDActors} from "../utils/DIDActors.sol";

/// @title ConsentRegistry — consent records with signed relay and usage receipts
/// @notice See IConsentRegistry. Only DIDs and hashes are stored, passed or logged.
///
/// Invariants:
/// - A consent id is unique: keccak256 of the consent's fields and the subject's consent counter.
/// - Only an actor for the subject (owner or valid "sigAuth" delegate) grants or revokes, directly
///   or by signature; only an actor for the grantee records uses.
/// - Revocation is final: a revoked consent never becomes live again, and is never un-revoked.
/// - For each (subject, grantee, scope, purpose) at most one consent is unrevoked: the current one.
/// - isAuthorized(tuple) == isLive(currentConsent(tuple)).
/// - A consent is live only in [validFrom, validUntil] (validUntil 0 = no end), unrevoked, with
///   uses < maxUses (maxUses 0 = unlimited), and while its subject is not deactivated.
/// - uses only grows, by one per recordUse, and never exceeds maxUses when maxUses > 0.
/// - Each signature is used once: it binds this chain, this contract, the signer's nonce and a deadline.
/// - consentIds(subject) lists every consent ever granted for subject, in grant order.
contract ConsentRegistry is IConsentRegistry, DIDActors, EIP712, SignerNonces {
    /// @inheritdoc IConsentRegistry
    bytes32 public constant ROUTE_PURPOSE = keccak256("data-route");
    /// @dev keccak256("Grant(address subject,address grantee,bytes32 scope,bytes32 purpose,uint64 validFrom,uint64 validUntil,uint32 maxUses,address signer,uint256 nonce,uint256 deadline)")
    bytes32 public constant GRANT_TYPEHASH = keccak256(
        "Grant(address subject,address grantee,bytes32 scope,bytes32 purpose,uint64 validFrom,uint64 validUntil,uint32 maxUses,address signer,uint256 nonce,uint256 deadline)"
    );
    /// @dev keccak256("Revoke(bytes32 id,address signer,uint256 nonce,uint256 deadline)")
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 id,address signer,uint256 nonce,uint256 deadline)");

    mapping(bytes32 id => Consent) private _consents;
    mapping(bytes32 tupleKey => bytes32 id) private _current;
    // slither-disable-next-line uninitialized-state — appended to through a `bytes32[] storage` pointer in _grant
    mapping(address subject => bytes32[] ids) private _bySubject;

    /// @param identities the ERC-1056 registry of DIDs (owners, delegates, deactivation).
    constructor(IERC1056 identities) DIDActors(identities, "sigAuth") EIP712("TheKey Consent", "1") {}

    // -- grant ----------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function grant(GrantRequest calldata request) external returns (bytes32) {
        _checkActsFor(request.subject, msg.sender);
        return _grant(request, msg.sender);
    }

    /// @inheritdoc IConsentRegistry
    function grantBySig(
        GrantRequest calldata request,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32) {
        _checkSignature(keccak256(abi.encode(GRANT_TYPEHASH, request, signer, nonce, deadline)), signer, nonce, deadline, signature);
        _checkActsFor(request.subject, signer);
        return _grant(request, signer);
    }

    function _grant(GrantRequest calldata r, address by) internal returns (bytes32 id) {
        if (r.subject == address(0) || r.grantee == address(0)) revert ConsentZeroIdentity();
        uint64 now_ = _time();
        uint64 validFrom = r.validFrom == 0 ? now_ : r.validFrom;
        if (r.validUntil != 0 && (r.validUntil < validFrom || r.validUntil < now_)) {
            revert ConsentInvalidWindow(validFrom, r.validUntil);
        }
        bytes32[] storage ids = _bySubject[r.subject];
        id = keccak256(
            abi.encode(r.subject, r.grantee, r.scope, r.purpose, validFrom, r.validUntil, r.maxUses, ids.length)
        );
        bytes32 key = _tupleKey(r.subject, r.grantee, r.scope, r.purpose);
        bytes32 previous = _current[key];
        if (previous != bytes32(0) && _consents[previous].revocationTime == 0) _revoke(previous, r.subject, by, now_);
        _consents[id] = Consent({
            subject: r.subject,
            validFrom: validFrom,
            maxUses: r.maxUses,
            grantee: r.grantee,
            validUntil: r.validUntil,
            uses: 0,
            scope: r.scope,
            purpose: r.purpose,
            revocationTime: 0
        });
        _current[key] = id;
        ids.push(id);
        emit ConsentGranted(id, r.subject, r.grantee, r.scope, r.purpose, validFrom, r.validUntil, r.maxUses, by);
    }

    // -- revoke ---------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function revoke(bytes32 id) external {
        _revokeChecked(id, msg.sender);
    }

    /// @inheritdoc IConsentRegistry
    function revokeBySig(bytes32 id, address signer, uint256 nonce, uint256 deadline, bytes calldata signature)
        external
    {
        _checkSignature(keccak256(abi.encode(REVOKE_TYPEHASH, id, signer, nonce, deadline)), signer, nonce, deadline, signature);
        _revokeChecked(id, signer);
    }

    function _revokeChecked(bytes32 id, address by) internal {
        Consent storage c = _consents[id];
        address subject = c.subject;
        if (subject == address(0)) revert ConsentNotFound(id);
        uint64 revoked = c.revocationTime;
        if (revoked != 0) revert ConsentRevokedAlready(id, revoked);
        _checkActsFor(subject, by);
        _revoke(id, subject, by, _time());
    }

    function _revoke(bytes32 id, address subject, address by, uint64 now_) internal {
        _consents[id].revocationTime = now_;
        emit ConsentRevoked(id, subject, by);
    }

    // -- use ------------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function recordUse(bytes32 id, bytes32 accessHash) external returns (uint32 use) {
        Consent storage c = _consents[id];
        address subject = c.subject;
        if (subject == address(0)) revert ConsentNotFound(id);
        address grantee = c.grantee;
        _checkActsFor(grantee, msg.sender);
        if (c.purpose == ROUTE_PURPOSE) revert ConsentRouteUse(id);
        uint32 uses = c.uses;
        _checkLive(id, subject, c.validFrom, c.maxUses, c.validUntil, uses, c.revocationTime);
        // cannot overflow: _checkLive bounds uses below maxUses when maxUses > 0, and a uint32
        // counter reaching 2**32 - 1 uses with maxUses == 0 would need 4 billion transactions.
        unchecked {
            use = uses + 1;
        }
        c.uses = use;
        emit ConsentUsed(id, subject, grantee, accessHash, use);
    }

    // -- reads ----------------------------------------------------------------------------

    /// @inheritdoc IConsentRegistry
    function isAuthorized(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bool)
    {
        return _isLive(_current[_tupleKey(subject, grantee, scope, purpose)]) && _isActive(grantee);
    }

    /// @inheritdoc IConsentRegistry
    function isLive(bytes32 id) external view returns (bool) {
        return _isLive(id) && _isActive(_consents[id].grantee);
    }

    /// @inheritdoc IConsentRegistry
    function currentConsent(address subject, address grantee, bytes32 scope, bytes32 purpose)
        external
        view
        returns (bytes32)
    {
        return _current[_tupleKey(subject, grantee, scope, purpose)];
    }

    /// @inheritdoc IConsentRegistry
    function getConsent(bytes32 id) external view returns (Consent memory c) {
        c = _consents[id];
        if (c.subject == address(0)) revert ConsentNotFound(id);
    }

    /// @inheritdoc IConsentRegistry
    function consentCount(address subject) external view returns (uint256) {
        return _bySubject[subject].length;
    }

    /// @inheritdoc IConsentRegistry
    function consentIds(address subject, uint256 start, uint256 count) external view returns (bytes32[] memory page) {
        bytes32[] storage ids = _bySubject[subject];
        uint256 n = ids.length;
        if (start >= n) return new bytes32[](0);
        if (count > n - start) count = n - start;
        page = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            page[i] = ids[start + i];
        }
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
    function nonces(address signer) public view override(IConsentRegistry, Nonces) returns (uint256) {
        return super.nonces(signer);
    }

    /// @inheritdoc IConsentRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    // -- internals ------------------------------------------------------------------------

    function _isLive(bytes32 id) internal view returns (bool) {
        Consent storage c = _consents[id];
        address subject = c.subject;
        if (subject == address(0) || c.revocationTime != 0) return false;
        uint64 now_ = _time();
        if (now_ < c.validFrom) return false;
        uint64 until = c.validUntil;
        if (until != 0 && now_ > until) return false;
        uint32 maxUses = c.maxUses;
        if (maxUses != 0 && c.uses >= maxUses) return false;
        return _isActive(subject);
    }

    function _checkLive(
        bytes32 id,
        address subject,
        uint64 validFrom,
        uint32 maxUses,
        uint64 validUntil,
        uint32 uses,
        uint64 revocationTime
    ) internal view {
        if (revocationTime != 0) revert ConsentRevokedAlready(id, revocationTime);
        uint64 now_ = _time();
        if (now_ < validFrom) revert ConsentNotYetValid(id, validFrom);
        if (validUntil != 0 && now_ > validUntil) revert ConsentExpired(id, validUntil);
        if (maxUses != 0 && uses >= maxUses) revert ConsentExhausted(id, maxUses);
        if (!_isActive(subject)) revert ConsentSubjectDeactivated(id, subject);
    }

    function _checkActsFor(address identity, address actor) internal view {
        if (!_actsFor(identity, actor)) revert ConsentUnauthorized(identity, actor);
    }

    function _checkSignature(bytes32 structHash, address signer, uint256 nonce, uint256 deadline, bytes calldata signature)
        internal
    {
        if (_time() > deadline) revert ConsentSignatureExpired(deadline);
        if (!Signatures.isValidNow(signer, _hashTypedDataV4(structHash), signature)) {
            revert ConsentInvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
    }

    function _tupleKey(address subject, address grantee, bytes32 scope, bytes32 purpose)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(subject, grantee, scope, purpose));
    }
}
