// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IConsentRegistry} from "./IConsentRegistry.sol";

/// @title IDataRoutes — which organisation holds which category of data about a DID
/// @notice The on-chain "data route": organisations admitted by governance (ORGANISATION_ROLE,
/// administered by GOVERNOR_ROLE) publish, per subject DID and data category, that they hold
/// data with a given `digest` (a salted hash of the data, never the data) last updated at
/// `updatedAt`. Anyone can read which organisations hold which categories for a DID; the data
/// itself moves off chain, under consent.
///
/// An organisation is a DID (its identity address holds ORGANISATION_ROLE); its owner or a valid
/// "sigAuth" delegate acts for it, directly or by an EIP-712 signature that anyone may relay
/// (domain "TheKey Data Routes" / "1").
///
/// Publishing a route for (subject, category) needs the subject's live consent for the
/// organisation with scope = `category` and purpose = ROUTE_PURPOSE (keccak256("data-route")).
/// Linking a local account needs the same with scope = ACCOUNT_LINK_SCOPE
/// (keccak256("account-link")). Each publication and each link consumes one use of that consent:
/// the route registry keeps the count (`consentUses`; the consent registry refuses `recordUse` on
/// ROUTE_PURPOSE consents), and it never exceeds the consent's `maxUses` (a one-use consent
/// allows exactly one publication or link). A route and a link remember the consent they
/// rest on and read as live only while it stands (not revoked, inside its window, subject and
/// organisation not deactivated). The subject (or an actor for it) or the organisation withdraws
/// a route or unlinks an account at any time. Accounts are linked by keyed hash: HMAC-SHA256 of the local
/// account id under the organisation's own secret key, never the id itself.
///
/// Storage holds what a reader must check on chain and nothing more: per consent tuple (subject,
/// organisation, scope, ROUTE_PURPOSE) the serial of the consent last used, its use count and the
/// route's update time (one slot), and the route's digest (one slot). A route's id is that tuple's
/// key, `keccak256(abi.encode(subject, organisation, category, ROUTE_PURPOSE))` — the consent
/// registry's key of the consent it rests on. Which routes a subject has is read from the
/// `RoutePublished` / `RouteWithdrawn` events (the SDK and the audit index do), not from storage.
interface IDataRoutes {
    /// @notice A route as read back. `updatedAt` is when the organisation's data last changed
    /// (zero: never published); `digest` is zero once withdrawn; `consentId` is the consent the
    /// last publication consumed a use of, and `uses` how many uses of it this registry counted.
    struct Route {
        address organisation;
        uint64 updatedAt;
        address subject;
        bytes32 category;
        bytes32 digest;
        bytes32 consentId;
        uint32 uses;
    }

    /// @notice The parameters of a publication, as signed in `PublishRoute`.
    struct RouteRequest {
        address organisation;
        address subject;
        bytes32 category;
        bytes32 digest;
        uint64 updatedAt;
    }

    /// @notice `organisation` published (or updated) that it holds `category` of `subject`.
    event RoutePublished(
        bytes32 indexed routeId,
        address indexed subject,
        address indexed organisation,
        bytes32 category,
        bytes32 digest,
        uint64 updatedAt,
        address by
    );

    /// @notice `organisation` mapped one of its local accounts, by keyed hash, to `subject`.
    event AccountLinked(address indexed organisation, bytes32 indexed accountKey, address indexed subject);

    /// @notice The route `routeId` (of `subject` at `organisation`) was withdrawn by `by`.
    event RouteWithdrawn(bytes32 indexed routeId, address indexed subject, address indexed organisation, address by);

    /// @notice `by` removed the link of `accountKey` of `organisation` to `subject`.
    event AccountUnlinked(address indexed organisation, bytes32 indexed accountKey, address indexed subject, address by);

    /// @notice A publication or link consumed use number `use` (of the route registry's count) of consent `consentId`.
    event RouteConsentUsed(bytes32 indexed consentId, uint32 use);

    /// @notice Consent `consentId` has no use left: all `maxUses` are spent.
    error RoutesConsentExhausted(bytes32 consentId, uint32 maxUses);
    /// @notice There is no route `routeId` to withdraw (never published, or withdrawn).
    error RoutesNoRoute(bytes32 routeId);
    /// @notice `accountKey` of `organisation` is not linked.
    error RoutesAccountNotLinked(address organisation, bytes32 accountKey);
    /// @notice `caller` acts neither for the subject `subject` nor for the organisation `organisation`.
    error RoutesNotAParty(address subject, address organisation, address caller);

    /// @notice `organisation` is not admitted (lacks ORGANISATION_ROLE).
    error RoutesUnregisteredOrganisation(address organisation);
    /// @notice `caller` does not act for `organisation`.
    error RoutesUnauthorized(address organisation, address caller);
    /// @notice `subject` has no live consent for `organisation` on (`scope`, ROUTE_PURPOSE).
    error RoutesNoConsent(address subject, address organisation, bytes32 scope);
    /// @notice `updatedAt` is zero, in the future, or older than the route's `current` update time.
    error RoutesInvalidUpdateTime(uint64 updatedAt, uint64 current);
    /// @notice The subject is the zero address, or the digest or account key is zero.
    error RoutesZeroValue();
    /// @notice `accountKey` of `organisation` is already linked to `subject`.
    error RoutesAccountAlreadyLinked(address organisation, bytes32 accountKey, address subject);
    /// @notice The consent relayed with a publication is not for its (subject, organisation,
    /// category, ROUTE_PURPOSE).
    error RoutesConsentMismatch(address subject, address grantee, bytes32 scope, bytes32 purpose);
    /// @notice A signed action was submitted after its `deadline`.
    error RoutesSignatureExpired(uint256 deadline);
    /// @notice The signature does not verify for `signer`.
    error RoutesInvalidSignature(address signer);

    /// @notice Publishes or updates a route; the caller acts for `request.organisation`.
    function publish(RouteRequest calldata request) external returns (bytes32 routeId);

    /// @notice Publishes as signed by `signer`, who acts for the organisation. Anyone may relay.
    /// Signs `PublishRoute(address organisation,address subject,bytes32 category,bytes32 digest,
    /// uint64 updatedAt,address signer,uint256 nonce,uint256 deadline)`.
    function publishBySig(
        RouteRequest calldata request,
        address signer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 routeId);

    /// @notice Relays the subject's signed consent for this route (`consent`, signed by `signer` as
    /// for {IConsentRegistry-grantBySig}) and publishes in the same transaction; the caller acts
    /// for `request.organisation`. The consent must be exactly the route's: subject, grantee =
    /// organisation, scope = category, purpose = ROUTE_PURPOSE (`RoutesConsentMismatch`).
    function publishWithConsent(
        RouteRequest calldata request,
        IConsentRegistry.GrantRequest calldata consent,
        uint32 serial,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 routeId);

    /// @notice Maps `accountKey` (HMAC of a local account id) of `organisation` to `subject`; a
    /// linked key is re-linked only after `unlinkAccount`.
    function linkAccount(address organisation, bytes32 accountKey, address subject) external;

    /// @notice Withdraw the route (subject, organisation, category): its digest is cleared (its
    /// update time and consent use count stay). The caller acts for the subject or the organisation.
    function withdrawRoute(address subject, address organisation, bytes32 category) external;

    /// @notice Remove the link of `accountKey` of `organisation`. The caller acts for the linked
    /// subject or for the organisation.
    function unlinkAccount(address organisation, bytes32 accountKey) external;

    /// @notice The DID that `accountKey` of `organisation` is linked to, while the link's consent
    /// stands (zero if none, unlinked, or the consent was revoked or expired).
    function accountSubject(address organisation, bytes32 accountKey) external view returns (address);

    /// @notice Whether the route (subject, organisation, category) is published and its consent stands.
    function isRouteLive(address subject, address organisation, bytes32 category) external view returns (bool);

    /// @notice The consent of (subject, organisation, `scope`, ROUTE_PURPOSE) this registry last
    /// used (zero if none) and how many of its uses it consumed (publications and links).
    function consentUses(address subject, address organisation, bytes32 scope)
        external
        view
        returns (bytes32 consentId, uint32 uses);

    /// @notice The id of the route (subject, organisation, category): the key of its consent tuple.
    function routeId(address subject, address organisation, bytes32 category) external pure returns (bytes32);

    /// @notice The route (subject, organisation, category); all zero when never published.
    function getRoute(address subject, address organisation, bytes32 category) external view returns (Route memory);

    /// @notice The consent registry consulted before publishing and linking.
    function consentRegistry() external view returns (address);

    /// @notice The purpose a subject consents to for publication: keccak256("data-route").
    function ROUTE_PURPOSE() external view returns (bytes32);

    /// @notice The scope a subject consents to for account linking: keccak256("account-link").
    function ACCOUNT_LINK_SCOPE() external view returns (bytes32);

    /// @notice The role of admitted organisations.
    function ORGANISATION_ROLE() external view returns (bytes32);

    /// @notice The role that admits and removes organisations.
    function GOVERNOR_ROLE() external view returns (bytes32);

    /// @notice The per-signer nonce of signed publications.
    function nonces(address signer) external view returns (uint256);

    /// @notice The contract's semantic version.
    function version() external pure returns (string memory);
}
