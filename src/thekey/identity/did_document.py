"""Resolve ``did:ethr`` DIDs to W3C DID documents from the eID registry's events and state.

This follows the did:ethr method specification exactly as the reference resolver
(npm ``ethr-did-resolver`` 11) implements it, field by field, so that for the same registry
history both return the same document:

- the history is the list ``previousChange`` links from ``changed(identity)``, read with one
  ``eth_getLogs`` (address = registry, topic0 = the three events, topic1 = identity) over the
  blocks up to ``changed(identity)`` and followed through its answer; a node refusing the range
  gets one targeted ``eth_getLogs`` per changed block instead (the reference's way);
- ``#controller`` (EcdsaSecp256k1RecoveryMethod2020 with ``blockchainAccountId``
  ``eip155:<chainId>:<controller>``), ``#controllerKey`` for public-key DIDs still controlled by
  their key, ``#delegate-N`` for ``veriKey`` / ``sigAuth`` delegates and ``did/pub/…`` attributes,
  ``#service-N`` for ``did/svc/…`` attributes; N counts every delegate / key / service event,
  valid or not, as the reference does;
- an entry is listed while ``validTo >= now``; ``now`` defaults to the latest block's time (the
  chain's clock, as ``validDelegate`` uses it — the npm resolver uses the wall clock);
- a DID whose owner changed to the zero address is deactivated: empty document, metadata
  ``deactivated: true``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from eth_keys import keys

from thekey.chain.connection import Chain
from thekey.errors import BadInput, ChainError
from thekey.hashing import keccak, to_checksum_address
from thekey.identity.did import NETWORK_NAMES
from thekey.parsing import is_digits, iso_time

if TYPE_CHECKING:
    from thekey.deploy import Deployment

CONTEXT = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/suites/secp256k1recovery-2020/v2",
    "https://w3id.org/security/v3-unstable",
]
RECOVERY_2020 = "EcdsaSecp256k1RecoveryMethod2020"
VERIFICATION_2019 = "EcdsaSecp256k1VerificationKey2019"
NULL_ADDRESS = "0x0000000000000000000000000000000000000000"

LEGACY_ATTR_TYPES = {
    "sigAuth": "SignatureAuthentication2018",
    "veriKey": "VerificationKey2018",
    "enc": "KeyAgreementKey2019",
}
LEGACY_ALGO_MAP = {
    "Secp256k1VerificationKey2018": VERIFICATION_2019,
    "Ed25519SignatureAuthentication2018": "Ed25519VerificationKey2018",
    "Secp256k1SignatureAuthentication2018": VERIFICATION_2019,
    "RSAVerificationKey2018": "RSAVerificationKey2018",
    "Ed25519VerificationKey2018": "Ed25519VerificationKey2018",
    "X25519KeyAgreementKey2019": "X25519KeyAgreementKey2019",
}

OWNER_CHANGED = "0x" + keccak(text="DIDOwnerChanged(address,address,uint256)").hex()
DELEGATE_CHANGED = "0x" + keccak(text="DIDDelegateChanged(address,bytes32,address,uint256,uint256)").hex()
ATTRIBUTE_CHANGED = "0x" + keccak(text="DIDAttributeChanged(address,bytes32,bytes,uint256,uint256)").hex()
EVENTS = [OWNER_CHANGED, DELEGATE_CHANGED, ATTRIBUTE_CHANGED]
_EVENT_LAYOUT: dict[str, tuple[str, list[str], list[str]]] = {
    OWNER_CHANGED: ("DIDOwnerChanged", ["owner", "previousChange"], ["address", "uint256"]),
    DELEGATE_CHANGED: (
        "DIDDelegateChanged",
        ["delegateType", "delegate", "validTo", "previousChange"],
        ["bytes32", "address", "uint256", "uint256"],
    ),
    ATTRIBUTE_CHANGED: (
        "DIDAttributeChanged",
        ["name", "value", "validTo", "previousChange"],
        ["bytes32", "bytes", "uint256", "uint256"],
    ),
}

_ID = re.compile(r"^did:ethr:(?:(?P<network>.+):)?(?P<id>0x[0-9a-fA-F]{40}|0x[0-9a-fA-F]{66})$")
_ATTRIBUTE = re.compile(r"^did/(pub|svc)/([A-Za-z0-9_]+)(/([A-Za-z0-9_]+))?(/([A-Za-z0-9_]+))?$")
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True)
class RegistryEvent:
    """One decoded ERC-1056 event of an identity (strings as the reference resolver sees them)."""

    name: str  # DIDOwnerChanged | DIDDelegateChanged | DIDAttributeChanged
    block_number: int
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def valid_to(self) -> int:
        return int(self.args.get("validTo", 0))


@dataclass(frozen=True)
class Resolution:
    """A DID resolution result (W3C DID Resolution: document, document metadata, resolution metadata)."""

    did_document: dict[str, Any] | None
    did_document_metadata: dict[str, Any]
    did_resolution_metadata: dict[str, Any]

    @property
    def deactivated(self) -> bool:
        return bool(self.did_document_metadata.get("deactivated", False))

    def as_dict(self) -> dict[str, Any]:
        return {
            "didDocument": self.did_document,
            "didDocumentMetadata": self.did_document_metadata,
            "didResolutionMetadata": self.did_resolution_metadata,
        }


def _bytes32_to_string(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8").rstrip("\x00")
    except UnicodeDecodeError:
        return None


_checksum = lru_cache(maxsize=4096)(to_checksum_address)


def _decode_data(types: list[str], data: bytes) -> list[Any]:
    """An event's ABI-encoded data as the reference resolver reads it: ``bytes32`` as text (None if
    not UTF-8), ``bytes`` as 0x-hex, ``address`` checksummed, ``uint256`` as int. (By hand: these
    layouts are a static head and at most one ``bytes``, and eth_abi would cost most of a resolution.)"""
    if len(data) < 32 * len(types):
        raise BadInput(f"a registry event's data is {len(data)} bytes, too short for {', '.join(types)}")
    values: list[Any] = []
    for i, kind in enumerate(types):
        word = data[32 * i : 32 * i + 32]
        if kind == "bytes32":
            values.append(_bytes32_to_string(word))
        elif kind == "address":
            values.append(_checksum("0x" + word[12:].hex()))
        elif kind == "uint256":
            values.append(int.from_bytes(word, "big"))
        else:  # bytes: the head word is the offset of its length word
            start = int.from_bytes(word, "big") + 32
            end = start + int.from_bytes(data[start - 32 : start], "big")
            if end > len(data):
                raise BadInput("a registry event's bytes value runs past its data")
            values.append("0x" + data[start:end].hex())
    return values


def _base58(raw: bytes) -> str:
    value = int.from_bytes(raw, "big")
    out = ""
    while value:
        value, rem = divmod(value, 58)
        out = _BASE58[rem] + out
    for b in raw:
        if b:
            break
        out = _BASE58[0] + out
    return out


def _error(error: str, message: str) -> Resolution:
    return Resolution(None, {}, {"error": error, "message": message})


class DIDResolver:
    """Resolves ``did:ethr:<network>:<address or public key>`` against one registry on one chain.

    ``from_block`` (the registry's deployment block, if known) bounds the history query.
    ``networks`` maps extra network names to chain ids (besides ``thekey.identity.did.NETWORK_NAMES``);
    a DID naming another chain resolves to the ``unknownNetwork`` error, as the reference does.
    """

    def __init__(
        self, chain: Chain, registry: str, networks: dict[str, int] | None = None, *, from_block: int = 0
    ) -> None:
        self.chain = chain
        self.registry = to_checksum_address(registry)
        self.networks = {**NETWORK_NAMES, **(networks or {})}
        self.from_block = from_block  # the registry's deployment block: no earlier block holds its logs

    @classmethod
    def from_deployment(cls, deployment: Deployment, networks: dict[str, int] | None = None) -> DIDResolver:
        """The resolver of the suite's registry, its history query starting at the registry's block."""
        entry = deployment.manifest["contracts"].get("identity", {})
        return cls(
            deployment.chain, deployment.address("identity"), networks, from_block=int(entry.get("blockNumber", 0))
        )

    # -- history --------------------------------------------------------------------------
    def changed(self, address: str) -> int:
        data = "0x" + keccak(text="changed(address)")[:4].hex() + "00" * 12 + address[2:].lower()
        return int(self.chain.rpc("eth_call", [{"to": self.registry, "data": data}, "latest"]), 16)

    def change_log(self, address: str) -> list[RegistryEvent]:
        """The identity's events in chronological order, following ``previousChange`` from
        ``changed(identity)`` (the ERC-1056 linked list is the source of truth).

        One ``eth_getLogs`` over ``[from_block, changed]`` fetches every block of the list at
        once; the list is then followed through those logs, so only its blocks count. A node that
        refuses the range (public RPCs cap ranges and result counts), or an answer that lacks a
        block of the list, falls back to one ``eth_getLogs`` per changed block."""
        address = to_checksum_address(address)
        head = self.changed(address)
        if not head:
            return []
        try:
            logs = self._logs(address, min(self.from_block, head), head)
        except ChainError:  # the node refuses the range
            return self.walk(address)
        by_block: dict[int, list[dict[str, Any]]] = {}
        for log in logs:
            by_block.setdefault(int(log["blockNumber"], 16), []).append(log)
        history = self._follow(head, by_block.get)
        return self.walk(address) if history is None else history

    def walk(self, address: str) -> list[RegistryEvent]:
        """:meth:`change_log` the slow, sure way: one ``eth_getLogs`` per changed block."""
        history = self._follow(self.changed(address), lambda block: self._logs(address, block, block))
        if history is None:
            raise BadInput("the registry's change list points to a block holding none of the identity's logs")
        return history

    def _logs(self, address: str, from_block: int, to_block: int) -> list[dict[str, Any]]:
        """The registry's ERC-1056 events of ``address`` in ``[from_block, to_block]``."""
        topic = "0x" + "00" * 12 + to_checksum_address(address)[2:].lower()
        query = {"address": self.registry, "topics": [EVENTS, topic], "fromBlock": hex(from_block),
                 "toBlock": hex(to_block)}  # fmt: skip
        return list(self.chain.rpc("eth_getLogs", [query]))

    @classmethod
    def _follow(cls, head: int, logs_at: Callable[[int], list[dict[str, Any]] | None]) -> list[RegistryEvent] | None:
        """The events of the blocks on the list from ``head`` back, oldest first; None if a
        block on it has no logs."""
        chunks: list[list[RegistryEvent]] = []
        block = head
        while block:
            logs = logs_at(block)
            if not logs:
                return None
            events, block = cls._decode(logs, block)
            chunks.append(events)
        return [event for chunk in reversed(chunks) for event in chunk]

    @staticmethod
    def _decode(logs: list[dict[str, Any]], block: int) -> tuple[list[RegistryEvent], int]:
        """One block's events of the identity, and the earliest earlier block they point to."""
        events: list[RegistryEvent] = []
        previous = 0
        for log in logs:
            layout = _EVENT_LAYOUT.get(str(log["topics"][0]).lower())
            if layout is None:
                continue
            name, fields, types = layout
            values = _decode_data(types, bytes.fromhex(str(log["data"])[2:]))
            args = dict(zip(fields, values, strict=True))
            pc = args["previousChange"]
            if 0 < pc < block and (previous == 0 or pc < previous):
                previous = pc
            if None not in values:  # a bytes32 that is not UTF-8: not a DID-spec event (the reference skips it too)
                events.append(RegistryEvent(name, int(log["blockNumber"], 16), args))
        return events, previous

    # -- the document ---------------------------------------------------------------------
    def resolve(self, did: str, *, now: int | None = None, accept: str = "application/did+ld+json") -> Resolution:
        """Resolve ``did`` (optionally ``?versionId=<block>``) as ``ethr-did-resolver`` does."""
        if accept == "application/did+json":
            context: dict[str, Any] = {}
        elif accept == "application/did+ld+json":
            context = {"@context": list(CONTEXT)}
        else:
            return _error(
                "unsupportedFormat",
                f"The DID resolver does not support the requested 'accept' format: {accept}",
            )
        base, _, query = did.strip().partition("?")
        m = _ID.match(base)
        if not m:
            return _error("invalidDid", f"Not a valid did:ethr: {did}")
        network = m.group("network") or "mainnet"
        if network.startswith("0x"):
            try:
                chain_id = int(network, 16)
            except ValueError:
                return _error("invalidDid", f"Not a valid did:ethr: {did}")
        else:
            chain_id = self.networks.get(network, -1)
        if chain_id != self.chain.chain_id:
            return _error("unknownNetwork", f"The DID resolver does not have a configuration for network: {network}")
        block_height: int | None = None
        for part in query.split("&") if query else []:
            key, _, value = part.partition("=")
            if key == "versionId" and is_digits(value.strip().lstrip("-")):
                block_height = int(value)
        ident = m.group("id")
        controller_key: str | None = None
        if len(ident) == 68:
            try:
                address = keys.PublicKey.from_compressed_bytes(bytes.fromhex(ident[2:])).to_checksum_address()
            except Exception:
                return _error("invalidDid", f"Not a valid did:ethr: {did}")
            controller_key = ident
        else:
            address = to_checksum_address(ident)
        if block_height is not None:
            now = self.chain.timestamp(block_height)
        elif now is None:
            now = self.chain.timestamp()
        history = self.change_log(address)
        document, deactivated, version_id, next_version_id = self.wrap(
            base, address, controller_key, history, chain_id, block_height, now
        )
        meta: dict[str, Any] = {"deactivated": True} if deactivated else {}
        if version_id:
            meta |= {"versionId": str(version_id), "updated": iso_time(self.chain.timestamp(version_id))}
        if next_version_id is not None:
            meta |= {
                "nextVersionId": str(next_version_id),
                "nextUpdate": iso_time(self.chain.timestamp(next_version_id)),
            }
        return Resolution({**document, **context}, meta, {"contentType": accept})

    @staticmethod
    def wrap(
        did: str,
        address: str,
        controller_key: str | None,
        history: list[RegistryEvent],
        chain_id: int,
        block_height: int | None,
        now: int,
    ) -> tuple[dict[str, Any], bool, int, int | None]:
        """The document of ``history`` at ``now`` (and up to ``block_height`` when given):
        ``(document, deactivated, versionId, nextVersionId)``."""
        base: dict[str, Any] = {
            "id": did,
            "verificationMethod": [],
            "authentication": [],
            "assertionMethod": [],
        }
        controller = address
        authentication = [f"{did}#controller"]
        assertion = [f"{did}#controller"]
        version_id = 0
        next_version_id: int | None = None
        deactivated = False
        delegates = services_count = 0
        auth: dict[str, str] = {}
        key_agreement: dict[str, str] = {}
        signing: dict[str, str] = {}
        pks: dict[str, dict[str, Any]] = {}
        services: dict[str, dict[str, Any]] = {}
        for event in history:
            if block_height is not None and event.block_number > block_height:
                if next_version_id is None or next_version_id > event.block_number:
                    next_version_id = event.block_number
                continue
            version_id = max(version_id, event.block_number)
            a = event.args
            first = a.get("delegateType") or a.get("name") or "undefined"
            second = a.get("delegate") or a.get("value") or "undefined"
            index = f"{event.name}-{first}-{second}"
            valid_to = event.valid_to
            if valid_to and valid_to >= now:
                if event.name == "DIDDelegateChanged":
                    delegates += 1
                    ref = f"{did}#delegate-{delegates}"
                    if a["delegateType"] in ("sigAuth", "veriKey"):
                        if a["delegateType"] == "sigAuth":
                            auth[index] = ref
                        pks[index] = {
                            "id": ref,
                            "type": RECOVERY_2020,
                            "controller": did,
                            "blockchainAccountId": f"eip155:{chain_id}:{a['delegate']}",
                        }
                        signing[index] = ref
                elif event.name == "DIDAttributeChanged":
                    match = _ATTRIBUTE.match(a["name"])
                    if not match:
                        continue
                    section, algorithm, _, purpose, _, encoding = match.groups()
                    value = bytes.fromhex(a["value"][2:])
                    if section == "pub":
                        delegates += 1
                        kind = LEGACY_ATTR_TYPES.get(purpose or "") or purpose
                        type_ = f"{algorithm}{kind if kind is not None else 'undefined'}"
                        pk: dict[str, Any] = {
                            "id": f"{did}#delegate-{delegates}",
                            "type": LEGACY_ALGO_MAP.get(type_) or algorithm,
                            "controller": did,
                        }
                        ok = True
                        if encoding in (None, "hex"):
                            pk["publicKeyHex"] = value.hex()
                        elif encoding == "base64":
                            pk["publicKeyBase64"] = base64.b64encode(value).decode()
                        elif encoding == "base58":
                            pk["publicKeyBase58"] = _base58(value)
                        elif encoding == "pem":
                            try:
                                pk["publicKeyPem"] = value.decode("utf-8")
                            except UnicodeDecodeError:
                                ok = False
                        else:
                            pk["value"] = value.hex()
                        if ok:
                            pks[index] = pk
                            if purpose == "sigAuth":
                                auth[index] = pk["id"]
                                signing[index] = pk["id"]
                            elif purpose == "enc":
                                key_agreement[index] = pk["id"]
                            else:
                                signing[index] = pk["id"]
                    else:
                        services_count += 1
                        try:
                            text = value.decode("utf-8")
                        except UnicodeDecodeError:
                            continue
                        try:
                            endpoint: Any = json.loads(text, parse_constant=_reject_constant)
                        except ValueError:
                            endpoint = text
                        services[index] = {
                            "id": f"{did}#service-{services_count}",
                            "type": algorithm,
                            "serviceEndpoint": endpoint,
                        }
            elif event.name == "DIDOwnerChanged":
                controller = a["owner"]
                if controller == NULL_ADDRESS:
                    deactivated = True
                    break
            else:
                if event.name == "DIDDelegateChanged" or (
                    event.name == "DIDAttributeChanged" and a["name"].startswith("did/pub/")
                ):
                    delegates += 1
                elif event.name == "DIDAttributeChanged" and a["name"].startswith("did/svc/"):
                    services_count += 1
                for table in (auth, signing, pks, services):
                    table.pop(index, None)
        if deactivated:
            return base, True, version_id, next_version_id
        methods: list[dict[str, Any]] = [
            {
                "id": f"{did}#controller",
                "type": RECOVERY_2020,
                "controller": did,
                "blockchainAccountId": f"eip155:{chain_id}:{controller}",
            }
        ]
        if controller_key and controller == address:
            methods.append(
                {
                    "id": f"{did}#controllerKey",
                    "type": VERIFICATION_2019,
                    "controller": did,
                    "publicKeyHex": controller_key.removeprefix("0x"),
                }
            )
            authentication.append(f"{did}#controllerKey")
            assertion.append(f"{did}#controllerKey")
        document: dict[str, Any] = {
            **base,
            "verificationMethod": methods + list(pks.values()),
            "authentication": authentication + list(auth.values()),
            "assertionMethod": assertion + list(signing.values()),
        }
        if services:
            document["service"] = list(services.values())
        if key_agreement:
            document["keyAgreement"] = list(key_agreement.values())
        return document, False, version_id, next_version_id


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # JSON.parse rejects NaN / Infinity
