// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {ISchemaRegistry} from "../interfaces/ISchemaRegistry.sol";
import {IssuerRegistry} from "./IssuerRegistry.sol";

/// @title SchemaRegistry — typed credential schemas, namespaced by publisher
/// @notice Part of CredentialRegistry.
///
/// Invariants:
/// - `schemaId == keccak256(abi.encode(publisher, credentialType, keccak256(document)))`; a record,
///   once written, never changes except its `deprecatedAt`, which is set at most once.
/// - Registering an existing (publisher, type, document) reverts `SchemaAlreadyRegistered`; the
///   same document under another publisher or type is another id.
/// - An issuer registers only for a type it holds, through its DID's controller; a publisher
///   that is not an issuer must hold GOVERNOR_ROLE (a shared schema).
/// - An issuer's schema is anchored against only by that issuer; only its controller or
///   GOVERNOR_ROLE deprecates it. A shared schema is deprecated only by GOVERNOR_ROLE.
/// - Schema indexes are 1, 2, 3… in registration order; `schemaIdAt(getSchema(id).index) == id`.
abstract contract SchemaRegistry is IssuerRegistry, ISchemaRegistry {
    /// @dev The one slot an anchor reads (layout relied on by CredentialRegistry: index 0-31,
    /// typeId 32-63, version 64-95, registeredAt 96-159, deprecatedAt 160-223, publisherId
    /// 224-255). `publisherId` is the publishing issuer's id, 0 for a shared (governance) schema.
    struct SchemaSlot {
        uint32 index;
        uint32 typeId;
        uint32 version;
        uint64 registeredAt;
        uint64 deprecatedAt;
        uint32 publisherId;
    }

    mapping(bytes32 schemaId => SchemaSlot) internal _schemas;
    mapping(bytes32 schemaId => address) private _publishers;
    bytes32[] private _schemaIds;

    /// @inheritdoc ISchemaRegistry
    function registerSchema(address publisher, bytes calldata document, bytes32 credentialType, uint32 schemaVersion)
        external
        returns (bytes32 schemaId)
    {
        if (document.length == 0 || credentialType == bytes32(0)) revert SchemaInvalid();
        uint32 publisherId = _checkPublisher(publisher, credentialType);
        bytes32 documentHash = keccak256(document);
        schemaId = schemaIdOf(publisher, credentialType, documentHash);
        if (_schemas[schemaId].index != 0) revert SchemaAlreadyRegistered(schemaId, publisher);
        _schemaIds.push(schemaId);
        _schemas[schemaId] = SchemaSlot(
            uint32(_schemaIds.length), _internType(credentialType), schemaVersion, _time(), 0, publisherId
        );
        _publishers[schemaId] = publisher;
        emit SchemaRegistered(schemaId, publisher, documentHash, credentialType, schemaVersion, document);
    }

    /// @inheritdoc ISchemaRegistry
    function deprecateSchema(bytes32 schemaId) external {
        SchemaSlot storage s = _schemas[schemaId];
        if (s.index == 0) revert SchemaUnknown(schemaId);
        if (s.deprecatedAt != 0) revert SchemaIsDeprecated(schemaId, s.deprecatedAt);
        if (!hasRole(GOVERNOR_ROLE, msg.sender) && (s.publisherId == 0 || !_actsFor(_publishers[schemaId], msg.sender)))
        {
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

    /// @inheritdoc ISchemaRegistry
    function schemaIdOf(address publisher, bytes32 credentialType, bytes32 documentHash) public pure returns (bytes32) {
        return keccak256(abi.encode(publisher, credentialType, documentHash));
    }

    /// @dev Reverts unless the caller may publish for `publisher` a schema of `credentialType`:
    /// an issuer's DID controller, the issuer Active and holding the type; or GOVERNOR_ROLE
    /// publishing as itself (a shared schema). Returns the issuer id (0 for a shared schema).
    function _checkPublisher(address publisher, bytes32 credentialType) private view returns (uint32) {
        IssuerSlot storage p = _issuers[publisher];
        if (p.status == IssuerStatus.None) {
            if (publisher != msg.sender || !hasRole(GOVERNOR_ROLE, msg.sender)) {
                revert SchemaUnauthorisedPublisher(publisher, msg.sender);
            }
            return 0;
        }
        if (!_actsFor(publisher, msg.sender)) revert SchemaUnauthorisedPublisher(publisher, msg.sender);
        uint32 typeId = _typeIds[credentialType];
        if (p.status != IssuerStatus.Active) revert IssuerNotActive(publisher, p.status);
        if (typeId == 0 || !_hasType(publisher, p.typeBits, typeId)) {
            revert IssuerNotAuthorised(publisher, credentialType);
        }
        return p.id;
    }
}
