// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

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
/// (keccak256("account-link")). Accounts are linked by keyed hash: HMAC-SHA256 of the local
/// account id under the organisation's own secret key, never the id itself.
interface IDataRoutes {
    /// @notice A published route. `updatedAt` is when the organisation's data last changed.
    struct Route {
        address organisation;
        uint64 updatedAt;
        bytes32 category;
        bytes32 digest;
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

    /// @notice Maps `accountKey` (HMAC of a local account id) of `organisation` to `subject`, once.
    function linkAccount(address organisation, bytes32 accountKey, address subject) external;

    /// @notice The DID that `accountKey` of `organisation` is linked to (zero if none).
    function accountSubject(address organisation, bytes32 accountKey) external view returns (address);

    /// @notice The id of the route (subject, organisation, category).
    function routeId(address subject, address organisation, bytes32 category) external pure returns (bytes32);

    /// @notice A route by id (organisation zero when none).
    function getRoute(bytes32 id) external view returns (Route memory);

    /// @notice How many routes were published for `subject`.
    function routeCount(address subject) external view returns (uint256);

    /// @notice `subject`'s routes `[start, start + count)` in first-publication order (clipped).
    function routes(address subject, uint256 start, uint256 count) external view returns (Route[] memory);

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
