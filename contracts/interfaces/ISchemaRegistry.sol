// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ISchemaRegistry — content-addressed credential schemas
/// @notice A schema's id is keccak256 of its JSON Schema document (the exact bytes registered;
/// TheKey's SDK registers the RFC 8785 canonical form), computed on chain from the document
/// itself, so an id can never name other content. The document is published in the
/// `SchemaRegistered` event. Each schema declares the credential type it describes; issuers
/// are authorised per type (IIssuerRegistry).
///
/// Registering content that is already registered changes nothing and returns the same id,
/// so a front-runner who copies a registration gains nothing: the victim's call still succeeds
/// and the schema is the same content under the same id. Only active issuers and GOVERNOR_ROLE
/// may register; the publisher (first registrant) or GOVERNOR_ROLE may deprecate. A deprecated
/// schema takes no new anchors; credentials already anchored under it are unaffected.
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
        bytes32 indexed schemaId, address indexed publisher, bytes32 indexed credentialType, uint32 version, bytes document
    );
    event SchemaDeprecated(bytes32 indexed schemaId, address indexed by);

    /// @notice No schema has id `schemaId`.
    error SchemaUnknown(bytes32 schemaId);
    /// @notice An empty document, or a zero credential type.
    error SchemaInvalid();
    /// @notice `account` may not register schemas (not an active issuer nor GOVERNOR_ROLE).
    error SchemaUnauthorisedPublisher(address account);
    /// @notice `caller` may not deprecate `schemaId` (neither its publisher nor GOVERNOR_ROLE).
    error SchemaUnauthorisedDeprecation(bytes32 schemaId, address caller);
    /// @notice `schemaId` was deprecated at `deprecatedAt`.
    error SchemaIsDeprecated(bytes32 schemaId, uint64 deprecatedAt);

    /// @notice Register `document` (id = keccak256(document)) describing `credentialType`.
    /// Idempotent: registering known content returns its id and emits nothing.
    function registerSchema(bytes calldata document, bytes32 credentialType, uint32 schemaVersion)
        external
        returns (bytes32 schemaId);

    /// @notice Deprecate a schema (publisher or GOVERNOR_ROLE); final.
    function deprecateSchema(bytes32 schemaId) external;

    /// @notice The record of `schemaId` (index 0 when unknown).
    function getSchema(bytes32 schemaId) external view returns (Schema memory);

    /// @notice The schema id with compact index `index` (1-based; zero when none).
    function schemaIdAt(uint32 index) external view returns (bytes32);
}
