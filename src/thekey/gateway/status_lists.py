"""Status lists at stable URLs: an issuer's on-chain list as a signed ``BitstringStatusListCredential``.

``GET <public-url>/status-lists/<chain>/<registry>/<issuer>/<purpose>`` serves the W3C Bitstring
Status List v1.0 credential of one purpose of one issuer's list, read from the
CredentialRegistry's status cells (``statusWords``). The URL is what new credentials carry in
``credentialStatus[].statusListCredential`` when issued with ``--status-base-url``.

Who signs (docs/gateway.md has the whole argument): the gateway's own *status key*, which the
issuer authorises on chain by publishing it in its DID as an ERC-1056 attribute
``did/pub/Secp256k1/veriKey/hex`` for a bounded time. The key then appears in the issuer's DID
document as an ``assertionMethod``, so a standard verifier checks the list credential as the
issuer's (``issuer`` matches the credential's issuer) while the key has no power on chain: the
CredentialRegistry honours the DID's owner and ``veriKey`` *delegates* only, never attribute keys,
so the gateway can neither anchor, revoke nor reinstate. It signs only what it read from the
chain; each version is short-lived (``validUntil``) and names its freshness (``ttl``).

Caching: one signed version per list is kept while the chain's bits are unchanged (same body,
same ETag, so ``If-None-Match`` answers 304); the gateway re-reads the chain (the list, and the
issuer's DID: a withdrawn key stops the list at once) at most once per ``refresh`` seconds per
list, and re-signs when the bits change or half the version's validity has passed. Responses
carry ``Cache-Control: public, max-age=<ttl>``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from coincurve import PublicKey
from eth_account.signers.local import LocalAccount

from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.issuers import IssuerStatus
from thekey.credentials.proof import sign
from thekey.credentials.status import Purpose, status_list_credential, words_to_bits
from thekey.gateway.problems import Problem
from thekey.identity.did import did_for
from thekey.identity.did_document import DIDResolver
from thekey.parsing import iso_time as iso

MEDIA_TYPE = "application/vc+ld+json"
KEY_ATTRIBUTE = "did/pub/Secp256k1/veriKey/hex"


@dataclass(frozen=True)
class StatusListConfig:
    """How the gateway publishes lists: its status key and the timings."""

    key: LocalAccount | None = None  # None: the gateway serves no lists (404 with the reason)
    ttl_seconds: int = 60  # Cache-Control max-age and the list's ``ttl``
    validity_seconds: int = 3_600  # validUntil - validFrom of each signed version
    refresh_seconds: float = 1.0  # how old the gateway's own chain read may be


@dataclass
class Published:
    """One signed version of a list, ready to send."""

    body: bytes
    etag: str
    bits: bytes  # sha-256 of the bitstring it encodes
    method: str  # the issuer's verification method it is signed as
    signed_at: float
    checked_at: float  # monotonic time of the last chain read that found the same bits


def public_key_hex(key: LocalAccount) -> str:
    """The status key as the attribute value the issuer publishes (33-byte compressed, hex)."""
    return "0x" + PublicKey.from_secret(bytes(key.key)).format(compressed=True).hex()


def _key_forms(key: LocalAccount) -> set[str]:
    public = PublicKey.from_secret(bytes(key.key))
    return {public.format(compressed=True).hex(), public.format(compressed=False).hex()}


class StatusLists:
    """Signed list versions per (issuer, purpose), refreshed from the chain."""

    def __init__(self, registry: CredentialRegistry, resolver: DIDResolver, config: StatusListConfig) -> None:
        self.registry = registry
        self.resolver = resolver
        self.config = config
        self._forms = _key_forms(config.key) if config.key is not None else set()
        self._published: dict[tuple[str, str, Purpose], Published] = {}
        self._locks: dict[tuple[str, str, Purpose], threading.Lock] = {}
        self._guard = threading.Lock()

    def cached(self, base: str, issuer: str, purpose: Purpose) -> Published | None:
        """The current version when it was checked against the chain within ``refresh`` seconds."""
        hit = self._published.get((base, issuer, purpose))
        if hit is not None and time.monotonic() - hit.checked_at < self.config.refresh_seconds:
            return hit
        return None

    def get(self, base: str, issuer: str, purpose: Purpose) -> Published:
        """The list to serve now, its URL under ``base`` (reads the chain and signs only when the
        cached version is stale)."""
        key = (base, issuer, purpose)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one chain read per list at a time; the others then take its result
            hit = self.cached(base, issuer, purpose)
            if hit is not None:
                return hit
            published = self._refresh(base, issuer, purpose, self._published.get(key))
            self._published[key] = published
            return published

    def _refresh(self, base: str, issuer: str, purpose: Purpose, previous: Published | None) -> Published:
        """Re-read the chain: the issuer, its list and whether its DID still authorises the key."""
        if self.config.key is None:
            raise Problem(404, "this gateway publishes no status lists (start it with a status key)",
                          kind="no-status-key")  # fmt: skip
        record = self.registry.get_issuer(issuer)
        if record.status == IssuerStatus.NONE:
            raise Problem(404, f"{issuer} is not a registered issuer", kind="unknown-issuer")
        method = self._verification_method(issuer)  # a withdrawn key stops the list at once
        count = record.status_watermark // 128
        words = self.registry.status_words(issuer, 0, count) if count else []
        bits = hashlib.sha256(words_to_bits(words, purpose)).digest()
        now = time.time()
        if (
            previous is not None
            and (previous.bits, previous.method) == (bits, method)
            and now - previous.signed_at < self.config.validity_seconds / 2
        ):
            previous.checked_at = time.monotonic()
            return previous
        return self._sign(base, issuer, purpose, words, bits, method, now)

    def _verification_method(self, issuer: str) -> str:
        """The id of the issuer's assertion method that is this gateway's status key."""
        chain = self.registry.chain
        did = did_for(chain.chain_id, issuer)
        document = self.resolver.resolve(did, now=chain.timestamp()).did_document or {}
        assertion = set(document.get("assertionMethod", []))
        for method in document.get("verificationMethod", []):
            if method.get("id") in assertion and str(method.get("publicKeyHex", "")).lower() in self._forms:
                return str(method["id"])
        assert self.config.key is not None
        raise Problem(
            404,
            f"{did} has not authorised this gateway's status key: publish it with `thekey did set-attribute "
            f"{did} {KEY_ATTRIBUTE} {public_key_hex(self.config.key)}`",
            kind="status-key-not-authorised",
        )

    def _sign(
        self, base: str, issuer: str, purpose: Purpose, words: list[int], bits: bytes, method: str, now: float
    ) -> Published:
        assert self.config.key is not None
        chain = self.registry.chain
        start = int(now)
        unsigned = status_list_credential(
            chain.chain_id, self.registry.address, issuer, purpose, words, iso(start),
            base=base, valid_until=iso(start + self.config.validity_seconds),
            ttl_ms=self.config.ttl_seconds * 1000,
        )  # fmt: skip
        options = {"created": iso(start), "proofPurpose": "assertionMethod", "verificationMethod": method}
        signed: dict[str, Any] = sign(unsigned, bytes(self.config.key.key), options, chain.chain_id)
        body = json.dumps(signed, separators=(",", ":"), sort_keys=True).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return Published(body, etag, bits, method, now, time.monotonic())
