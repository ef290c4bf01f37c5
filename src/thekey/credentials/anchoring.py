"""The CredentialRegistry client: anchoring (single, relayed, batch), status and validity reads."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.chain.connection import Chain
from thekey.chain.transactions import Receipt
from thekey.credentials.inspection import INSPECT_SIGNATURE, decode_reports, encode_queries
from thekey.credentials.issuers import IssuerRegistry, IssuerStatus
from thekey.credentials.schemas import SchemaRegistry
from thekey.eip712 import Domain, sign_typed_data, typed_data
from thekey.hashing import to_checksum_address
from thekey.ids import HexFields

#: The ERC-1056 delegate type whose valid delegates act for an issuer DID (anchor, change status).
ISSUER_DELEGATE_TYPE = b"veriKey".ljust(32, b"\x00")
BATCH_LEAF_ENCODING = ("bytes32", "uint256")

ANCHOR_TYPES: dict[str, list[tuple[str, str]]] = {
    "Anchor": [
        ("issuer", "address"),
        ("credentialHash", "bytes32"),
        ("schemaId", "bytes32"),
        ("validFrom", "uint64"),
        ("validUntil", "uint64"),
        ("statusIndex", "uint64"),
        ("nonce", "uint256"),
        ("deadline", "uint64"),
    ]
}
ANCHOR_BATCH_TYPES: dict[str, list[tuple[str, str]]] = {
    "AnchorBatch": [
        ("issuer", "address"),
        ("root", "bytes32"),
        ("schemaId", "bytes32"),
        ("validFrom", "uint64"),
        ("validUntil", "uint64"),
        ("firstStatusIndex", "uint64"),
        ("count", "uint32"),
        ("nonce", "uint256"),
        ("deadline", "uint64"),
    ]
}


class Validity(IntEnum):
    VALID = 0
    NOT_ANCHORED = 1
    INVALID_PROOF = 2
    ISSUER_REMOVED = 3
    ISSUER_DEACTIVATED = 4
    REVOKED = 5
    SUSPENDED = 6
    NOT_YET_VALID = 7
    EXPIRED = 8


class StatusAction(IntEnum):
    REVOKE = 0
    SUSPEND = 1
    REINSTATE = 2


@dataclass(frozen=True)
class Anchor(HexFields):
    issuer: str
    schema_id: bytes
    anchored_at: int
    valid_from: int
    valid_until: int
    status_index: int
    count: int

    @property
    def anchored(self) -> bool:
        return self.anchored_at != 0


@dataclass(frozen=True)
class Query(HexFields):
    """One credential of ``issuer``'s namespace to inspect: ``root`` None for a single anchor,
    else a batch member."""

    issuer: str
    credential_hash: bytes
    root: bytes | None = None
    status_index: int = 0
    proof: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Report(HexFields):
    validity: Validity
    issuer: str
    issuer_status: IssuerStatus
    schema_id: bytes
    anchored_at: int
    valid_from: int
    valid_until: int
    status_index: int
    revoked: bool
    suspended: bool


@dataclass(frozen=True)
class SignedAnchor(HexFields):
    """An anchor request signed offline by a controller (``signer``) of the issuer DID; anyone may relay it."""

    issuer: str
    signer: str
    credential_hash: bytes
    schema_id: bytes
    valid_from: int
    valid_until: int
    status_index: int
    nonce: int
    deadline: int
    signature: bytes


@dataclass(frozen=True)
class SignedBatch(HexFields):
    issuer: str
    signer: str
    root: bytes
    schema_id: bytes
    valid_from: int
    valid_until: int
    first_status_index: int
    count: int
    nonce: int
    deadline: int
    signature: bytes


def anchor_document(domain: Domain, message: dict[str, Any]) -> dict[str, Any]:
    return typed_data(domain, "Anchor", ANCHOR_TYPES, message)


def batch_document(domain: Domain, message: dict[str, Any]) -> dict[str, Any]:
    return typed_data(domain, "AnchorBatch", ANCHOR_BATCH_TYPES, message)


def _issuer(sender: LocalAccount, issuer: str | None) -> str:
    return to_checksum_address(issuer or sender.address)


def _anchor(raw: Sequence[Any]) -> Anchor:
    issuer, schema, at, vf, vu, index, count = raw
    return Anchor(str(issuer), bytes(schema), int(at), int(vf), int(vu), int(index), int(count))


@dataclass
class StatusReservations:
    """The highest status index this client handed out per issuer (lower-case address)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    top: dict[str, int] = field(default_factory=dict)


class CredentialRegistry(IssuerRegistry, SchemaRegistry):
    """Issuers, schemas, anchors and status lists — one contract, one client."""

    ARTIFACT = "CredentialRegistry"
    KEY = "credentials"

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address)
        self.status_reservations = StatusReservations()

    # -- anchoring --------------------------------------------------------------------------
    def anchor(
        self,
        sender: LocalAccount,
        credential_hash: bytes,
        schema_id: bytes,
        valid_from: int,
        valid_until: int,
        status_index: int,
        *,
        issuer: str | None = None,
    ) -> Receipt:
        """Anchor for ``issuer`` (default: the sender's own DID); the sender must control it."""
        who = _issuer(sender, issuer)
        return self._send(sender, "anchor", who, credential_hash, schema_id, valid_from, valid_until, status_index)

    def anchor_batch(
        self,
        sender: LocalAccount,
        root: bytes,
        schema_id: bytes,
        valid_from: int,
        valid_until: int,
        first_status_index: int,
        count: int,
        *,
        issuer: str | None = None,
    ) -> Receipt:
        who = _issuer(sender, issuer)
        return self._send(
            sender, "anchorBatch", who, root, schema_id, valid_from, valid_until, first_status_index, count
        )

    def sign_anchor(
        self,
        issuer: LocalAccount,
        credential_hash: bytes,
        schema_id: bytes,
        valid_from: int,
        valid_until: int,
        status_index: int,
        deadline: int,
        *,
        nonce: int | None = None,
        domain: Domain | None = None,
        issuer_address: str | None = None,
        signer_address: str | None = None,
    ) -> SignedAnchor:
        """Sign an anchor request offline with the key ``issuer``. ``signer_address`` names an
        ERC-1271 wallet whose key it is (default: the key's own address); ``issuer_address`` the
        issuer DID the signer controls (default: the signer itself)."""
        signer = to_checksum_address(signer_address or issuer.address)
        who = to_checksum_address(issuer_address or signer)
        nonce = self.nonce_of(signer) if nonce is None else nonce
        message = {
            "issuer": who,
            "credentialHash": credential_hash,
            "schemaId": schema_id,
            "validFrom": valid_from,
            "validUntil": valid_until,
            "statusIndex": status_index,
            "nonce": nonce,
            "deadline": deadline,
        }
        signature = sign_typed_data(issuer, anchor_document(domain or self.domain, message))
        return SignedAnchor(
            who, signer, credential_hash, schema_id, valid_from, valid_until, status_index, nonce, deadline, signature
        )

    def relay_anchor(self, sender: LocalAccount, signed: SignedAnchor) -> Receipt:
        request = (
            signed.issuer,
            signed.credential_hash,
            signed.schema_id,
            signed.valid_from,
            signed.valid_until,
            signed.status_index,
        )
        return self._send(
            sender, "anchorBySig", request, signed.signer, signed.nonce, signed.deadline, signed.signature
        )

    def sign_batch(
        self,
        issuer: LocalAccount,
        root: bytes,
        schema_id: bytes,
        valid_from: int,
        valid_until: int,
        first_status_index: int,
        count: int,
        deadline: int,
        *,
        nonce: int | None = None,
        domain: Domain | None = None,
        issuer_address: str | None = None,
        signer_address: str | None = None,
    ) -> SignedBatch:
        """Sign a batch anchor request offline (``signer_address`` / ``issuer_address`` as in ``sign_anchor``)."""
        signer = to_checksum_address(signer_address or issuer.address)
        who = to_checksum_address(issuer_address or signer)
        nonce = self.nonce_of(signer) if nonce is None else nonce
        message = {
            "issuer": who,
            "root": root,
            "schemaId": schema_id,
            "validFrom": valid_from,
            "validUntil": valid_until,
            "firstStatusIndex": first_status_index,
            "count": count,
            "nonce": nonce,
            "deadline": deadline,
        }
        signature = sign_typed_data(issuer, batch_document(domain or self.domain, message))
        return SignedBatch(
            who, signer, root, schema_id, valid_from, valid_until, first_status_index, count, nonce, deadline, signature
        )

    def relay_batch(self, sender: LocalAccount, signed: SignedBatch) -> Receipt:
        request = (
            signed.issuer,
            signed.root,
            signed.schema_id,
            signed.valid_from,
            signed.valid_until,
            signed.first_status_index,
            signed.count,
        )
        return self._send(
            sender, "anchorBatchBySig", request, signed.signer, signed.nonce, signed.deadline, signed.signature
        )

    # -- status -----------------------------------------------------------------------------
    def revoke(
        self, sender: LocalAccount, credential_hash: bytes, reason: bytes, *, issuer: str | None = None
    ) -> Receipt:
        """Revoke ``issuer``'s (default: the sender's own) credential; the sender must control its DID."""
        return self.change_status(sender, StatusAction.REVOKE, credential_hash, reason, issuer=issuer)

    def suspend(
        self, sender: LocalAccount, credential_hash: bytes, reason: bytes, *, issuer: str | None = None
    ) -> Receipt:
        return self.change_status(sender, StatusAction.SUSPEND, credential_hash, reason, issuer=issuer)

    def reinstate(
        self, sender: LocalAccount, credential_hash: bytes, reason: bytes, *, issuer: str | None = None
    ) -> Receipt:
        return self.change_status(sender, StatusAction.REINSTATE, credential_hash, reason, issuer=issuer)

    def change_status(
        self,
        sender: LocalAccount,
        action: StatusAction,
        credential_hash: bytes,
        reason: bytes,
        *,
        issuer: str | None = None,
    ) -> Receipt:
        """``revoke``/``suspend``/``reinstate`` for the sender's own DID, else ``changeStatus``."""
        who = _issuer(sender, issuer)
        if who == to_checksum_address(sender.address):
            return self._send(sender, action.name.lower(), credential_hash, reason)
        return self._send(sender, "changeStatus", who, credential_hash, int(action), reason)

    def update_status(
        self, sender: LocalAccount, issuer: str, action: StatusAction, indexes: Sequence[int], reason: bytes
    ) -> Receipt:
        """Apply ``action`` to many entries of ``issuer``'s list (sorted, so each word is written once)."""
        ordered = sorted(set(indexes))
        return self._send(sender, "updateStatus", to_checksum_address(issuer), int(action), ordered, reason)

    # -- reads ------------------------------------------------------------------------------
    def get_anchor(self, issuer: str, credential_hash: bytes) -> Anchor:
        return _anchor(self._call("getAnchor", to_checksum_address(issuer), credential_hash))

    def get_batch(self, issuer: str, root: bytes) -> Anchor:
        return _anchor(self._call("getBatch", to_checksum_address(issuer), root))

    def is_valid(self, issuer: str, credential_hash: bytes) -> bool:
        return bool(self._call("isValid", to_checksum_address(issuer), credential_hash))

    def is_valid_batch(self, credentials: Sequence[tuple[str, bytes]]) -> list[bool]:
        """``isValid`` for many (issuer, credential hash) pairs in one call."""
        refs = [(to_checksum_address(i), h) for i, h in credentials]
        return [bool(v) for v in self._call("isValidBatch", refs)]

    def validity_of(self, issuer: str, credential_hash: bytes) -> Validity:
        return Validity(self._call("validityOf", to_checksum_address(issuer), credential_hash))

    def is_valid_member(
        self, issuer: str, root: bytes, credential_hash: bytes, status_index: int, proof: Sequence[bytes]
    ) -> bool:
        who = to_checksum_address(issuer)
        return bool(self._call("isValidMember", who, root, credential_hash, status_index, list(proof)))

    def inspect(self, queries: Sequence[Query]) -> list[Report]:
        """Reports for many credentials in ONE eth_call."""
        if not queries:
            return []
        raw = decode_reports(self._call_raw(INSPECT_SIGNATURE, encode_queries(queries)))
        return [
            Report(Validity(v), to_checksum_address(issuer), IssuerStatus(ist), sid, at, vf, vu, idx, rev, sus)
            for v, issuer, ist, sid, at, vf, vu, idx, rev, sus in raw
        ]

    def status_of(self, issuer: str, index: int) -> tuple[bool, bool]:
        revoked, suspended = self._call("statusOf", to_checksum_address(issuer), index)
        return bool(revoked), bool(suspended)

    def status_words(self, issuer: str, from_word: int = 0, count: int | None = None) -> list[int]:
        """Raw list words; by default every word up to the end of the issuer's list."""
        if count is None:
            count = max(0, self.get_issuer(issuer).status_watermark // 128 - from_word)
        return [int(w) for w in self._call("statusWords", to_checksum_address(issuer), from_word, count)]

    def highest_status_index(self, issuer: str) -> int:
        """The highest status index any of ``issuer``'s anchors used (0 if none), from its events."""
        who = to_checksum_address(issuer)
        top = 0
        for log in self.contract.events.CredentialAnchored().get_logs(from_block=0, argument_filters={"issuer": who}):
            top = max(top, int(log["args"]["statusIndex"]))
        for log in self.contract.events.BatchAnchored().get_logs(from_block=0, argument_filters={"issuer": who}):
            top = max(top, int(log["args"]["firstStatusIndex"]) + int(log["args"]["count"]) - 1)
        return top

    def leaf_of(self, credential_hash: bytes, status_index: int) -> bytes:
        return bytes(self._call("leafOf", credential_hash, status_index))
