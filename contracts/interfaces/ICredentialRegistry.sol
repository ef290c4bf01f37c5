// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IIssuerRegistry} from "./IIssuerRegistry.sol";

/// @title ICredentialRegistry — credential hash anchoring, bitstring status lists, one validity view
/// @notice Credential contents stay off chain; their hash (keccak256 of the RFC 8785 canonical
/// VC JSON) is anchored here by an authorised issuer, with its schema, validity window and an
/// entry in the issuer's status list.
///
/// Anchoring — namespaced by issuer
/// - Every anchor is keyed by (issuer, hash) — a nested mapping, as EAS puts the attester in every
///   UID — so no one can occupy another issuer's hash or batch root: a copy anchored by someone
///   else lives in that someone's namespace and names it as issuer. Every read takes the issuer
///   (a verifier takes it from the credential's `issuer` DID).
/// - Single: `anchor` (by the issuer DID's controller) or `anchorBySig` (an EIP-712 request a
///   controller signed offline, relayed by anyone; the issuer recorded is the signed `issuer`,
///   never the relayer). Write-once: an (issuer, hash) is never re-anchored or overwritten.
/// - Batch: `anchorBatch` / `anchorBatchBySig` anchor a Merkle root over many credentials.
///   Leaves are `keccak256(bytes.concat(keccak256(abi.encode(credentialHash, statusIndex))))`
///   with sorted-pair hashing — the StandardMerkleTree of the npm package openzeppelin/merkle-tree with leaf
///   encoding ["bytes32", "uint256"]. A batch stores only its root and metadata.
///
/// Status (W3C Bitstring Status List semantics)
/// - Each issuer has one list; an entry is (issuer, index). Purposes: `revocation` (final) and
///   `suspension` (reversible). Entries are held as 2-bit cells, 128 per 256-bit word (bit 2e =
///   revoked, bit 2e+1 = suspended for entry e of a word), so one transaction changes many.
/// - Index 128·k (entry 0 of every word) is reserved and never used: its bit is set when the
///   word is prepared, so later status writes update a non-zero slot (5,000 gas instead of
///   22,100). An issuer's list ends at its `statusWatermark` (a multiple of 128; 128 at
///   admission): an anchor whose entries lie past it prepares the words they need and moves it
///   (a single anchor does so about once per 127 anchors; otherwise it writes no issuer state).
/// - The issuer chooses each credential's index, so the index is known before anchoring and can
///   be written into the VC's `credentialStatus`. As in the W3C model the list is the issuer's to
///   manage: the contract does not stop an issuer from giving one index to two of its own
///   credentials (it would only ever affect that issuer's credentials); the SDK allocates
///   indexes past every one the issuer used (from its anchors' events and its local store).
///
/// Authority follows the DID: anchoring (direct and signed) and status changes are accepted from
/// the issuer DID's current controller — its ERC-1056 `identityOwner`, or a valid delegate of
/// type `DELEGATE_TYPE()` = "veriKey" (bytes32, right-padded, as did:ethr resolvers list
/// assertion keys) — read live from the registry at every call. After `changeOwner` the previous
/// key can do nothing; a deactivated DID has no controller. Status changes are accepted whatever
/// the issuer's own status is (a suspended issuer can still revoke) and touch only the named
/// issuer's records and list.
///
/// Validity (`isValid`, `validityOf`, `inspect`): anchored (and, for a batch member, proven),
/// issuer not removed, issuer's DID not deactivated, not revoked, not suspended, and
/// validFrom <= now <= validUntil (validUntil 0 = no expiry). Authorisation at issuance is
/// enforced when anchoring.
interface ICredentialRegistry {
    enum Validity {
        Valid,
        NotAnchored,
        InvalidProof,
        IssuerRemoved,
        IssuerDeactivated,
        Revoked,
        Suspended,
        NotYetValid,
        Expired
    }

    enum StatusAction {
        Revoke,
        Suspend,
        Reinstate
    }

    /// @notice An anchor as stored. Times are UNIX seconds, 0 = none.
    /// @param statusIndex the credential's status entry (single) or the first of the batch's range.
    /// @param count 0 for a single credential; for a batch the length of its status range
    /// [statusIndex, statusIndex + count) (reserved indexes inside it are skipped by members).
    struct Anchor {
        address issuer;
        bytes32 schemaId;
        uint64 anchoredAt;
        uint64 validFrom;
        uint64 validUntil;
        uint64 statusIndex;
        uint32 count;
    }

    /// @notice What an issuer signs for a relayed single anchor.
    struct AnchorRequest {
        address issuer;
        bytes32 credentialHash;
        bytes32 schemaId;
        uint64 validFrom;
        uint64 validUntil;
        uint64 statusIndex;
    }

    /// @notice What an issuer signs for a relayed batch anchor.
    struct BatchRequest {
        address issuer;
        bytes32 root;
        bytes32 schemaId;
        uint64 validFrom;
        uint64 validUntil;
        uint64 firstStatusIndex;
        uint32 count;
    }

    /// @notice A singly anchored credential: its issuer's namespace and its hash.
    struct CredentialRef {
        address issuer;
        bytes32 credentialHash;
    }

    /// @notice One credential to inspect (in `issuer`'s namespace): `root` zero for a singly anchored credential, else the
    /// batch root with the member's status index and Merkle proof.
    struct Query {
        address issuer;
        bytes32 credentialHash;
        bytes32 root;
        uint64 statusIndex;
        bytes32[] proof;
    }

    /// @notice Everything a verifier needs from the chain about one credential.
    struct Report {
        Validity validity;
        address issuer;
        IIssuerRegistry.IssuerStatus issuerStatus;
        bytes32 schemaId;
        uint64 anchoredAt;
        uint64 validFrom;
        uint64 validUntil;
        uint64 statusIndex;
        bool revoked;
        bool suspended;
    }

    event CredentialAnchored(
        bytes32 indexed credentialHash, address indexed issuer, bytes32 indexed schemaId, uint64 statusIndex
    );
    event BatchAnchored(
        bytes32 indexed root, address indexed issuer, bytes32 indexed schemaId, uint64 firstStatusIndex, uint32 count
    );
    /// @notice The status of `issuer`'s singly anchored credential changed (by hash).
    event CredentialStatusChanged(
        bytes32 indexed credentialHash, address indexed issuer, StatusAction action, bytes32 reason
    );
    /// @notice Entries of `issuer`'s list changed: bit e of `entries` = index wordIndex·128 + e.
    event StatusEntriesChanged(
        address indexed issuer, StatusAction indexed action, uint256 wordIndex, uint256 entries, bytes32 reason
    );

    /// @notice `issuer` already anchored `credentialHash` (write-once).
    error CredentialAlreadyAnchored(address issuer, bytes32 credentialHash);
    /// @notice `issuer` already anchored `root` (write-once).
    error CredentialBatchAlreadyAnchored(address issuer, bytes32 root);
    /// @notice `issuer` did not anchor `credentialHash` singly.
    error CredentialNotAnchored(address issuer, bytes32 credentialHash);
    /// @notice A zero hash or root, or an empty batch.
    error CredentialInvalidAnchor();
    /// @notice The window is empty, already over, or does not fit in 40 bits.
    error CredentialInvalidWindow(uint64 validFrom, uint64 validUntil);
    /// @notice `statusIndex` is reserved (a multiple of 128) or too large (≥ 2^40 − 128).
    error CredentialInvalidStatusIndex(address issuer, uint64 statusIndex);
    /// @notice `caller` is not the current controller of `issuer`'s DID (owner or valid
    /// "veriKey" delegate): it may neither anchor for it nor change its credentials' status.
    error CredentialUnauthorisedCaller(address issuer, address caller);
    /// @notice A relayed request's deadline `deadline` has passed.
    error CredentialExpiredSignature(uint64 deadline);
    /// @notice The signature is not `signer`'s (plain key or ERC-1271) for this request.
    error CredentialInvalidSignature(address signer);
    /// @notice `index` is reserved or past the end (`statusWatermark`) of `issuer`'s list.
    error CredentialStatusIndexNotAllocated(address issuer, uint256 index);
    /// @notice The change does not apply: already revoked, or reinstating what is not suspended.
    error CredentialStatusUnchanged(bytes32 credentialHash, StatusAction action);

    /// @notice Anchor `credentialHash` for `issuer` (an Active issuer granted the schema's
    /// credential type; `msg.sender` its DID's controller) with status entry `statusIndex`. The
    /// schema is a shared one or `issuer`'s own.
    function anchor(
        address issuer,
        bytes32 credentialHash,
        bytes32 schemaId,
        uint64 validFrom,
        uint64 validUntil,
        uint64 statusIndex
    ) external;

    /// @notice Anchor a request signed by `signer`, a controller of `request.issuer`'s DID
    /// (EIP-712 `Anchor`; `nonce` is the signer's, keyed: lane in the high 192 bits; deadline inclusive).
    function anchorBySig(
        AnchorRequest calldata request,
        address signer,
        uint256 nonce,
        uint64 deadline,
        bytes calldata signature
    ) external;

    /// @notice Anchor the Merkle root of a batch for `issuer` (`msg.sender` its DID's controller);
    /// its members' status entries lie in [firstStatusIndex, firstStatusIndex + count) (reserved
    /// indexes skipped).
    function anchorBatch(
        address issuer,
        bytes32 root,
        bytes32 schemaId,
        uint64 validFrom,
        uint64 validUntil,
        uint64 firstStatusIndex,
        uint32 count
    ) external;

    /// @notice Anchor a batch signed by `signer`, a controller of `request.issuer`'s DID
    /// (EIP-712 `AnchorBatch`, the signer's keyed nonce, deadline inclusive).
    function anchorBatchBySig(
        BatchRequest calldata request,
        address signer,
        uint256 nonce,
        uint64 deadline,
        bytes calldata signature
    ) external;

    /// @notice Revoke (final) a credential `msg.sender` anchored singly as issuer: its own DID,
    /// which it must still control (after `changeOwner` only the new owner can act).
    function revoke(bytes32 credentialHash, bytes32 reason) external;

    /// @notice Suspend (reversible) a credential `msg.sender` anchored singly as issuer.
    function suspend(bytes32 credentialHash, bytes32 reason) external;

    /// @notice Lift the suspension of a credential `msg.sender` anchored singly as issuer.
    function reinstate(bytes32 credentialHash, bytes32 reason) external;

    /// @notice Apply `action` to `issuer`'s singly anchored credential as a controller of its DID
    /// (the owner after a rotation, or a valid "veriKey" delegate). `revoke`/`suspend`/`reinstate`
    /// are this with `issuer = msg.sender`, 32 bytes of calldata cheaper.
    function changeStatus(address issuer, bytes32 credentialHash, StatusAction action, bytes32 reason) external;

    /// @notice Apply `action` to many entries of `issuer`'s list in one transaction (entries
    /// already in the target state are left as they are; reinstating never clears a revocation).
    function updateStatus(address issuer, StatusAction action, uint64[] calldata indexes, bytes32 reason) external;

    /// @notice `issuer`'s anchor of `credentialHash` (anchoredAt 0 when none).
    function getAnchor(address issuer, bytes32 credentialHash) external view returns (Anchor memory);

    /// @notice `issuer`'s anchor of batch root `root` (anchoredAt 0 when none).
    function getBatch(address issuer, bytes32 root) external view returns (Anchor memory);

    /// @notice Whether `issuer`'s singly anchored credential is valid now (see the validity rules).
    function isValid(address issuer, bytes32 credentialHash) external view returns (bool);

    /// @notice `isValid` for many singly anchored credentials, each naming its issuer.
    function isValidBatch(CredentialRef[] calldata credentials) external view returns (bool[] memory);

    /// @notice Why `issuer`'s singly anchored credential is valid or not.
    function validityOf(address issuer, bytes32 credentialHash) external view returns (Validity);

    /// @notice Whether a batch member (hash, status index, proof) of `issuer`'s `root` is valid now.
    function isValidMember(
        address issuer,
        bytes32 root,
        bytes32 credentialHash,
        uint64 statusIndex,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Full reports for many credentials, single or batch members, in one call.
    function inspect(Query[] calldata queries) external view returns (Report[] memory);

    /// @notice The revocation and suspension bits of entry `index` of `issuer`'s list.
    function statusOf(address issuer, uint256 index) external view returns (bool revoked, bool suspended);

    /// @notice `count` raw words of `issuer`'s list from word `fromWord` (for exporting the list).
    function statusWords(address issuer, uint256 fromWord, uint256 count) external view returns (uint256[] memory);

    /// @notice The Merkle leaf of a batch member (StandardMerkleTree, ["bytes32", "uint256"]).
    function leafOf(bytes32 credentialHash, uint64 statusIndex) external pure returns (bytes32);

    /// @notice The ERC-1056 registry consulted for issuers' DIDs.
    function identityRegistry() external view returns (address);

    /// @notice The contract's semantic version.
    function version() external view returns (string memory);
}
