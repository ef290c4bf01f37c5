"""The consent registry client: grants (direct and signed-and-relayed), revocations, usage
receipts, reads, and consent receipts as JSON documents the subject keeps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount

from thekey.chain.connection import Chain
from thekey.chain.transactions import Receipt
from thekey.client import ContractClient
from thekey.consent.ids import describe
from thekey.eip712 import Domain, sign_typed_data, typed_data
from thekey.errors import BadInput, ContractRevert, TheKeyError
from thekey.hashing import keccak, to_checksum_address
from thekey.identity.did import did_for
from thekey.ids import HexFields

GRANT_TYPES: dict[str, list[tuple[str, str]]] = {
    "Grant": [
        ("subject", "address"),
        ("grantee", "address"),
        ("scope", "bytes32"),
        ("purpose", "bytes32"),
        ("validFrom", "uint64"),
        ("validUntil", "uint64"),
        ("maxUses", "uint32"),
        ("serial", "uint32"),
        ("signer", "address"),
        ("deadline", "uint256"),
    ]
}
REVOKE_TYPES: dict[str, list[tuple[str, str]]] = {
    "Revoke": [("id", "bytes32"), ("signer", "address"), ("deadline", "uint256")]
}
#: The ERC-1056 delegate type whose delegates act for a DID (bytes32 of the ASCII string).
DELEGATE_TYPE = b"sigAuth".ljust(32, b"\x00")
_UINT32_MAX = 2**32 - 1
_UINT64_MAX = 2**64 - 1


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _bytes32(value: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(str(value).removeprefix("0x")) if isinstance(value, str) else bytes(value)
    except ValueError:
        raise BadInput(f"{what} is not hex: {value!r}") from None
    if len(raw) != 32:
        raise BadInput(f"{what} must be 32 bytes")
    return raw


class ConsentNotFound(TheKeyError):
    """No consent with this id was ever granted on this registry."""


@dataclass(frozen=True)
class ConsentKey:
    """Which consent: the (subject, grantee, scope, purpose) tuple. It has at most one current
    consent; the registry keeps that one's state in one slot, and every call on a consent names
    the tuple and the consent id."""

    subject: str
    grantee: str
    scope: bytes
    purpose: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", to_checksum_address(self.subject))
        object.__setattr__(self, "grantee", to_checksum_address(self.grantee))
        object.__setattr__(self, "scope", _bytes32(self.scope, "scope"))
        object.__setattr__(self, "purpose", _bytes32(self.purpose, "purpose"))

    def as_tuple(self) -> tuple[str, str, bytes, bytes]:
        return (self.subject, self.grantee, self.scope, self.purpose)

    @property
    def hash(self) -> bytes:
        """The tuple's storage key: keccak256(abi.encode(subject, grantee, scope, purpose))."""
        return keccak(abi_encode(["address", "address", "bytes32", "bytes32"], list(self.as_tuple())))

    def consent_id(self, serial: int) -> bytes:
        """The id of the tuple's ``serial``-th consent (1 for its first grant)."""
        return keccak(self.hash + serial.to_bytes(32, "big"))


@dataclass(frozen=True)
class GrantRequest:
    """What a subject consents to. ``valid_from`` 0 = from the grant; ``valid_until`` 0 = no
    end; ``max_uses`` 0 = unlimited."""

    subject: str
    grantee: str
    scope: bytes
    purpose: bytes
    valid_from: int = 0
    valid_until: int = 0
    max_uses: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", to_checksum_address(self.subject))
        object.__setattr__(self, "grantee", to_checksum_address(self.grantee))
        object.__setattr__(self, "scope", _bytes32(self.scope, "scope"))
        object.__setattr__(self, "purpose", _bytes32(self.purpose, "purpose"))
        if not (0 <= self.valid_from <= _UINT64_MAX and 0 <= self.valid_until <= _UINT64_MAX):
            raise BadInput("valid-from and valid-until must be UNIX seconds (uint64)")
        if not 0 <= self.max_uses <= _UINT32_MAX:
            raise BadInput(f"max uses must be between 0 (unlimited) and {_UINT32_MAX}")

    @property
    def key(self) -> ConsentKey:
        return ConsentKey(self.subject, self.grantee, self.scope, self.purpose)

    def as_tuple(self) -> tuple[Any, ...]:
        return (
            self.subject,
            self.grantee,
            self.scope,
            self.purpose,
            self.valid_from,
            self.valid_until,
            self.max_uses,
        )

    def message(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "grantee": self.grantee,
            "scope": self.scope,
            "purpose": self.purpose,
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
            "maxUses": self.max_uses,
        }


@dataclass(frozen=True)
class Consent(HexFields):
    """A consent record as the registry holds it."""

    id: bytes
    subject: str
    grantee: str
    scope: bytes
    purpose: bytes
    valid_from: int
    valid_until: int
    max_uses: int
    uses: int
    revocation_time: int

    @property
    def key(self) -> ConsentKey:
        return ConsentKey(self.subject, self.grantee, self.scope, self.purpose)

    def status(self, now: int, subject_active: bool = True) -> str:
        """``revoked``, ``pending``, ``expired``, ``exhausted``, ``inactive-subject`` or ``live``."""
        if self.revocation_time:
            return "revoked"
        if now < self.valid_from:
            return "pending"
        if self.valid_until and now > self.valid_until:
            return "expired"
        if self.max_uses and self.uses >= self.max_uses:
            return "exhausted"
        return "live" if subject_active else "inactive-subject"

    def as_json(self, chain_id: int) -> dict[str, Any]:
        return {
            "id": _hex(self.id),
            "subject": did_for(chain_id, self.subject),
            "grantee": did_for(chain_id, self.grantee),
            "scope": describe(self.scope),
            "purpose": describe(self.purpose),
            "validFrom": self.valid_from,
            "validUntil": self.valid_until or None,
            "maxUses": self.max_uses or None,
            "uses": self.uses,
            "revocationTime": self.revocation_time or None,
        }


@dataclass(frozen=True)
class ConsentReceipt(HexFields):
    """The proof a subject keeps of a grant: what, to whom, for what, when, and where on chain."""

    consent_id: bytes
    subject: str
    grantee: str
    scope: bytes
    purpose: bytes
    valid_from: int
    valid_until: int
    max_uses: int
    granted_by: str
    chain_id: int
    registry: str
    tx_hash: str
    block_number: int
    block_time: int
    receipt: Receipt | None = field(default=None, repr=False, compare=False)

    def document(self) -> dict[str, Any]:
        """The JSON document (plain types only)."""
        return {
            "type": "TheKeyConsentReceipt",
            "version": 1,
            "consentId": _hex(self.consent_id),
            "subject": did_for(self.chain_id, self.subject),
            "grantee": did_for(self.chain_id, self.grantee),
            "scope": {"id": _hex(self.scope), "name": describe(self.scope)},
            "purpose": {"id": _hex(self.purpose), "name": describe(self.purpose)},
            "window": {"validFrom": self.valid_from, "validUntil": self.valid_until or None},
            "maxUses": self.max_uses or None,
            "grantedBy": self.granted_by,
            "chainId": self.chain_id,
            "registry": self.registry,
            "txHash": self.tx_hash,
            "block": self.block_number,
            "blockTime": self.block_time,
        }

    def to_json(self) -> str:
        return json.dumps(self.document(), indent=2, sort_keys=True)


@dataclass(frozen=True)
class SignedGrant(HexFields):
    """A grant signed off-line by ``signer`` (the subject's owner or delegate); anyone may relay it.

    ``serial`` is the number the new consent takes among its tuple's consents (the tuple's next
    when signed): once relayed — or once any other grant of the tuple came first — the signature
    is stale (``ConsentGrantSuperseded``), so no nonce is needed."""

    request: GrantRequest
    serial: int
    signer: str
    deadline: int
    signature: bytes

    def document(self) -> dict[str, Any]:
        r = self.request
        return {
            "type": "TheKeySignedGrant",
            "subject": r.subject,
            "grantee": r.grantee,
            "scope": _hex(r.scope),
            "purpose": _hex(r.purpose),
            "validFrom": r.valid_from,
            "validUntil": r.valid_until,
            "maxUses": r.max_uses,
            "serial": self.serial,
            "signer": self.signer,
            "deadline": self.deadline,
            "signature": _hex(self.signature),
        }

    @classmethod
    def from_document(cls, d: dict[str, Any]) -> SignedGrant:
        try:
            req = GrantRequest(
                d["subject"],
                d["grantee"],
                d["scope"],
                d["purpose"],
                int(d["validFrom"]),
                int(d["validUntil"]),
                int(d["maxUses"]),
            )
            sig = bytes.fromhex(str(d["signature"]).removeprefix("0x"))
            return cls(req, int(d["serial"]), to_checksum_address(d["signer"]), int(d["deadline"]), sig)
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, BadInput):
                raise
            raise BadInput(
                "not a signed-grant document (subject, grantee, scope, purpose, validFrom, validUntil, "
                "maxUses, serial, signer, deadline, signature)"
            ) from None


@dataclass(frozen=True)
class SignedRevoke(HexFields):
    """A revocation signed off-line by ``signer``; anyone may relay it. It names one consent,
    which can be revoked once, so no nonce is needed."""

    id: bytes
    signer: str
    deadline: int
    signature: bytes

    def document(self) -> dict[str, Any]:
        return {
            "type": "TheKeySignedRevoke",
            "id": _hex(self.id),
            "signer": self.signer,
            "deadline": self.deadline,
            "signature": _hex(self.signature),
        }

    @classmethod
    def from_document(cls, d: dict[str, Any]) -> SignedRevoke:
        try:
            sig = bytes.fromhex(str(d["signature"]).removeprefix("0x"))
            return cls(
                _bytes32(d["id"], "id"),
                to_checksum_address(d["signer"]),
                int(d["deadline"]),
                sig,
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, BadInput):
                raise
            raise BadInput("not a signed-revoke document (id, signer, deadline, signature)") from None


@dataclass(frozen=True)
class UsageRecord(HexFields):
    """One recorded use of a consent (one ``ConsentUsed`` event): the audit trail."""

    consent_id: bytes
    subject: str
    grantee: str
    access_hash: bytes
    use: int
    tx_hash: str
    block_number: int

    def as_json(self) -> dict[str, Any]:
        return {
            "consentId": _hex(self.consent_id),
            "subject": self.subject,
            "grantee": self.grantee,
            "accessHash": _hex(self.access_hash),
            "use": self.use,
            "txHash": self.tx_hash,
            "block": self.block_number,
        }


def grant_document(domain: Domain, request: GrantRequest, serial: int, signer: str, deadline: int) -> dict[str, Any]:
    """The EIP-712 document of a signed grant of the tuple's consent number ``serial``."""
    message = {
        **request.message(),
        "serial": serial,
        "signer": to_checksum_address(signer),
        "deadline": deadline,
    }
    return typed_data(domain, "Grant", GRANT_TYPES, message)


def revoke_document(domain: Domain, consent_id: bytes, signer: str, deadline: int) -> dict[str, Any]:
    """The EIP-712 document of a signed revocation."""
    message = {"id": consent_id, "signer": to_checksum_address(signer), "deadline": deadline}
    return typed_data(domain, "Revoke", REVOKE_TYPES, message)


class ConsentRegistry(ContractClient):
    ARTIFACT = "ConsentRegistry"
    KEY = "consent"

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address)
        self._keys: dict[bytes, ConsentKey] = {}  # consent id → its tuple (fixed for ever)

    # -- grants ---------------------------------------------------------------------------
    def grant(self, sender: LocalAccount, request: GrantRequest) -> ConsentReceipt:
        """Grant directly; ``sender`` must be the subject's owner or a sigAuth delegate."""
        return self._receipt(self._send(sender, "grant", request.as_tuple()))

    def sign_grant(
        self,
        signer: LocalAccount,
        request: GrantRequest,
        deadline: int,
        *,
        serial: int | None = None,
        domain: Domain | None = None,
    ) -> SignedGrant:
        """Sign a grant off-line, of the tuple's consent number ``serial`` (default: the tuple's
        next on chain now)."""
        serial = self.next_serial(request.key) if serial is None else serial
        doc = grant_document(domain or self.domain, request, serial, signer.address, deadline)
        return SignedGrant(request, serial, signer.address, deadline, sign_typed_data(signer, doc))

    def next_serial(self, key: ConsentKey) -> int:
        """The serial the tuple's next consent takes (1 for its first)."""
        try:
            return int(self._call("getConsent", key.as_tuple())[5]) + 1
        except ContractRevert as exc:
            if exc.name == "ConsentNotGranted":  # the tuple has never been granted
                return 1
            raise

    def grant_by_sig(self, relayer: LocalAccount, signed: SignedGrant) -> ConsentReceipt:
        """Relay a signed grant (``relayer`` pays the gas)."""
        rc = self._send(
            relayer,
            "grantBySig",
            signed.request.as_tuple(),
            signed.serial,
            signed.signer,
            signed.deadline,
            signed.signature,
        )
        return self._receipt(rc)

    def _receipt(self, rc: Receipt) -> ConsentReceipt:
        (ev,) = self.events(rc, "ConsentGranted")
        receipt = ConsentReceipt(
            consent_id=bytes(ev["id"]),
            subject=ev["subject"],
            grantee=ev["grantee"],
            scope=bytes(ev["scope"]),
            purpose=bytes(ev["purpose"]),
            valid_from=int(ev["validFrom"]),
            valid_until=int(ev["validUntil"]),
            max_uses=int(ev["maxUses"]),
            granted_by=ev["by"],
            chain_id=self.chain.chain_id,
            registry=self.address,
            tx_hash=rc.tx_hash,
            block_number=rc.block_number,
            block_time=self.chain.timestamp(rc.block_number),
            receipt=rc,
        )
        self._keys[receipt.consent_id] = _key(_granted_args(ev))
        return receipt

    # -- what a consent id names ----------------------------------------------------------
    def _grant_of(self, consent_id: bytes) -> dict[str, Any]:
        """The ``ConsentGranted`` arguments of ``consent_id`` (ConsentNotFound if none)."""
        consent_id = _bytes32(consent_id, "consent id")
        logs = self.contract.events.ConsentGranted.get_logs(from_block=0, argument_filters={"id": consent_id})
        if not logs:
            raise ConsentNotFound(f"no consent {_hex(consent_id)} on this registry (check the id and the chain)")
        found = _granted_args(logs[-1]["args"])
        self._keys[consent_id] = _key(found)
        return found

    def key_of(self, consent_id: bytes) -> ConsentKey:
        """The tuple consent ``consent_id`` is for (from its ``ConsentGranted`` event; an id names
        one tuple for ever, so the answer is kept)."""
        key = self._keys.get(bytes(consent_id))
        return key if key is not None else _key(self._grant_of(consent_id))

    # -- revocations ----------------------------------------------------------------------
    def revoke(self, sender: LocalAccount, consent_id: bytes) -> Receipt:
        return self._send(sender, "revoke", self.key_of(consent_id).as_tuple(), consent_id)

    def sign_revoke(
        self,
        signer: LocalAccount,
        consent_id: bytes,
        deadline: int,
        *,
        domain: Domain | None = None,
    ) -> SignedRevoke:
        doc = revoke_document(domain or self.domain, consent_id, signer.address, deadline)
        return SignedRevoke(consent_id, signer.address, deadline, sign_typed_data(signer, doc))

    def revoke_by_sig(self, relayer: LocalAccount, signed: SignedRevoke) -> Receipt:
        key = self.key_of(signed.id).as_tuple()
        return self._send(relayer, "revokeBySig", key, signed.id, signed.signer, signed.deadline, signed.signature)

    # -- usage ----------------------------------------------------------------------------
    def record_use(self, sender: LocalAccount, consent_id: bytes, access_hash: bytes) -> UsageRecord:
        """Record one use; ``sender`` acts for the grantee. Reverts unless the consent is live."""
        rc = self._send(sender, "recordUse", self.key_of(consent_id).as_tuple(), consent_id, access_hash)
        (ev,) = self.events(rc, "ConsentUsed")
        return UsageRecord(
            bytes(ev["id"]),
            ev["subject"],
            ev["grantee"],
            bytes(ev["accessHash"]),
            int(ev["use"]),
            rc.tx_hash,
            rc.block_number,
        )

    def audit_trail(self, consent_id: bytes, from_block: int = 0) -> list[UsageRecord]:
        """Every recorded use of ``consent_id``, oldest first (from the ``ConsentUsed`` events)."""
        logs = self.contract.events.ConsentUsed.get_logs(from_block=from_block, argument_filters={"id": consent_id})
        return [
            UsageRecord(
                bytes(e["args"]["id"]),
                e["args"]["subject"],
                e["args"]["grantee"],
                bytes(e["args"]["accessHash"]),
                int(e["args"]["use"]),
                "0x" + bytes(e["transactionHash"]).hex(),
                int(e["blockNumber"]),
            )
            for e in logs
        ]

    # -- reads ----------------------------------------------------------------------------
    def is_authorized(self, subject: str, grantee: str, scope: bytes, purpose: bytes) -> bool:
        return bool(
            self._call("isAuthorized", to_checksum_address(subject), to_checksum_address(grantee), scope, purpose)
        )

    def is_live(self, consent_id: bytes) -> bool:
        """Whether ``consent_id`` is its tuple's current consent and live now."""
        return bool(self._call("isLive", self.key_of(consent_id).as_tuple(), consent_id))

    def live_consent(self, key: ConsentKey) -> bytes | None:
        """The tuple's current consent if it is live now (one call), else None."""
        cid = bytes(self._call("liveConsent", key.as_tuple())[0])
        if cid == b"\x00" * 32:
            return None
        self._keys[cid] = key
        return cid

    def current_consent(self, subject: str, grantee: str, scope: bytes, purpose: bytes) -> bytes | None:
        cid = bytes(
            self._call("currentConsent", to_checksum_address(subject), to_checksum_address(grantee), scope, purpose)
        )
        return None if cid == b"\x00" * 32 else cid

    def get(self, consent_id: bytes) -> Consent:
        """Consent ``consent_id``: its terms from its grant, its uses and revocation from the chain
        (the tuple's slot while it is current; its events once a later grant replaced it)."""
        key = self.key_of(consent_id)
        c = self._call("getConsent", key.as_tuple())
        if bytes(c[0]) == bytes(consent_id):
            terms = (int(c[1]), int(c[2]), int(c[3]), int(c[4]), int(c[6]))
        else:  # replaced: the grant that replaced it revoked it, in the same transaction
            g = self._grant_of(consent_id)
            logs = self.contract.events.ConsentRevoked.get_logs(from_block=0, argument_filters={"id": consent_id})
            revoked = self.chain.timestamp(int(logs[0]["blockNumber"])) if logs else 0
            terms = (g["validFrom"], g["validUntil"], g["maxUses"], len(self.audit_trail(consent_id)), revoked)
        return Consent(bytes(consent_id), key.subject, key.grantee, key.scope, key.purpose, *terms)

    def ids(self, subject: str) -> list[bytes]:
        """The ids of every consent ``subject`` was ever granted, in grant order (from the
        ``ConsentGranted`` events: the registry stores only each tuple's current consent)."""
        logs = self.contract.events.ConsentGranted.get_logs(
            from_block=0, argument_filters={"subject": to_checksum_address(subject)}
        )
        out = []
        for log in logs:
            cid = bytes(log["args"]["id"])
            self._keys[cid] = _key(_granted_args(log["args"]))
            out.append(cid)
        return out

    def consents(self, subject: str) -> list[Consent]:
        """All of ``subject``'s consents, in grant order (the subject's dashboard)."""
        return [self.get(i) for i in self.ids(subject)]

    def acts_for(self, identity: str, actor: str) -> bool:
        return bool(self._call("actsFor", to_checksum_address(identity), to_checksum_address(actor)))

    def version(self) -> str:
        return str(self._call("version"))


def _key(g: dict[str, Any]) -> ConsentKey:
    return ConsentKey(g["subject"], g["grantee"], g["scope"], g["purpose"])


def _granted_args(ev: Any) -> dict[str, Any]:
    return {
        "subject": ev["subject"],
        "grantee": ev["grantee"],
        "scope": bytes(ev["scope"]),
        "purpose": bytes(ev["purpose"]),
        "validFrom": int(ev["validFrom"]),
        "validUntil": int(ev["validUntil"]),
        "maxUses": int(ev["maxUses"]),
    }
