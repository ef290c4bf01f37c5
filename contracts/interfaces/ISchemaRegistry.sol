// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISchemaRegistry — typed credential schemas, namespaced by publisher
/// @notice A schema is a JSON Schema document (TheKey's SDK registers the RFC 8785 canonical
/// form, after checking it against the draft 2020-12 meta-schema) for ONE credential type,
/// published by one party. Its id binds all three:
///
///     schemaId = keccak256(abi.encode(publisher, credentialType, keccak256(document)))
///
/// computed on chain from the document itself (published in `SchemaRegistered`, indexed by its
/// hash so anyone can find every registration of the same content).
///
/// Why the publisher is in the id: whatever another party could write first must be keyed by
/// its author. Without it the first registrant of a document would fix its type and own it, and
/// the rightful issuer's later registration would be its rival's id (front-running). With it,
/// nobody can occupy another's id: the same document under another publisher or another type is
/// a distinct id, and registering an existing (publisher, type, document) reverts
/// `SchemaAlreadyRegistered` — never a silent success.
///
/// Who registers: for an admitted issuer, the controller of its DID (owner or valid "veriKey"
/// delegate), the issuer Active and holding `credentialType` (`IssuerNotAuthorised` otherwise);
/// or GOVERNOR_ROLE publishing as itself a shared schema any issuer holding the type may use.
/// An issuer's own schema takes anchors from that issuer only (`SchemaNotUsable`), so its
/// deprecation — by the issuer's controller or GOVERNOR_ROLE — can affect no other issuer; a
/// shared schema is deprecated by GOVERNOR_ROLE only. A deprecated schema takes no new anchors;
/// credentials already anchored under it are unaffected.
interface ISchemaRegistry {
    /// @notice A schema as stored. Times are UNIX seconds, 0 = none.
    struct Schema {
        address publisher;
        uint32 index;
        uint32 version;
        uint64 registeredAt;
        uint64 deprecatedAt;
        bytes32 credentialType;
    }

    event SchemaRegistered(
        bytes32 indexed schemaId,
        address indexed publisher,
        bytes32 indexed documentHash,
        bytes32 credentialType,
        uint32 version,
        bytes document
    );
    event SchemaDeprecated(bytes32 indexed schemaId, address indexed by);

    /// @notice No schema has id `schemaId`.
    error SchemaUnknown(bytes32 schemaId);
    /// @notice An empty document, or a zero credential type.
    error SchemaInvalid();
    /// @notice `caller` may not publish for `publisher` (not its DID's controller, or a
    /// non-issuer publisher that is not `caller` holding GOVERNOR_ROLE).
    error SchemaUnauthorisedPublisher(address publisher, address caller);
    /// @notice `publisher` already registered this document for this type, as `schemaId`.
    error SchemaAlreadyRegistered(bytes32 schemaId, address publisher);
    /// @notice `schemaId` belongs to another issuer: `issuer` may not anchor against it.
    error SchemaNotUsable(bytes32 schemaId, address issuer);
    /// @notice `caller` may not deprecate `schemaId` (neither its issuer's controller nor GOVERNOR_ROLE).
    error SchemaUnauthorisedDeprecation(bytes32 schemaId, address caller);
    /// @notice `schemaId` was deprecated at `deprecatedAt`.
    error SchemaIsDeprecated(bytes32 schemaId, uint64 deprecatedAt);

    /// @notice Register `document` describing `credentialType`, published by `publisher` (an
    /// issuer whose DID `msg.sender` controls, or `msg.sender` itself holding GOVERNOR_ROLE).
    /// Returns `schemaIdOf(publisher, credentialType, keccak256(document))`.
    function registerSchema(address publisher, bytes calldata document, bytes32 credentialType, uint32 schemaVersion)
        external
        returns (bytes32 schemaId);

    /// @notice Deprecate a schema (its issuer's DID controller, or GOVERNOR_ROLE); final.
    function deprecateSchema(bytes32 schemaId) external;

    /// @notice The record of `schemaId` (index 0 when unknown).
    function getSchema(bytes32 schemaId) external view returns (Schema memory);

    /// @notice The id of `publisher`'s schema of `credentialType` whose document hashes to `documentHash`.
    function schemaIdOf(address publisher, bytes32 credentialType, bytes32 documentHash)
        external
        pure
        returns (bytes32);

    /// @notice The schema id with compact index `index` (1-based; zero when none).
    function schemaIdAt(uint32 index) external view returns (bytes32);
}
