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
import {ConsentKeys} from "../utils/ConsentKeys.sol";

/// @title DataRoutes — the consent-gated data route between organisations
/// @notice See IDataRoutes. Only DIDs, category ids, salted digests and keyed hashes are stored.
///
/// Invariants:
/// - Only an organisation holding ORGANISATION_ROLE publishes or links, and only through an actor
///   for its DID (owner or valid "sigAuth" delegate), directly or by a one-time signature.
/// - A route for (subject, category) is written only while the subject's consent for the
///   organisation on (category, ROUTE_PURPOSE) is live, and each publication or link consumes one
///   of its uses: the count of the consent on the book never exceeds its maxUses when maxUses > 0,
///   and a new consent (a new serial) starts its own count.
/// - A route's updatedAt never decreases and is never in the future.
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

    /// @dev Per consent tuple key (subject, organisation, scope, ROUTE_PURPOSE), which for a route's
    /// category is also the route's id: the book of the consent last used and the route's state.
    mapping(bytes32 tupleKey => Book) private _books;
    mapping(bytes32 routeId => bytes32 digest) private _digests;
    mapping(address organisation => mapping(bytes32 accountKey => Link)) private _accounts;

    /// @dev One slot: the serial of the consent last used, its uses counted here, and (for a
    /// route) when the organisation's data last changed.
    struct Book {
        uint32 serial;
        uint32 uses;
        uint64 updatedAt;
    }

    /// @dev One slot: the linked subject and the serial of the account-link consent the link used.
    struct Link {
        address subject;
        uint32 serial;
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
    function publishWithConsent(
        RouteRequest calldata request,
        IConsentRegistry.GrantRequest calldata consent,
        uint32 serial,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32) {
        _checkOrganisationActor(request.organisation, msg.sender);
        if (
            consent.subject != request.subject || consent.grantee != request.organisation
                || consent.scope != request.category || consent.purpose != ROUTE_PURPOSE
        ) revert RoutesConsentMismatch(consent.subject, consent.grantee, consent.scope, consent.purpose);
        // slither-disable-next-line unused-return — the consent's id is read back by `_useConsent`
        _consents.grantBySig(consent, serial, signer, deadline, signature);
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
        id = ConsentKeys.tupleKey(r.subject, r.organisation, r.category, ROUTE_PURPOSE);
        uint64 last = _books[id].updatedAt;
        if (r.updatedAt == 0 || r.updatedAt < last || r.updatedAt > _time()) {
            revert RoutesInvalidUpdateTime(r.updatedAt, last);
        }
        _useConsent(id, r.subject, r.organisation, r.category, r.updatedAt);
        _digests[id] = r.digest;
        emit RoutePublished(id, r.subject, r.organisation, r.category, r.digest, r.updatedAt, by);
    }

    /// @inheritdoc IDataRoutes
    function linkAccount(address organisation, bytes32 accountKey, address subject) external {
        _checkOrganisationActor(organisation, msg.sender);
        if (subject == address(0) || accountKey == bytes32(0)) revert RoutesZeroValue();
        address linked = _accounts[organisation][accountKey].subject;
        if (linked != address(0)) revert RoutesAccountAlreadyLinked(organisation, accountKey, linked);
        bytes32 k = ConsentKeys.tupleKey(subject, organisation, ACCOUNT_LINK_SCOPE, ROUTE_PURPOSE);
        uint32 serial = _useConsent(k, subject, organisation, ACCOUNT_LINK_SCOPE, 0);
        _accounts[organisation][accountKey] = Link(subject, serial);
        emit AccountLinked(organisation, accountKey, subject);
    }

    /// @inheritdoc IDataRoutes
    function withdrawRoute(address subject, address organisation, bytes32 category) external {
        _checkParty(subject, organisation, msg.sender);
        bytes32 id = ConsentKeys.tupleKey(subject, organisation, category, ROUTE_PURPOSE);
        if (_digests[id] == bytes32(0)) revert RoutesNoRoute(id);
        delete _digests[id];
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
        Link memory link = _accounts[organisation][accountKey];
        if (link.subject == address(0)) return address(0);
        bytes32 k = ConsentKeys.tupleKey(link.subject, organisation, ACCOUNT_LINK_SCOPE, ROUTE_PURPOSE);
        return _isLive(k, link.subject, organisation, ACCOUNT_LINK_SCOPE, link.serial) ? link.subject : address(0);
    }

    /// @inheritdoc IDataRoutes
    function isRouteLive(address subject, address organisation, bytes32 category) external view returns (bool) {
        bytes32 id = ConsentKeys.tupleKey(subject, organisation, category, ROUTE_PURPOSE);
        return _digests[id] != bytes32(0) && _isLive(id, subject, organisation, category, _books[id].serial);
    }

    /// @inheritdoc IDataRoutes
    function consentUses(address subject, address organisation, bytes32 scope)
        external
        view
        returns (bytes32 consentId, uint32 uses)
    {
        bytes32 k = ConsentKeys.tupleKey(subject, organisation, scope, ROUTE_PURPOSE);
        Book memory book = _books[k];
        if (book.serial != 0) return (ConsentKeys.consentId(k, book.serial), book.uses);
    }

    /// @inheritdoc IDataRoutes
    function routeId(address subject, address organisation, bytes32 category) external pure returns (bytes32) {
        return ConsentKeys.tupleKey(subject, organisation, category, ROUTE_PURPOSE);
    }

    /// @inheritdoc IDataRoutes
    function getRoute(address subject, address organisation, bytes32 category) external view returns (Route memory r) {
        bytes32 id = ConsentKeys.tupleKey(subject, organisation, category, ROUTE_PURPOSE);
        Book memory book = _books[id];
        if (book.updatedAt == 0) return r;
        return Route(
            organisation, book.updatedAt, subject, category, _digests[id], ConsentKeys.consentId(id, book.serial), book.uses
        );
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
        return "2.0.0";
    }

    // -- internals ------------------------------------------------------------------------

    function _checkOrganisationActor(address organisation, address actor) internal view {
        if (!hasRole(ORGANISATION_ROLE, organisation)) revert RoutesUnregisteredOrganisation(organisation);
        if (!_actsFor(organisation, actor)) revert RoutesUnauthorized(organisation, actor);
    }

    /// @dev Consumes one use of the subject's live consent for `organisation` on (scope,
    /// ROUTE_PURPOSE), whose tuple key is `k`, and records `updatedAt` (zero for a link) on its book.
    /// The consent registry refuses `recordUse` on such consents, so this count is the consent's
    /// only book of uses; a new consent (a new serial) starts a new count.
    function _useConsent(bytes32 k, address subject, address organisation, bytes32 scope, uint64 updatedAt)
        internal
        returns (uint32 serial)
    {
        bytes32 id;
        uint32 maxUses;
        (id, serial, maxUses) =
            _consents.liveConsent(IConsentRegistry.ConsentKey(subject, organisation, scope, ROUTE_PURPOSE));
        if (id == bytes32(0)) revert RoutesNoConsent(subject, organisation, scope);
        Book memory book = _books[k];
        uint32 used = book.serial == serial ? book.uses : 0;
        if (maxUses != 0 && used >= maxUses) revert RoutesConsentExhausted(id, maxUses);
        // cannot overflow: bounded by maxUses, or 2**32 transactions on one unlimited consent
        unchecked {
            ++used;
        }
        _books[k] = Book(serial, used, updatedAt == 0 ? book.updatedAt : updatedAt);
        emit RouteConsentUsed(id, used);
    }

    /// @dev Whether consent number `serial` of the tuple (subject, organisation, scope,
    /// ROUTE_PURPOSE), whose key is `k`, is the tuple's current consent and live.
    function _isLive(bytes32 k, address subject, address organisation, bytes32 scope, uint32 serial)
        internal
        view
        returns (bool)
    {
        if (serial == 0) return false;
        IConsentRegistry.ConsentKey memory key = IConsentRegistry.ConsentKey(subject, organisation, scope, ROUTE_PURPOSE);
        return _consents.isLive(key, ConsentKeys.consentId(k, serial));
    }

    function _checkParty(address subject, address organisation, address caller) internal view {
        if (!_actsFor(subject, caller) && !_actsFor(organisation, caller)) {
            revert RoutesNotAParty(subject, organisation, caller);
        }
    }
}
