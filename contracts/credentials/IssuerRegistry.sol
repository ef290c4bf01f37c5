// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {SuiteAdmin} from "../governance/SuiteAdmin.sol";
import {IIssuerRegistry} from "../interfaces/IIssuerRegistry.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {DIDActors} from "../utils/DIDActors.sol";

/// @title IssuerRegistry — authority issuers, their credential types and lifecycle
/// @notice Part of CredentialRegistry (one deployable, so that anchoring reads the issuer, its
/// type grant and the schema without cross-contract calls).
///
/// Invariants:
/// - An issuer moves None → Active ⇄ Suspended, and Active/Suspended → Removed; Removed is final.
/// - Issuer ids are 1, 2, 3… in admission order, never reused; `issuerById(getIssuer(a).id) == a`.
/// - Only GOVERNOR_ROLE changes issuers.
/// - `isAuthorised(a, t)` ⇔ `a` is Active and type `t` is currently granted to `a`.
/// - `statusWatermark` is a multiple of 128 and only grows; it is 128 at admission (word 0 prepared).
abstract contract IssuerRegistry is SuiteAdmin, DIDActors, IIssuerRegistry {
    /// @inheritdoc IIssuerRegistry
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @dev Status cells per 256-bit word, and the bit set in reserved entry 0 of an allocated word.
    uint256 internal constant _ENTRIES_PER_WORD = 128;
    uint256 internal constant _WORD_SENTINEL = 1;

    /// @dev Credential types with ids up to this are granted by a bit in the issuer's slot
    /// (no extra storage read when anchoring); later ones in `_issuerTypes`.
    uint256 internal constant _SLOT_TYPES = 96;

    /// @dev One slot per issuer (32 + 8 + 3·40 + 96 = 256 bits): read, and its high-water mark
    /// written, by every anchor. Times fit 40 bits (until year 36812).
    struct IssuerSlot {
        uint32 id;
        IssuerStatus status;
        uint40 admittedAt;
        uint40 statusChangedAt;
        uint40 statusWatermark;
        uint96 typeBits;
    }

    mapping(address issuer => IssuerSlot) internal _issuers;
    mapping(address issuer => bytes32) private _issuerNames;
    mapping(uint32 id => address) internal _issuerAccounts;
    uint32 private _issuerCount;

    /// @dev Credential types are interned to compact ids (1-based) so a schema's slot can name its type.
    bytes32[] internal _types;
    mapping(bytes32 credentialType => uint32) internal _typeIds;
    mapping(address issuer => mapping(uint256 typeId => bool)) internal _issuerTypes;

    /// @dev Issuers' status lists (see ICredentialRegistry): word index → 128 two-bit cells.
    mapping(address issuer => mapping(uint256 wordIndex => uint256)) internal _statusWords;

    /// @dev Credentials follow the issuer DID's owner and its "veriKey" delegates (keys that may issue).
    constructor(address admin, IERC1056 identities) SuiteAdmin(admin) DIDActors(identities, "veriKey") {
        _grantRole(GOVERNOR_ROLE, admin);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IIssuerRegistry
    function addIssuer(address issuer, bytes32 nameHash, bytes32[] calldata credentialTypes)
        external
        onlyRole(GOVERNOR_ROLE)
    {
        if (issuer == address(0)) revert IssuerZeroAddress();
        IssuerSlot storage s = _issuers[issuer];
        if (s.status != IssuerStatus.None) revert IssuerAlreadyRegistered(issuer, s.status);
        uint32 id = ++_issuerCount;
        _issuerAccounts[id] = issuer;
        uint40 now_ = uint40(_time());
        _issuers[issuer] = IssuerSlot(id, IssuerStatus.Active, now_, now_, uint40(_ENTRIES_PER_WORD), 0);
        _issuerNames[issuer] = nameHash;
        // Prepare the first status word (entry 0 is reserved) so that the first status writes are cheap.
        _statusWords[issuer][0] = _WORD_SENTINEL;
        emit IssuerAdded(issuer, id, nameHash);
        if (credentialTypes.length > 0) _setTypes(issuer, credentialTypes, true);
    }

    /// @inheritdoc IIssuerRegistry
    function setIssuerTypes(address issuer, bytes32[] calldata credentialTypes, bool allowed)
        external
        onlyRole(GOVERNOR_ROLE)
    {
        IssuerStatus status = _issuers[issuer].status;
        if (status == IssuerStatus.None || status == IssuerStatus.Removed) revert IssuerInvalidStatus(issuer, status);
        _setTypes(issuer, credentialTypes, allowed);
    }

    /// @inheritdoc IIssuerRegistry
    function suspendIssuer(address issuer, bytes32 reason) external onlyRole(GOVERNOR_ROLE) {
        _transition(issuer, IssuerStatus.Active, IssuerStatus.Suspended);
        emit IssuerSuspended(issuer, reason);
    }

    /// @inheritdoc IIssuerRegistry
    function reinstateIssuer(address issuer, bytes32 reason) external onlyRole(GOVERNOR_ROLE) {
        _transition(issuer, IssuerStatus.Suspended, IssuerStatus.Active);
        emit IssuerReinstated(issuer, reason);
    }

    /// @inheritdoc IIssuerRegistry
    function removeIssuer(address issuer, bytes32 reason) external onlyRole(GOVERNOR_ROLE) {
        IssuerSlot storage s = _issuers[issuer];
        if (s.status != IssuerStatus.Active && s.status != IssuerStatus.Suspended) {
            revert IssuerInvalidStatus(issuer, s.status);
        }
        s.status = IssuerStatus.Removed;
        s.statusChangedAt = uint40(_time());
        emit IssuerRemoved(issuer, reason);
    }

    // ---------------------------------------------------------------- reads

    /// @inheritdoc IIssuerRegistry
    function getIssuer(address issuer) external view returns (Issuer memory) {
        IssuerSlot memory s = _issuers[issuer];
        return Issuer(s.id, s.status, s.admittedAt, s.statusChangedAt, s.statusWatermark, _issuerNames[issuer]);
    }

    /// @inheritdoc IIssuerRegistry
    function issuerById(uint32 id) public view returns (address) {
        return _issuerAccounts[id];
    }

    /// @inheritdoc IIssuerRegistry
    function issuerCount() external view returns (uint256) {
        return _issuerCount;
    }

    /// @inheritdoc IIssuerRegistry
    function isAuthorised(address issuer, bytes32 credentialType) external view returns (bool) {
        uint32 typeId = _typeIds[credentialType];
        IssuerSlot storage s = _issuers[issuer];
        return s.status == IssuerStatus.Active && typeId != 0 && _hasType(issuer, s.typeBits, typeId);
    }

    // ---------------------------------------------------------------- internals

    function _transition(address issuer, IssuerStatus from, IssuerStatus to) private {
        IssuerSlot storage s = _issuers[issuer];
        if (s.status != from) revert IssuerInvalidStatus(issuer, s.status);
        s.status = to;
        s.statusChangedAt = uint40(_time());
    }

    function _setTypes(address issuer, bytes32[] calldata credentialTypes, bool allowed) private {
        IssuerSlot storage s = _issuers[issuer];
        for (uint256 i = 0; i < credentialTypes.length; ++i) {
            uint32 typeId = _internType(credentialTypes[i]);
            if (typeId <= _SLOT_TYPES) {
                uint96 bit = uint96(1) << (typeId - 1);
                s.typeBits = allowed ? s.typeBits | bit : s.typeBits & ~bit;
            } else {
                _issuerTypes[issuer][typeId] = allowed;
            }
        }
        emit IssuerTypesChanged(issuer, credentialTypes, allowed);
    }

    /// @dev Whether type `typeId` (≠ 0) is granted to `issuer`, whose slot holds `typeBits`.
    function _hasType(address issuer, uint96 typeBits, uint32 typeId) internal view returns (bool) {
        if (typeId <= _SLOT_TYPES) return (typeBits >> (typeId - 1)) & 1 == 1;
        return _issuerTypes[issuer][typeId];
    }

    /// @dev The compact id of `credentialType`, assigned on first use.
    function _internType(bytes32 credentialType) internal returns (uint32 typeId) {
        typeId = _typeIds[credentialType];
        if (typeId == 0) {
            _types.push(credentialType);
            typeId = uint32(_types.length);
            _typeIds[credentialType] = typeId;
        }
    }
}
