// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {SuiteAdmin} from "../governance/SuiteAdmin.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Signatures} from "../utils/Signatures.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {SignerNonces} from "../utils/SignerNonces.sol";
import {IConsentRegistry} from "../interfaces/IConsentRegistry.sol";
import {IDataRoutes} from "../interfaces/IDataRoutes.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {DIDActors} from "../utils/DIDActors.sol";

/// @title DataRoutes — the consent-gated data route between organisations
/// @notice See IDataRoutes. Only DIDs, category ids, salted digests and keyed hashes are stored.
///
/// Invariants:
/// - Only an organisation holding ORGANISATION_ROLE publishes or links, and only through an actor
///   for its DID (owner or valid "sigAuth" delegate), directly or by a one-time signature.
/// - A route for (subject, category) is written only while the subject's consent for the
///   organisation on (category, ROUTE_PURPOSE) is live, and each publication or link consumes one
///   of its uses: consentUses(id) <= maxUses when maxUses > 0.
/// - A route's updatedAt never decreases and is never in the future.
/// - routes(subject) lists each (organisation, category) once, in first-publication order.
/// - An account key is linked to one subject at a time; it is re-linked only after an unlink.
/// - A route or link reads as live only while its consent stands.
contract DataRoutes is IDataRoutes, DIDActors, SuiteAdmin, EIP712, SignerNonces {
    /// @inheritdoc IDataRoutes
    bytes32 public constant ORGANISATION_ROLE = keccak256("ORGANISATION_ROLE");
    /// @inheritdoc IDataRoutes
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @inheritdoc IDataRoutes
    bytes32 public constant ROUTE_PURPOSE = keccak256("data-route");
    /// @inheritdoc IDataRoutes
    bytes32 public constant ACCOUNT_LINK_SCOPE = keccak256("account-link");
    /// @dev keccak256("PublishRoute(address organisation,address subject,bytes32 category,bytes32 digest,uint64 updatedAt,address signer,uint256 nonce,uint256 deadline)")
    bytes32 public constant PUBLISH_TYPEHASH = keccak256(
        "PublishRoute(address organisation,address subject,bytes32 category,bytes32 digest,uint64 updatedAt,address signer,uint256 nonce,uint256 deadline)"
    );

    IConsentRegistry private immutable _consents;

    mapping(bytes32 routeId => Route) private _routes;
    mapping(address subject => bytes32[] routeIds) private _bySubject;
    mapping(address organisation => mapping(bytes32 accountKey => Link)) private _accounts;
    mapping(bytes32 consentId => uint32 uses) private _consentUses;

    struct Link {
        address subject;
        bytes32 consentId;
    }

    /// @param admin receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE (admits organisations).
    /// @param identities the ERC-1056 registry of DIDs.
    /// @param consents the consent registry checked before each publication.
    constructor(address admin, IERC1056 identities, IConsentRegistry consents)
        DIDActors(identities, "sigAuth")
        EIP712("TheKey Data Routes", "1")
        SuiteAdmin(admin)
    {
        _consents = consents;
        _setRoleAdmin(ORGANISATION_ROLE, GOVERNOR_ROLE);
        _grantRole(GOVERNOR_ROLE, admin);
    }

    /// @inheritdoc IDataRoutes
    function publish(RouteRequest calldata request) external returns (bytes32) {
        _checkOrganisationActor(request.organisation, msg.sender);
        return _publish(request, msg.sender);
    }

    /// @inheritdoc IDataRoutes
    function publishBySig(
        RouteRequest calldata request,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32) {
        if (_time() > deadline) revert RoutesSignatureExpired(deadline);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(PUBLISH_TYPEHASH, request, signer, nonce, deadline)));
        if (!Signatures.isValidNow(signer, digest, signature)) {
            revert RoutesInvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
        _checkOrganisationActor(request.organisation, signer);
        return _publish(request, signer);
    }

    function _publish(RouteRequest calldata r, address by) internal returns (bytes32 id) {
        if (r.subject == address(0) || r.digest == bytes32(0)) revert RoutesZeroValue();
        bytes32 consentId = _useConsent(r.subject, r.organisation, r.category);
        id = _routeId(r.subject, r.organisation, r.category);
        Route storage route = _routes[id];
        uint64 last = route.updatedAt;
        if (r.updatedAt == 0 || r.updatedAt < last || r.updatedAt > _time()) {
            revert RoutesInvalidUpdateTime(r.updatedAt, last);
        }
        if (last == 0) {
            route.organisation = r.organisation;
            route.subject = r.subject;
            route.category = r.category;
            _bySubject[r.subject].push(id);
        }
        route.updatedAt = r.updatedAt;
        route.digest = r.digest;
        route.consentId = consentId;
        emit RoutePublished(id, r.subject, r.organisation, r.category, r.digest, r.updatedAt, by);
    }

    /// @inheritdoc IDataRoutes
    function linkAccount(address organisation, bytes32 accountKey, address subject) external {
        _checkOrganisationActor(organisation, msg.sender);
        if (subject == address(0) || accountKey == bytes32(0)) revert RoutesZeroValue();
        address linked = _accounts[organisation][accountKey].subject;
        if (linked != address(0)) revert RoutesAccountAlreadyLinked(organisation, accountKey, linked);
        bytes32 consentId = _useConsent(subject, organisation, ACCOUNT_LINK_SCOPE);
        _accounts[organisation][accountKey] = Link(subject, consentId);
        emit AccountLinked(organisation, accountKey, subject);
    }

    /// @inheritdoc IDataRoutes
    function withdrawRoute(address subject, address organisation, bytes32 category) external {
        _checkParty(subject, organisation, msg.sender);
        bytes32 id = _routeId(subject, organisation, category);
        Route storage route = _routes[id];
        if (route.digest == bytes32(0)) revert RoutesNoRoute(id);
        route.digest = bytes32(0);
        route.consentId = bytes32(0);
        emit RouteWithdrawn(id, subject, organisation, msg.sender);
    }

    /// @inheritdoc IDataRoutes
    function unlinkAccount(address organisation, bytes32 accountKey) external {
        address subject = _accounts[organisation][accountKey].subject;
        if (subject == address(0)) revert RoutesAccountNotLinked(organisation, accountKey);
        _checkParty(subject, organisation, msg.sender);
        delete _accounts[organisation][accountKey];
        emit AccountUnlinked(organisation, accountKey, subject, msg.sender);
    }

    // -- reads ----------------------------------------------------------------------------

    /// @inheritdoc IDataRoutes
    function accountSubject(address organisation, bytes32 accountKey) external view returns (address) {
        Link storage link = _accounts[organisation][accountKey];
        address subject = link.subject;
        if (subject == address(0)) return address(0);
        IConsentRegistry.ConsentKey memory key =
            IConsentRegistry.ConsentKey(subject, organisation, ACCOUNT_LINK_SCOPE, ROUTE_PURPOSE);
        return _consents.isLive(key, link.consentId) ? subject : address(0);
    }

    /// @inheritdoc IDataRoutes
    function isRouteLive(bytes32 id) external view returns (bool) {
        Route storage route = _routes[id];
        if (route.digest == bytes32(0)) return false;
        IConsentRegistry.ConsentKey memory key =
            IConsentRegistry.ConsentKey(route.subject, route.organisation, route.category, ROUTE_PURPOSE);
        return _consents.isLive(key, route.consentId);
    }

    /// @inheritdoc IDataRoutes
    function consentUses(bytes32 consentId) external view returns (uint32) {
        return _consentUses[consentId];
    }

    /// @inheritdoc IDataRoutes
    function routeId(address subject, address organisation, bytes32 category) external pure returns (bytes32) {
        return _routeId(subject, organisation, category);
    }

    /// @inheritdoc IDataRoutes
    function getRoute(bytes32 id) external view returns (Route memory) {
        return _routes[id];
    }

    /// @inheritdoc IDataRoutes
    function routeCount(address subject) external view returns (uint256) {
        return _bySubject[subject].length;
    }

    /// @inheritdoc IDataRoutes
    function routes(address subject, uint256 start, uint256 count) external view returns (Route[] memory page) {
        bytes32[] storage ids = _bySubject[subject];
        uint256 n = ids.length;
        if (start >= n) return new Route[](0);
        if (count > n - start) count = n - start;
        page = new Route[](count);
        for (uint256 i; i < count; ++i) {
            page[i] = _routes[ids[start + i]];
        }
    }

    /// @inheritdoc IDataRoutes
    function consentRegistry() external view returns (address) {
        return address(_consents);
    }

    /// @inheritdoc IDataRoutes
    function nonces(address signer) public view override(IDataRoutes, Nonces) returns (uint256) {
        return super.nonces(signer);
    }

    /// @inheritdoc IDataRoutes
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    // -- internals ------------------------------------------------------------------------

    function _checkOrganisationActor(address organisation, address actor) internal view {
        if (!hasRole(ORGANISATION_ROLE, organisation)) revert RoutesUnregisteredOrganisation(organisation);
        if (!_actsFor(organisation, actor)) revert RoutesUnauthorized(organisation, actor);
    }

    /// @dev Consumes one use of the subject's live consent for `organisation` on (scope,
    /// ROUTE_PURPOSE). The consent registry refuses `recordUse` on such consents, so this count is
    /// the consent's only book of uses.
    function _useConsent(address subject, address organisation, bytes32 scope) internal returns (bytes32 id) {
        uint32 maxUses;
        (id, maxUses) = _consents.liveConsent(IConsentRegistry.ConsentKey(subject, organisation, scope, ROUTE_PURPOSE));
        if (id == bytes32(0)) revert RoutesNoConsent(subject, organisation, scope);
        uint32 used = _consentUses[id];
        if (maxUses != 0 && used >= maxUses) revert RoutesConsentExhausted(id, maxUses);
        // cannot overflow: bounded by maxUses, or 2**32 transactions on one unlimited consent
        unchecked {
            _consentUses[id] = used + 1;
        }
        emit RouteConsentUsed(id, used + 1);
    }

    function _checkParty(address subject, address organisation, address caller) internal view {
        if (!_actsFor(subject, caller) && !_actsFor(organisation, caller)) {
            revert RoutesNotAParty(subject, organisation, caller);
        }
    }

    function _routeId(address subject, address organisation, bytes32 category) internal pure returns (bytes32) {
        return keccak256(abi.encode(subject, organisation, category));
    }
}
