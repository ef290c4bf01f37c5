// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ISchemaRegistry} from "../interfaces/ISchemaRegistry.sol";
import {IssuerRegistry} from "./IssuerRegistry.sol";

/// @title SchemaRegistry — content-addressed credential schemas
/// @notice Part of CredentialRegistry.
///
/// Invariants:
/// - A schema's id is keccak256 of the document registered; a record, once written, never
///   changes except its `deprecatedAt`, which is set at most once.
/// - Registering known content changes nothing (same id, no event).
/// - Schema indexes are 1, 2, 3… in registration order; `schemaIdAt(getSchema(id).index) == id`.
/// - Only active issuers and GOVERNOR_ROLE register; only the publisher or GOVERNOR_ROLE deprecates.
abstract contract SchemaRegistry is IssuerRegistry, ISchemaRegistry {
    /// @dev The one slot an anchor reads: index, type, deprecation (the publisher is kept apart).
    struct SchemaSlot {
        uint32 index;
        uint32 typeId;
        uint32 version;
        uint64 registeredAt;
        uint64 deprecatedAt;
    }

    mapping(bytes32 schemaId => SchemaSlot) internal _schemas;
    mapping(bytes32 schemaId => address) private _publishers;
    bytes32[] private _schemaIds;

    /// @inheritdoc ISchemaRegistry
    function registerSchema(bytes calldata document, bytes32 credentialType, uint32 schemaVersion)
        external
        returns (bytes32 schemaId)
    {
        if (document.length == 0 || credentialType == bytes32(0)) revert SchemaInvalid();
        if (_issuers[msg.sender].status != IssuerStatus.Active && !hasRole(GOVERNOR_ROLE, msg.sender)) {
            revert SchemaUnauthorisedPublisher(msg.sender);
        }
        schemaId = keccak256(document);
        if (_schemas[schemaId].index != 0) return schemaId;
        _schemaIds.push(schemaId);
        _schemas[schemaId] = SchemaSlot(uint32(_schemaIds.length), _internType(credentialType), schemaVersion, _time(), 0);
        _publishers[schemaId] = msg.sender;
        emit SchemaRegistered(schemaId, msg.sender, credentialType, schemaVersion, document);
    }

    /// @inheritdoc ISchemaRegistry
    function deprecateSchema(bytes32 schemaId) external {
        SchemaSlot storage s = _schemas[schemaId];
        if (s.index == 0) revert SchemaUnknown(schemaId);
        if (s.deprecatedAt != 0) revert SchemaIsDeprecated(schemaId, s.deprecatedAt);
        if (msg.sender != _publishers[schemaId] && !hasRole(GOVERNOR_ROLE, msg.sender)) {
            revert SchemaUnauthorisedDeprecation(schemaId, msg.sender);
        }
        s.deprecatedAt = _time();
        emit SchemaDeprecated(schemaId, msg.sender);
    }

    /// @inheritdoc ISchemaRegistry
    function getSchema(bytes32 schemaId) external view returns (Schema memory) {
        SchemaSlot memory s = _schemas[schemaId];
        // slither-disable-next-line incorrect-equality — typeId 0 is the documented "no type" sentinel, not a balance
        bytes32 credentialType = s.typeId == 0 ? bytes32(0) : _types[s.typeId - 1];
        return Schema(_publishers[schemaId], s.index, s.version, s.registeredAt, s.deprecatedAt, credentialType);
    }

    /// @inheritdoc ISchemaRegistry
    function schemaIdAt(uint32 index) public view returns (bytes32) {
        return index == 0 || index > _schemaIds.length ? bytes32(0) : _schemaIds[index - 1];
    }
}
