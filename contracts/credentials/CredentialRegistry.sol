// SPDX-License-Identifier: MIT
pragma solidity 0.8.29;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Signatures} from "../utils/Signatures.sol";
import {SignerNonces} from "../utils/SignerNonces.sol";
import {ICredentialRegistry} from "../interfaces/ICredentialRegistry.sol";
import {IERC1056} from "../interfaces/IERC1056.sol";
import {SchemaRegistry} from "./SchemaRegistry.sol";
import {IssuerRegistry} from "./IssuerRegistry.sol";

/// @title CredentialRegistry — issuers, schemas, credential anchors and status lists
/// @notice One deployable holding the issuer registry, the schema registry, single and batch
/// anchors, the issuers' bitstring status lists and the validity view (see the interfaces).
/// Everything an anchor checks lives in this contract's storage: an anchor reads the issuer
/// slot, its type grant and the schema slot, and writes one new slot (the record) and the
/// issuer's high-water mark.
///
/// Invariants:
/// - Anchors are keyed by (issuer, hash): nobody writes into another issuer's namespace.
/// - Write-once: an anchored (issuer, hash) or (issuer, batch root) never changes or disappears.
/// - Only for an issuer that is Active and granted the schema's credential type at that moment,
///   under a registered, non-deprecated schema that is shared or the issuer's own, and only by
///   the issuer DID's current controller (owner or valid "veriKey" delegate) — directly or by
///   that controller's signature.
/// - A relayed request is valid once (signer's keyed nonce), on this chain and this contract,
///   until its deadline inclusive, never in its malleable (high-`s`) form.
/// - No anchor uses a reserved index (a multiple of 128); every anchored entry lies below its
///   issuer's `statusWatermark`, which only grows, in steps of whole words; words at or past it
///   are zero, and every word an anchor enters past it is prepared (non-zero) by that anchor.
/// - A revocation bit, once set, is never cleared; a suspension bit is set and cleared only by
///   the issuer DID's current controller; status changes touch only the named issuer's records.
/// - `isValid(i, h)` ⇔ `validityOf(i, h) == Valid` ⇔ i anchored h, its issuer not removed and its DID
///   not deactivated, its entry neither revoked nor suspended, and now within [validFrom, validUntil].
contract CredentialRegistry is SchemaRegistry, EIP712, SignerNonces, ICredentialRegistry {
    /// keccak256("Anchor(address issuer,bytes32 credentialHash,bytes32 schemaId,uint64 validFrom,uint64 validUntil,uint64 statusIndex,uint256 nonce,uint64 deadline)")
    bytes32 public constant ANCHOR_TYPEHASH = keccak256(
        "Anchor(address issuer,bytes32 credentialHash,bytes32 schemaId,uint64 validFrom,uint64 validUntil,uint64 statusIndex,uint256 nonce,uint64 deadline)"
    );
    /// keccak256("AnchorBatch(address issuer,bytes32 root,bytes32 schemaId,uint64 validFrom,uint64 validUntil,uint64 firstStatusIndex,uint32 count,uint256 nonce,uint64 deadline)")
    bytes32 public constant ANCHOR_BATCH_TYPEHASH = keccak256(
        "AnchorBatch(address issuer,bytes32 root,bytes32 schemaId,uint64 validFrom,uint64 validUntil,uint64 firstStatusIndex,uint32 count,uint256 nonce,uint64 deadline)"
    );

    /// @dev Status indexes (and list ends) stay below this so that they fit 40 bits.
    uint256 private constant _MAX_INDEX = type(uint40).max - 128;

    /// @dev One slot per anchor (single credential or batch). Times fit 40 bits (until year 36812).
    /// Bit layout (lowest first), relied on by `_store`: issuerId 0-31, schemaIndex 32-63,
    /// anchoredAt 64-103, validFrom 104-143, validUntil 144-183, statusIndex 184-223, count 224-255.
    struct Record {
        uint32 issuerId;
        uint32 schemaIndex;
        uint40 anchoredAt;
        uint40 validFrom;
        uint40 validUntil;
        uint40 statusIndex;
        uint32 count;
    }

    // slither-disable-next-line uninitialized-state — written through a `Record storage` pointer in the anchoring assembly
    mapping(address issuer => mapping(bytes32 credentialHash => Record)) private _credentials;
    // slither-disable-next-line uninitialized-state — written through a `Record storage` pointer in the anchoring assembly
    mapping(address issuer => mapping(bytes32 root => Record)) private _batches;

    /// @param admin receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE.
    /// @param identities the ERC-1056 registry of issuers' DIDs.
    constructor(address admin, IERC1056 identities)
        IssuerRegistry(admin, identities)
        EIP712("TheKey Credentials", "1")
    {}

    // ---------------------------------------------------------------- anchoring

    /// @inheritdoc ICredentialRegistry
    function anchor(
        address issuer,
        bytes32 credentialHash,
        bytes32 schemaId,
        uint64 validFrom,
        uint64 validUntil,
        uint64 statusIndex
    ) external {
        _checkController(issuer, msg.sender);
        _anchor(issuer, credentialHash, schemaId, validFrom, validUntil, statusIndex);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorBySig(
        AnchorRequest calldata r,
        address signer,
        uint256 nonce,
        uint64 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                ANCHOR_TYPEHASH,
                r.issuer,
                r.credentialHash,
                r.schemaId,
                r.validFrom,
                r.validUntil,
                r.statusIndex,
                nonce,
                deadline
            )
        );
        _checkSigned(signer, structHash, nonce, deadline, signature);
        _checkController(r.issuer, signer);
        _anchor(r.issuer, r.credentialHash, r.schemaId, r.validFrom, r.validUntil, r.statusIndex);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorBatch(
        address issuer,
        bytes32 root,
        bytes32 schemaId,
        uint64 validFrom,
        uint64 validUntil,
        uint64 firstStatusIndex,
        uint32 count
    ) external {
        _checkController(issuer, msg.sender);
        _anchorBatch(issuer, root, schemaId, validFrom, validUntil, firstStatusIndex, count);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorBatchBySig(
        BatchRequest calldata r,
        address signer,
        uint256 nonce,
        uint64 deadline,
        bytes calldata signature
    ) external {
        bytes32 structHash = keccak256(
            abi.encode(
                ANCHOR_BATCH_TYPEHASH,
                r.issuer,
                r.root,
                r.schemaId,
                r.validFrom,
                r.validUntil,
                r.firstStatusIndex,
                r.count,
                nonce,
                deadline
            )
        );
        _checkSigned(signer, structHash, nonce, deadline, signature);
        _checkController(r.issuer, signer);
        _anchorBatch(r.issuer, r.root, r.schemaId, r.validFrom, r.validUntil, r.firstStatusIndex, r.count);
    }

    // ---------------------------------------------------------------- status

    /// @inheritdoc ICredentialRegistry
    function revoke(bytes32 credentialHash, bytes32 reason) external {
        _changeOne(msg.sender, credentialHash, StatusAction.Revoke, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function suspend(bytes32 credentialHash, bytes32 reason) external {
        _changeOne(msg.sender, credentialHash, StatusAction.Suspend, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function reinstate(bytes32 credentialHash, bytes32 reason) external {
        _changeOne(msg.sender, credentialHash, StatusAction.Reinstate, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function changeStatus(address issuer, bytes32 credentialHash, StatusAction action, bytes32 reason) external {
        _changeOne(issuer, credentialHash, action, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function updateStatus(address issuer, StatusAction action, uint64[] calldata indexes, bytes32 reason) external {
        _checkController(issuer, msg.sender);
        uint256 end = _issuers[issuer].statusWatermark;
        uint256 n = indexes.length;
        uint256 i = 0;
        while (i < n) {
            // One read and one write per run of indexes that share a word.
            uint256 wordIndex = indexes[i] / _ENTRIES_PER_WORD;
            uint256 entries = 0;
            for (; i < n && indexes[i] / _ENTRIES_PER_WORD == wordIndex; ++i) {
                uint256 index = indexes[i];
                if (index >= end || index % _ENTRIES_PER_WORD == 0) {
                    revert CredentialStatusIndexNotAllocated(issuer, index);
                }
                entries |= 1 << (index % _ENTRIES_PER_WORD);
            }
            mapping(uint256 => uint256) storage words = _statusWords[issuer];
            words[wordIndex] = _apply(words[wordIndex], entries, action);
            emit StatusEntriesChanged(issuer, action, wordIndex, entries, reason);
        }
    }

    // ---------------------------------------------------------------- reads

    /// @inheritdoc ICredentialRegistry
    function version() external pure returns (string memory) {
        return "2.0.0";
    }

    /// @inheritdoc ICredentialRegistry
    function identityRegistry() external view returns (address) {
        return address(_identities);
    }

    /// @inheritdoc ICredentialRegistry
    function getAnchor(address issuer, bytes32 credentialHash) external view returns (Anchor memory) {
        return _toAnchor(_credentials[issuer][credentialHash]);
    }

    /// @inheritdoc ICredentialRegistry
    function getBatch(address issuer, bytes32 root) external view returns (Anchor memory) {
        return _toAnchor(_batches[issuer][root]);
    }

    /// @inheritdoc ICredentialRegistry
    function isValid(address issuer, bytes32 credentialHash) external view returns (bool) {
        return validityOf(issuer, credentialHash) == Validity.Valid;
    }

    /// @inheritdoc ICredentialRegistry
    function isValidBatch(CredentialRef[] calldata credentials) external view returns (bool[] memory valid) {
        valid = new bool[](credentials.length);
        for (uint256 i = 0; i < credentials.length; ++i) {
            valid[i] = validityOf(credentials[i].issuer, credentials[i].credentialHash) == Validity.Valid;
        }
    }

    /// @inheritdoc ICredentialRegistry
    function validityOf(address issuer, bytes32 credentialHash) public view returns (Validity) {
        Record memory r = _credentials[issuer][credentialHash];
        if (r.anchoredAt == 0) return Validity.NotAnchored;
        return _report(r, r.statusIndex).validity;
    }

    /// @inheritdoc ICredentialRegistry
    function isValidMember(
        address issuer,
        bytes32 root,
        bytes32 credentialHash,
        uint64 statusIndex,
        bytes32[] calldata proof
    ) external view returns (bool) {
        return _inspectMember(issuer, root, credentialHash, statusIndex, proof).validity == Validity.Valid;
    }

    /// @inheritdoc ICredentialRegistry
    function inspect(Query[] calldata queries) external view returns (Report[] memory reports) {
        reports = new Report[](queries.length);
        for (uint256 i = 0; i < queries.length; ++i) {
            Query calldata q = queries[i];
            if (q.root == bytes32(0)) {
                Record memory r = _credentials[q.issuer][q.credentialHash];
                if (r.anchoredAt != 0) reports[i] = _report(r, r.statusIndex);
                else reports[i].validity = Validity.NotAnchored;
            } else {
                reports[i] = _inspectMember(q.issuer, q.root, q.credentialHash, q.statusIndex, q.proof);
            }
        }
    }

    /// @inheritdoc ICredentialRegistry
    function statusOf(address issuer, uint256 index) external view returns (bool revoked, bool suspended) {
        return _bits(issuer, index);
    }

    /// @inheritdoc ICredentialRegistry
    function statusWords(address issuer, uint256 fromWord, uint256 count) external view returns (uint256[] memory words) {
        words = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            words[i] = _statusWords[issuer][fromWord + i];
        }
    }

    /// @inheritdoc ICredentialRegistry
    function leafOf(bytes32 credentialHash, uint64 statusIndex) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(credentialHash, uint256(statusIndex)))));
    }

    // ---------------------------------------------------------------- internals: anchoring

    function _anchor(
        address issuer,
        bytes32 credentialHash,
        bytes32 schemaId,
        uint64 validFrom,
        uint64 validUntil,
        uint64 statusIndex
    ) private {
        if (credentialHash == bytes32(0)) revert CredentialInvalidAnchor();
        Record storage slot = _credentials[issuer][credentialHash];
        if (slot.anchoredAt != 0) revert CredentialAlreadyAnchored(issuer, credentialHash);
        (uint32 issuerId, uint32 schemaIndex, uint256 end) = _checkCanAnchor(issuer, schemaId, validFrom, validUntil);
        if (statusIndex % _ENTRIES_PER_WORD == 0 || statusIndex >= _MAX_INDEX) {
            revert CredentialInvalidStatusIndex(issuer, statusIndex);
        }
        // Past the list's end: prepare the entry's word (about once per 127 sequential anchors).
        if (statusIndex >= end) _extendList(issuer, statusIndex / _ENTRIES_PER_WORD, statusIndex / _ENTRIES_PER_WORD);
        _store(slot, issuerId, schemaIndex, validFrom, validUntil, statusIndex, 0);
        emit CredentialAnchored(credentialHash, issuer, schemaId, statusIndex);
    }

    function _anchorBatch(
        address issuer,
        bytes32 root,
        bytes32 schemaId,
        uint64 validFrom,
        uint64 validUntil,
        uint64 firstStatusIndex,
        uint32 count
    ) private {
        if (root == bytes32(0) || count == 0) revert CredentialInvalidAnchor();
        Record storage slot = _batches[issuer][root];
        if (slot.anchoredAt != 0) revert CredentialBatchAlreadyAnchored(issuer, root);
        (uint32 issuerId, uint32 schemaIndex, uint256 end) = _checkCanAnchor(issuer, schemaId, validFrom, validUntil);
        uint256 last = uint256(firstStatusIndex) + count - 1; // count ≥ 1; no overflow in 256 bits
        if (last >= _MAX_INDEX) revert CredentialInvalidStatusIndex(issuer, firstStatusIndex);
        if (last >= end) {
            uint256 fromWord = firstStatusIndex / _ENTRIES_PER_WORD;
            if (fromWord < end / _ENTRIES_PER_WORD) fromWord = end / _ENTRIES_PER_WORD;
            _extendList(issuer, fromWord, last / _ENTRIES_PER_WORD);
        }
        _store(slot, issuerId, schemaIndex, validFrom, validUntil, firstStatusIndex, count);
        emit BatchAnchored(root, issuer, schemaId, firstStatusIndex, count);
    }

    /// @dev Reverts unless `issuer` is active and granted the (registered, live) schema's type,
    /// the schema is shared or `issuer`'s own, and the window is sound. Returns the compact ids to record and the issuer's list end.
    /// Reads exactly one issuer slot and one schema slot, each with a single SLOAD (layouts:
    /// `SchemaSlot` index 0-31, typeId 32-63, version 64-95, registeredAt 96-159, deprecatedAt
    /// 160-223, publisherId 224-255; `IssuerSlot` id 0-31, status 32-39, admittedAt 40-79, statusChangedAt 80-119,
    /// statusWatermark 120-159, typeBits 160-255).
    function _checkCanAnchor(address issuer, bytes32 schemaId, uint64 validFrom, uint64 validUntil)
        private
        view
        returns (uint32 issuerId, uint32 schemaIndex, uint256 end)
    {
        SchemaSlot storage schemaSlot = _schemas[schemaId];
        IssuerSlot storage issuerSlot = _issuers[issuer];
        uint256 schema;
        uint256 account;
        assembly ("memory-safe") {
            schema := sload(schemaSlot.slot)
            account := sload(issuerSlot.slot)
        }
        schemaIndex = uint32(schema);
        uint32 typeId = uint32(schema >> 32);
        uint64 deprecatedAt = uint64(schema >> 160);
        if (schemaIndex == 0) revert SchemaUnknown(schemaId);
        if (deprecatedAt != 0) revert SchemaIsDeprecated(schemaId, deprecatedAt);
        uint32 publisherId = uint32(schema >> 224);
        if (publisherId != 0 && publisherId != uint32(account)) revert SchemaNotUsable(schemaId, issuer);
        uint8 status = uint8(account >> 32);
        if (status != uint8(IssuerStatus.Active) && status != uint8(IssuerStatus.None)) {
            revert IssuerNotActive(issuer, IssuerStatus(status));
        }
        if (status == uint8(IssuerStatus.None) || !_hasType(issuer, uint96(account >> 160), typeId)) {
            revert IssuerNotAuthorised(issuer, _types[typeId - 1]);
        }
        if (
            validUntil > type(uint40).max || validFrom > type(uint40).max
                || (validUntil != 0 && (validUntil < validFrom || validUntil < _time()))
        ) revert CredentialInvalidWindow(validFrom, validUntil);
        return (uint32(account), schemaIndex, uint40(account >> 120));
    }

    /// @dev Prepare words `fromWord..toWord` (all at or past the list's end, hence zero) and move
    /// the end past them.
    function _extendList(address issuer, uint256 fromWord, uint256 toWord) private {
        mapping(uint256 => uint256) storage words = _statusWords[issuer];
        for (uint256 w = fromWord; w <= toWord; ++w) {
            words[w] = _WORD_SENTINEL;
        }
        _issuers[issuer].statusWatermark = uint40((toWord + 1) * _ENTRIES_PER_WORD);
    }

    /// @dev Write a record in one SSTORE. Every value was checked to fit its field (times and
    /// indexes < 2^40, ids < 2^32), so the packing below is exact (layout: see `Record`).
    function _store(
        Record storage slot,
        uint32 issuerId,
        uint32 schemaIndex,
        uint64 validFrom,
        uint64 validUntil,
        uint64 statusIndex,
        uint32 count
    ) internal {
        uint256 packed = uint256(issuerId) | (uint256(schemaIndex) << 32) | (uint256(uint40(_time())) << 64)
            | (uint256(validFrom) << 104) | (uint256(validUntil) << 144) | (uint256(statusIndex) << 184)
            | (uint256(count) << 224);
        assembly ("memory-safe") {
            sstore(slot.slot, packed)
        }
    }

    function _checkSigned(address signer, bytes32 structHash, uint256 nonce, uint64 deadline, bytes calldata signature)
        private
    {
        if (_time() > deadline) revert CredentialExpiredSignature(deadline);
        if (!Signatures.isValidNow(signer, _hashTypedDataV4(structHash), signature)) {
            revert CredentialInvalidSignature(signer);
        }
        _useCheckedNonce(signer, nonce);
    }

    // ---------------------------------------------------------------- internals: status

    function _changeOne(address issuer, bytes32 credentialHash, StatusAction action, bytes32 reason) private {
        _checkController(issuer, msg.sender);
        Record storage slot = _credentials[issuer][credentialHash];
        uint256 packed;
        assembly ("memory-safe") {
            packed := sload(slot.slot)
        }
        // Layout: see `Record` (anchoredAt bits 64-103, statusIndex bits 184-223).
        if (uint40(packed >> 64) == 0) revert CredentialNotAnchored(issuer, credentialHash);
        uint256 statusIndex = uint40(packed >> 184);
        uint256 wordIndex = statusIndex / _ENTRIES_PER_WORD;
        mapping(uint256 => uint256) storage words = _statusWords[issuer];
        uint256 before = words[wordIndex];
        uint256 revokeBit = 1 << (2 * (statusIndex % _ENTRIES_PER_WORD));
        uint256 updated;
        if (action == StatusAction.Revoke) updated = before | revokeBit;
        else if (action == StatusAction.Suspend) updated = before | (revokeBit << 1);
        else if (before & revokeBit == 0) updated = before & ~(revokeBit << 1); // a revocation is final
        else updated = before;
        if (updated == before) revert CredentialStatusUnchanged(credentialHash, action);
        words[wordIndex] = updated;
        emit CredentialStatusChanged(credentialHash, issuer, action, reason);
    }

    /// @dev `word` with `action` applied to the entries flagged in `entries` (bit e = entry e).
    function _apply(uint256 word, uint256 entries, StatusAction action) internal pure returns (uint256) {
        uint256 revokeBits = _spread(entries);
        if (action == StatusAction.Revoke) return word | revokeBits;
        uint256 suspendBits = revokeBits << 1;
        if (action == StatusAction.Suspend) return word | suspendBits;
        // Reinstate: clear suspension only where not revoked; a revocation is final.
        return word & ~(suspendBits & ~((word & revokeBits) << 1));
    }

    /// @dev Spread 128 entry flags to the even bits of a word (bit e → bit 2e).
    function _spread(uint256 x) internal pure returns (uint256) {
        x &= type(uint128).max;
        x = (x | (x << 64)) & 0x0000000000000000FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF;
        x = (x | (x << 32)) & 0x00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F;
        x = (x | (x << 2)) & 0x3333333333333333333333333333333333333333333333333333333333333333;
        x = (x | (x << 1)) & 0x5555555555555555555555555555555555555555555555555555555555555555;
        return x;
    }

    /// @dev Reverts unless `actor` is the current controller of `issuer`'s DID: its owner or a
    /// valid "veriKey" delegate, read live from the ERC-1056 registry (see DIDActors).
    function _checkController(address issuer, address actor) private view {
        if (!_actsFor(issuer, actor)) revert CredentialUnauthorisedCaller(issuer, actor);
    }

    function _bits(address issuer, uint256 index) private view returns (bool revoked, bool suspended) {
        uint256 word = _statusWords[issuer][index / _ENTRIES_PER_WORD];
        uint256 shift = 2 * (index % _ENTRIES_PER_WORD);
        revoked = (word >> shift) & 1 == 1;
        suspended = (word >> (shift + 1)) & 1 == 1;
    }

    // ---------------------------------------------------------------- internals: validity

    function _inspectMember(
        address issuer,
        bytes32 root,
        bytes32 credentialHash,
        uint64 statusIndex,
        bytes32[] calldata proof
    ) private view returns (Report memory report) {
        Record memory b = _batches[issuer][root];
        if (b.anchoredAt == 0) {
            report.validity = Validity.NotAnchored;
            return report;
        }
        if (
            statusIndex < b.statusIndex || statusIndex >= uint256(b.statusIndex) + b.count
                || statusIndex % _ENTRIES_PER_WORD == 0
                || !MerkleProof.verifyCalldata(proof, root, leafOf(credentialHash, statusIndex))
        ) {
            report = _report(b, statusIndex);
            report.validity = Validity.InvalidProof;
            return report;
        }
        return _report(b, statusIndex);
    }

    function _report(Record memory r, uint256 statusIndex) private view returns (Report memory report) {
        address issuer = issuerById(r.issuerId);
        IssuerStatus issuerStatus = _issuers[issuer].status;
        (bool revoked, bool suspended) = _bits(issuer, statusIndex);
        uint64 now_ = _time();
        Validity v = Validity.Valid;
        if (issuerStatus == IssuerStatus.Removed) v = Validity.IssuerRemoved;
        else if (!_isActive(issuer)) v = Validity.IssuerDeactivated;
        else if (revoked) v = Validity.Revoked;
        else if (suspended) v = Validity.Suspended;
        else if (now_ < r.validFrom) v = Validity.NotYetValid;
        else if (r.validUntil != 0 && now_ > r.validUntil) v = Validity.Expired;
        report = Report(
            v,
            issuer,
            issuerStatus,
            schemaIdAt(r.schemaIndex),
            r.anchoredAt,
            r.validFrom,
            r.validUntil,
            uint64(statusIndex),
            revoked,
            suspended
        );
    }

    function _toAnchor(Record memory r) private view returns (Anchor memory) {
        return Anchor(
            issuerById(r.issuerId), schemaIdAt(r.schemaIndex), r.anchoredAt, r.validFrom, r.validUntil, r.statusIndex, r.count
        );
    }
}
