// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {HandlerBase} from "../../utils/HandlerBase.sol";
import {EIDRegistry} from "../../../contracts/identity/EIDRegistry.sol";
import {CredentialRegistry} from "../../../contracts/credentials/CredentialRegistry.sol";
import {ICredentialRegistry} from "../../../contracts/interfaces/ICredentialRegistry.sol";
import {IIssuerRegistry} from "../../../contracts/interfaces/IIssuerRegistry.sol";
import {IERC1056} from "../../../contracts/interfaces/IERC1056.sol";

/// @notice Drives CredentialRegistry (issuers, schemas, anchors, batches, status lists) and the
/// issuers' DIDs (key rotation, deactivation) beside a ghost model. Every actor is an admitted
/// issuer's controller; a quarter of the time it acts on another issuer's namespace (the
/// attacker), and a rotated-away raw key keeps trying. Hashes and batch roots come from a small
/// shared space, so issuers collide on them all the time.
contract CredentialsHandler is HandlerBase {
    bytes32 public constant FOREIGN_ACT = "acted on another issuer";
    bytes32 public constant RAW_KEY = "raw key acted after rotation";
    bytes32 public constant SCHEMA_TYPE = "schema for an ungranted type";
    bytes32 public constant WRITE_ONCE = "anchor rewritten";
    bytes32 public constant REFUSED = "legitimate call refused";
    bytes32 public constant OFF_MODEL = "outcome off the model";

    uint256 public constant ISSUERS = 3;
    bytes32 public constant TYPE_COMMON = "CommonCredential";
    bytes32 public constant TYPE_RESTRICTED = "RestrictedCredential"; // granted to issuer 0 only

    EIDRegistry public immutable eid;
    CredentialRegistry public immutable registry;

    address[ISSUERS] public issuers;
    mapping(address issuer => address) public ghostOwner; // zero once deactivated
    mapping(address issuer => bool) public ghostRemoved;
    mapping(address issuer => bool) public ghostSuspended;
    mapping(address issuer => uint256) public ghostWatermark;
    uint256 private _keys;

    struct SchemaModel {
        bytes32 id;
        uint256 publisher; // issuer index, or ISSUERS for a shared schema
        bytes32 credentialType;
        bool deprecated;
    }

    SchemaModel[] public schemas;
    mapping(bytes32 schemaId => bool) public schemaExists;

    struct AnchorModel {
        address issuer;
        bytes32 hash; // credential hash, or the batch root
        bytes32 schemaId;
        uint64 anchoredAt;
        uint64 validFrom;
        uint64 validUntil;
        uint64 statusIndex;
        uint32 count; // 0 = single credential
    }

    AnchorModel[] public anchors;
    mapping(address issuer => mapping(bytes32 hash => bool)) public anchored;
    mapping(address issuer => mapping(bytes32 root => bool)) public batched;
    mapping(address issuer => mapping(uint256 index => bool)) public ghostRevoked;
    mapping(address issuer => mapping(uint256 index => bool)) public ghostSuspendedEntry;

    constructor() {
        eid = new EIDRegistry();
        registry = new CredentialRegistry(address(this), IERC1056(address(eid)));
        bytes32[] memory common = new bytes32[](1);
        common[0] = TYPE_COMMON;
        bytes32[] memory both = new bytes32[](2);
        both[0] = TYPE_COMMON;
        both[1] = TYPE_RESTRICTED;
        for (uint256 i = 0; i < ISSUERS; ++i) {
            address issuer = vm.addr(0x1500 + i);
            issuers[i] = issuer;
            ghostOwner[issuer] = issuer;
            ghostWatermark[issuer] = 128;
            registry.addIssuer(issuer, keccak256(abi.encode(i)), i == 0 ? both : common);
        }
        // Shared (governance) schemas for both types.
        _addSchema(registry.registerSchema(address(this), "shared-common", TYPE_COMMON, 1), ISSUERS, TYPE_COMMON);
        _addSchema(registry.registerSchema(address(this), "shared-restricted", TYPE_RESTRICTED, 1), ISSUERS, TYPE_RESTRICTED);
    }

    // ------------------------------------------------------------------ helpers

    function anchorCount() external view returns (uint256) {
        return anchors.length;
    }

    function schemaCount() external view returns (uint256) {
        return schemas.length;
    }

    function anchorAt(uint256 i) external view returns (AnchorModel memory) {
        return anchors[i];
    }

    function _addSchema(bytes32 id, uint256 publisher, bytes32 credentialType) private {
        schemas.push(SchemaModel(id, publisher, credentialType, false));
        schemaExists[id] = true;
    }

    function _holds(uint256 issuerIndex, bytes32 credentialType) private pure returns (bool) {
        return credentialType == TYPE_COMMON || issuerIndex == 0;
    }

    /// @dev Whether `issuer` (index `i`) may anchor now under schema `s`.
    function _mayAnchor(uint256 i, SchemaModel memory s) private view returns (bool) {
        address issuer = issuers[i];
        return ghostOwner[issuer] != address(0) && !ghostRemoved[issuer] && !ghostSuspended[issuer] && !s.deprecated
            && (s.publisher == ISSUERS || s.publisher == i) && _holds(i, s.credentialType);
    }

    /// @dev The actor for a call on issuer `i`: its controller, or (a quarter of the time) another issuer's.
    function _actor(uint256 i, uint256 seed) private view returns (address actor, bool foreign) {
        if (seed % 4 != 0) return (ghostOwner[issuers[i]], false);
        uint256 other = (i + 1 + (seed >> 2) % (ISSUERS - 1)) % ISSUERS;
        return (ghostOwner[issuers[other]], true);
    }

    function _hash(uint256 seed) private pure returns (bytes32) {
        return keccak256(abi.encode("credential", seed % 6));
    }

    function _statusIndex(uint256 seed) private pure returns (uint64 index) {
        index = uint64(_bound(seed, 1, 700));
        if (index % 128 == 0) index += 1;
    }

    function _window(uint256 seed) private view returns (uint64 validFrom, uint64 validUntil) {
        if (seed % 3 == 1) validFrom = uint64(now_ + _bound(seed >> 8, 1, 5 days));
        if (seed % 5 != 0) validUntil = uint64(now_ + _bound(seed >> 40, 1, 30 days));
        if (validUntil != 0 && validUntil < validFrom) validUntil = validFrom;
    }

    function _extend(address issuer, uint256 lastIndex) private {
        uint256 end = (lastIndex / 128 + 1) * 128;
        if (end > ghostWatermark[issuer]) ghostWatermark[issuer] = end;
    }

    function _judge(bool succeeded, bool expected, bool foreign, bool rewrote, string memory what) private {
        if (succeeded && foreign) _breach(FOREIGN_ACT, what);
        else if (succeeded && rewrote) _breach(WRITE_ONCE, what);
        else if (succeeded && !expected) _breach(OFF_MODEL, what);
        else if (!succeeded && expected) _breach(REFUSED, what);
    }

    // ------------------------------------------------------------------ actions

    function registerSchema(uint256 issuerSeed, uint256 actorSeed, bool restricted, uint8 doc) external {
        uint256 i = issuerSeed % ISSUERS;
        address issuer = issuers[i];
        (address actor, bool foreign) = _actor(i, actorSeed);
        if (actor == address(0)) return;
        bytes32 credentialType = restricted ? TYPE_RESTRICTED : TYPE_COMMON;
        bytes memory document = abi.encodePacked("schema-", doc % 4);
        bytes32 id = registry.schemaIdOf(issuer, credentialType, keccak256(document));
        bool expected = !foreign && ghostOwner[issuer] != address(0) && !ghostRemoved[issuer]
            && !ghostSuspended[issuer] && _holds(i, credentialType) && !schemaExists[id];
        vm.prank(actor);
        try registry.registerSchema(issuer, document, credentialType, 1) returns (bytes32 got) {
            if (!_holds(i, credentialType)) _breach(SCHEMA_TYPE, "an issuer registered a schema for a type it does not hold");
            _judge(true, expected, foreign, false, "registerSchema");
            if (got != id) _breach(OFF_MODEL, "schema id is not schemaIdOf(publisher, type, document)");
            _addSchema(got, i, credentialType);
        } catch {
            _judge(false, expected, foreign, false, "registerSchema");
        }
    }

    function deprecateSchema(uint256 schemaSeed, uint256 actorSeed) external {
        if (schemas.length == 0) return;
        SchemaModel storage s = schemas[schemaSeed % schemas.length];
        if (s.publisher == ISSUERS) return; // shared schemas stay (governance keeps them live here)
        (address actor, bool foreign) = _actor(s.publisher, actorSeed);
        if (actor == address(0)) return;
        bool expected = !foreign && !s.deprecated;
        vm.prank(actor);
        try registry.deprecateSchema(s.id) {
            _judge(true, expected, foreign, false, "deprecateSchema");
            s.deprecated = true;
        } catch {
            _judge(false, expected, foreign, false, "deprecateSchema");
        }
    }

    function anchor(uint256 issuerSeed, uint256 actorSeed, uint256 hashSeed, uint256 schemaSeed, uint256 indexSeed, uint256 windowSeed)
        external
    {
        uint256 i = issuerSeed % ISSUERS;
        address issuer = issuers[i];
        (address actor, bool foreign) = _actor(i, actorSeed);
        if (actor == address(0)) return;
        SchemaModel memory s = schemas[schemaSeed % schemas.length];
        bytes32 h = _hash(hashSeed);
        uint64 index = _statusIndex(indexSeed);
        (uint64 validFrom, uint64 validUntil) = _window(windowSeed);
        bool rewrote = anchored[issuer][h];
        bool expected = !foreign && !rewrote && _mayAnchor(i, s);
        vm.prank(actor);
        try registry.anchor(issuer, h, s.id, validFrom, validUntil, index) {
            _judge(true, expected, foreign, rewrote, "anchor");
            if (!rewrote) {
                anchored[issuer][h] = true;
                anchors.push(AnchorModel(issuer, h, s.id, uint64(now_), validFrom, validUntil, index, 0));
                _extend(issuer, index);
            }
        } catch {
            _judge(false, expected, foreign, rewrote, "anchor");
        }
    }

    function anchorBatch(uint256 issuerSeed, uint256 actorSeed, uint256 rootSeed, uint256 schemaSeed, uint256 indexSeed, uint8 countSeed)
        external
    {
        uint256 i = issuerSeed % ISSUERS;
        address issuer = issuers[i];
        (address actor, bool foreign) = _actor(i, actorSeed);
        if (actor == address(0)) return;
        SchemaModel memory s = schemas[schemaSeed % schemas.length];
        bytes32 root = keccak256(abi.encode("root", rootSeed % 4));
        uint64 first = _statusIndex(indexSeed);
        uint32 count = uint32(_bound(countSeed, 1, 300));
        bool rewrote = batched[issuer][root];
        bool expected = !foreign && !rewrote && _mayAnchor(i, s);
        vm.prank(actor);
        try registry.anchorBatch(issuer, root, s.id, 0, 0, first, count) {
            _judge(true, expected, foreign, rewrote, "anchorBatch");
            if (!rewrote) {
                batched[issuer][root] = true;
                anchors.push(AnchorModel(issuer, root, s.id, uint64(now_), 0, 0, first, count));
                _extend(issuer, first + count - 1);
            }
        } catch {
            _judge(false, expected, foreign, rewrote, "anchorBatch");
        }
    }

    /// @notice A status change of one anchored credential, by its controller or an attacker.
    function changeStatus(uint256 anchorSeed, uint256 actorSeed, uint8 actionSeed) external {
        if (anchors.length == 0) return;
        AnchorModel memory a = anchors[anchorSeed % anchors.length];
        if (a.count != 0) return;
        uint256 i = _indexOf(a.issuer);
        (address actor, bool foreign) = _actor(i, actorSeed);
        if (actor == address(0)) return;
        ICredentialRegistry.StatusAction action = ICredentialRegistry.StatusAction(actionSeed % 3);
        bool expected = !foreign && ghostOwner[a.issuer] != address(0) && _changes(a.issuer, a.statusIndex, action);
        vm.prank(actor);
        try registry.changeStatus(a.issuer, a.hash, action, "reason") {
            _judge(true, expected, foreign, false, "changeStatus");
            _apply(a.issuer, a.statusIndex, action);
        } catch {
            _judge(false, expected, foreign, false, "changeStatus");
        }
    }

    /// @notice A batch status update of some allocated entries, by the controller or an attacker.
    function updateStatus(uint256 issuerSeed, uint256 actorSeed, uint8 actionSeed, uint256 indexSeed) external {
        uint256 i = issuerSeed % ISSUERS;
        address issuer = issuers[i];
        (address actor, bool foreign) = _actor(i, actorSeed);
        if (actor == address(0)) return;
        ICredentialRegistry.StatusAction action = ICredentialRegistry.StatusAction(actionSeed % 3);
        uint64[] memory indexes = new uint64[](2);
        indexes[0] = _statusIndex(indexSeed);
        indexes[1] = _statusIndex(indexSeed >> 16);
        if (indexes[1] < indexes[0]) (indexes[0], indexes[1]) = (indexes[1], indexes[0]);
        bool expected = !foreign && ghostOwner[issuer] != address(0) && indexes[1] < ghostWatermark[issuer];
        vm.prank(actor);
        try registry.updateStatus(issuer, action, indexes, "reason") {
            _judge(true, expected, foreign, false, "updateStatus");
            _apply(issuer, indexes[0], action);
            if (indexes[1] != indexes[0]) _apply(issuer, indexes[1], action);
        } catch {
            _judge(false, expected, foreign, false, "updateStatus");
        }
    }

    /// @notice The issuer's DID owner hands the DID to a fresh key.
    function rotateKey(uint256 issuerSeed) external {
        address issuer = issuers[issuerSeed % ISSUERS];
        address owner = ghostOwner[issuer];
        if (owner == address(0)) return;
        address next = vm.addr(0x9000 + ++_keys);
        vm.prank(owner);
        eid.changeOwner(issuer, next);
        ghostOwner[issuer] = next;
    }

    /// @notice A rotated-away raw key (the issuer's own address) tries every status path and an anchor.
    function rawKey(uint256 anchorSeed, uint8 how) external {
        if (anchors.length == 0) return;
        AnchorModel memory a = anchors[anchorSeed % anchors.length];
        if (ghostOwner[a.issuer] == a.issuer || a.count != 0) return;
        how = how % 5;
        bytes memory data;
        if (how == 0) data = abi.encodeCall(registry.revoke, (a.hash, "raw"));
        else if (how == 1) data = abi.encodeCall(registry.suspend, (a.hash, "raw"));
        else if (how == 2) data = abi.encodeCall(registry.reinstate, (a.hash, "raw"));
        else if (how == 3) data = abi.encodeCall(registry.changeStatus, (a.issuer, a.hash, ICredentialRegistry.StatusAction.Revoke, "raw"));
        else data = abi.encodeCall(registry.anchor, (a.issuer, keccak256(abi.encode(a.hash, "raw")), a.schemaId, 0, 0, 1));
        vm.prank(a.issuer);
        (bool ok,) = address(registry).call(data);
        if (ok) _breach(RAW_KEY, "the issuer's raw key changed its records after changeOwner");
    }

    /// @notice Governance suspends, reinstates or removes issuer 2; its DID owner may deactivate it.
    function governIssuer(uint8 what) external {
        address issuer = issuers[2];
        what = what % 8;
        if (what == 0 && !ghostRemoved[issuer]) {
            registry.removeIssuer(issuer, "removed");
            ghostRemoved[issuer] = true;
        } else if (what == 1 && ghostOwner[issuer] != address(0)) {
            vm.prank(ghostOwner[issuer]);
            eid.deactivate(issuer);
            ghostOwner[issuer] = address(0);
        } else if (what < 5 && !ghostRemoved[issuer]) {
            if (ghostSuspended[issuer]) registry.reinstateIssuer(issuer, "back");
            else registry.suspendIssuer(issuer, "paused");
            ghostSuspended[issuer] = !ghostSuspended[issuer];
        }
    }

    function warp(uint256 seed) external {
        _warp(seed, 3 days);
    }

    // ------------------------------------------------------------------ model

    function _indexOf(address issuer) private view returns (uint256) {
        for (uint256 i = 0; i < ISSUERS; ++i) if (issuers[i] == issuer) return i;
        revert("unknown issuer");
    }

    function _changes(address issuer, uint256 index, ICredentialRegistry.StatusAction action) private view returns (bool) {
        if (action == ICredentialRegistry.StatusAction.Revoke) return !ghostRevoked[issuer][index];
        if (action == ICredentialRegistry.StatusAction.Suspend) return !ghostSuspendedEntry[issuer][index];
        return ghostSuspendedEntry[issuer][index] && !ghostRevoked[issuer][index];
    }

    function _apply(address issuer, uint256 index, ICredentialRegistry.StatusAction action) private {
        if (action == ICredentialRegistry.StatusAction.Revoke) ghostRevoked[issuer][index] = true;
        else if (action == ICredentialRegistry.StatusAction.Suspend) ghostSuspendedEntry[issuer][index] = true;
        else if (!ghostRevoked[issuer][index]) ghostSuspendedEntry[issuer][index] = false;
    }

    /// @notice The modelled validity of single anchor `a` now.
    function modelValid(AnchorModel memory a) public view returns (bool) {
        if (ghostRemoved[a.issuer] || ghostOwner[a.issuer] == address(0)) return false;
        if (ghostRevoked[a.issuer][a.statusIndex] || ghostSuspendedEntry[a.issuer][a.statusIndex]) return false;
        if (now_ < a.validFrom) return false;
        return a.validUntil == 0 || now_ <= a.validUntil;
    }
}
