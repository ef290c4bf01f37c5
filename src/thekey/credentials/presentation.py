"""Holder-bound W3C VC 2.0 ``VerifiablePresentation``s with an EthereumEip712Signature2021 proof.

The holder signs the whole presentation with the same proof as a credential
(:mod:`thekey.credentials.proof`, Veramo's presentation domain
``{name: "VerifiablePresentation", version: "1", chainId}``, primary type
``VerifiablePresentation``). The proof options carry what the Data Integrity spec puts there for
a presentation: ``proofPurpose: "authentication"``, the verifier's ``challenge`` and ``domain``,
``created`` and ``expires`` — all inside the signed message.

Each credential travels as a VC 2.0 ``EnvelopedVerifiableCredential`` whose ``id`` is a
``data:application/vc;base64,…`` URL of the credential's JSON (with its own issuer proof). EIP-712
arrays hold one type, so credentials of different shapes cannot sit in one array as objects;
Veramo's answer (JSON strings) is not allowed by VC 2.0 ("MUST NOT be non-object values such as
strings"). The envelope is the VC 2.0 object form of a credential carried as a string, and the
presentation signature covers its every byte.

A verifier (:func:`verify_presentation`) checks, each with its own reason: ``format``,
``signature`` (the proof recovers to an address), ``holder`` (that address is the holder DID's
*current* controller on chain: its owner, or a valid ``sigAuth`` delegate — the DID document's
authentication keys, the rule every contract applies), ``challenge`` (its own, issued by it, not
expired, not used before), ``domain`` (its own), ``freshness`` (created within ``max_age``, not in
the future beyond the clock skew, not past ``expires``) and ``credentials`` (each embedded
credential verifies and names the holder as its subject, :mod:`thekey.credentials.verify`).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eth_account.signers.local import LocalAccount

from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.canonical import canonical_json
from thekey.credentials.proof import ProofError, proof_domain, proof_parameters, recover_signer, sign
from thekey.credentials.vc import VC_CONTEXT
from thekey.credentials.verify import Check, VerificationResult, verify_credentials
from thekey.errors import BadInput
from thekey.identity.did import did_for, parse_did
from thekey.identity.did_document import DIDResolver
from thekey.identity.registry import ZERO_ADDRESS, EIDRegistry
from thekey.parsing import iso_time, parse_time

PRESENTATION_TYPE = "VerifiablePresentation"
ENVELOPE_TYPE = "EnvelopedVerifiableCredential"
ENVELOPE_PREFIX = "data:application/vc;base64,"
PROOF_PURPOSE = "authentication"
#: the ERC-1056 delegate type of the keys that authenticate for a DID (its ``authentication``)
HOLDER_DELEGATE_TYPE = "sigAuth"
DEFAULT_TTL = 300  # seconds a challenge and a presentation live
CLOCK_SKEW = 60  # seconds a presentation's ``created`` may lie ahead of the verifier's clock


# -- the holder's side ---------------------------------------------------------------------------


def envelope(credential: dict[str, Any]) -> dict[str, Any]:
    """A credential as a VC 2.0 ``EnvelopedVerifiableCredential`` (a ``data:`` URL of its JSON)."""
    data = base64.b64encode(canonical_json(credential)).decode()
    return {"@context": VC_CONTEXT, "id": ENVELOPE_PREFIX + data, "type": ENVELOPE_TYPE}


def unenvelope(entry: Any) -> dict[str, Any]:
    """The credential inside an envelope (BadInput, one line, when it is not one)."""
    if not isinstance(entry, dict) or entry.get("type") != ENVELOPE_TYPE:
        raise BadInput("a verifiableCredential entry is not an EnvelopedVerifiableCredential")
    url = entry.get("id")
    if not isinstance(url, str) or not url.startswith(ENVELOPE_PREFIX):
        raise BadInput(f"an enveloped credential's id is not a {ENVELOPE_PREFIX}… URL")
    try:
        credential = json.loads(base64.b64decode(url[len(ENVELOPE_PREFIX) :], validate=True))
    except (binascii.Error, ValueError):
        raise BadInput("an enveloped credential's data URL does not hold base64 JSON") from None
    if not isinstance(credential, dict):
        raise BadInput("an enveloped credential is not a JSON object")
    return credential


def create_presentation(
    credentials: Sequence[dict[str, Any]],
    signer: LocalAccount,
    *,
    chain_id: int,
    challenge: str,
    domain: str,
    holder: str | None = None,
    verification_method: str | None = None,
    created: int | None = None,
    ttl: int = DEFAULT_TTL,
) -> dict[str, Any]:
    """A presentation of ``credentials`` by ``holder`` (default: the signer's own DID), signed by
    ``signer`` — the holder DID's owner or one of its ``sigAuth`` delegates, whose key id in the
    DID document is then ``verification_method`` (default ``<holder>#controller``)."""
    if not credentials:
        raise BadInput("a presentation carries at least one credential")
    for what, value in (("challenge", challenge), ("domain", domain)):
        if not isinstance(value, str) or not value.strip():
            raise BadInput(f"the verifier's {what} is a non-empty string")
    if ttl <= 0:
        raise BadInput("a presentation's lifetime is at least one second")
    holder = holder or did_for(chain_id, signer.address)
    if parse_did(holder).chain_id != chain_id:
        raise BadInput(f"the holder {holder} is a DID of another chain than {chain_id}")
    method = verification_method or f"{holder}#controller"
    if method.partition("#")[0] != holder or "#" not in method:
        raise BadInput(f"the verification method {method} is not a key of the holder {holder}")
    now = int(time.time()) if created is None else created
    document = {
        "@context": [VC_CONTEXT],
        "type": [PRESENTATION_TYPE],
        "holder": holder,
        "verifiableCredential": [envelope(c) for c in credentials],
    }
    options = {
        "created": iso_time(now),
        "expires": iso_time(now + ttl),
        "proofPurpose": PROOF_PURPOSE,
        "verificationMethod": method,
        "challenge": challenge,
        "domain": domain,
    }
    return sign(document, bytes(signer.key), options, chain_id, PRESENTATION_TYPE)


def authentication_key_id(resolver: DIDResolver, holder: str, signer: str) -> str:
    """The id of ``signer``'s key among the holder DID document's ``authentication`` keys (the
    owner's ``#controller`` or a sigAuth delegate's ``#delegate-N``); BadInput when it has none."""
    document = resolver.resolve(holder).did_document or {}
    listed = set(document.get("authentication", []))
    for method in document.get("verificationMethod", []):
        account = str(method.get("blockchainAccountId", ""))
        if method.get("id") in listed and account.rpartition(":")[2].lower() == signer.lower():
            return str(method["id"])
    raise BadInput(f"{signer} is not an authentication key of {holder} (neither its owner nor a sigAuth delegate)")


# -- the verifier's memory of its challenges -------------------------------------------------------

ChallengeState = Literal["live", "unknown", "expired", "used"]


class ChallengeTracker:
    """The challenges a verifier issued: each is accepted once, until it expires.

    In memory, or kept in the JSON file ``path`` (for a verifier that runs as separate commands).
    Thread-safe; expired challenges are forgotten when new ones are issued.
    """

    def __init__(
        self, ttl: int = DEFAULT_TTL, *, path: Path | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        if ttl <= 0:
            raise BadInput("a challenge lives at least one second")
        self.ttl = ttl
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()
        self._issued: dict[str, tuple[int, bool]] = {}  # challenge → (expires at, used)
        if path is not None and path.exists():
            try:
                raw = json.loads(path.read_text())
                self._issued = {str(c): (int(e), bool(u)) for c, (e, u) in raw.items()}
            except (ValueError, TypeError, AttributeError):
                raise BadInput(f"{path} is not a challenge file") from None

    def issue(self) -> str:
        """A new random challenge (256 bits, URL-safe text)."""
        challenge = secrets.token_urlsafe(32)
        with self._lock:
            now = int(self.clock())
            self._issued = {c: s for c, s in self._issued.items() if s[0] >= now}
            self._issued[challenge] = (now + self.ttl, False)
            self._save()
        return challenge

    def state(self, challenge: str) -> ChallengeState:
        with self._lock:
            found = self._issued.get(challenge)
        if found is None:
            return "unknown"
        if found[1]:
            return "used"
        return "expired" if int(self.clock()) > found[0] else "live"

    def consume(self, challenge: str) -> bool:
        """Mark a live challenge used, atomically; False when it was not live (so of two
        presentations answering one challenge at once, one wins)."""
        with self._lock:
            found = self._issued.get(challenge)
            if found is None or found[1] or int(self.clock()) > found[0]:
                return False
            self._issued[challenge] = (found[0], True)
            self._save()
            return True

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({c: [e, u] for c, (e, u) in self._issued.items()}))
        tmp.replace(self.path)


# -- the verifier's side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PresentationResult(VerificationResult):
    """The presentation's checks (``credential_hash`` is None), and each credential's own result."""

    holder: str | None = None
    signer: str | None = None
    credentials: tuple[VerificationResult, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "holder": self.holder,
            "signer": self.signer,
            "checks": [{"name": c.name, "ok": c.ok, "reason": c.reason} for c in self.checks],
            "credentials": [c.as_json() for c in self.credentials],
        }


@dataclass(frozen=True)
class _Parsed:
    holder: str
    proof: dict[str, Any]
    credentials: list[dict[str, Any]]


def _parse(presentation: Any) -> _Parsed:
    if not isinstance(presentation, dict):
        raise BadInput("a presentation is a JSON object")
    context = presentation.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first != VC_CONTEXT:
        raise BadInput(f"the presentation's first @context is not {VC_CONTEXT}")
    kinds = presentation.get("type")
    if kinds != PRESENTATION_TYPE and not (isinstance(kinds, list) and PRESENTATION_TYPE in kinds):
        raise BadInput(f"the presentation's type does not include {PRESENTATION_TYPE}")
    holder = presentation.get("holder")
    if not isinstance(holder, str):
        raise BadInput("the presentation names no holder DID")
    parse_did(holder)
    proof = presentation.get("proof")
    if not isinstance(proof, dict):
        raise BadInput("the presentation has no proof (or a proof set, which is not supported)")
    entries = presentation.get("verifiableCredential")
    if not isinstance(entries, list) or not entries:
        raise BadInput("the presentation carries no credential")
    return _Parsed(holder, proof, [unenvelope(e) for e in entries])


def verify_presentation(
    registry: CredentialRegistry,
    identities: EIDRegistry,
    presentation: Any,
    *,
    challenge: str,
    domain: str,
    max_age: int = DEFAULT_TTL,
    challenges: ChallengeTracker | None = None,
    now: int | None = None,
    schemas: Mapping[bytes, dict[str, Any]] | None = None,
) -> PresentationResult:
    """Verify a presentation made for this verifier's ``challenge`` and ``domain``.

    With ``challenges`` the challenge must be one the tracker issued, live and unused; a
    presentation whose signature, holder, challenge and domain hold uses it up (so a replay
    fails), and nothing else does (so a third party who saw the challenge cannot burn it).
    ``now`` (UNIX seconds) is the verifier's clock, by default the machine's.
    """
    try:
        parsed = _parse(presentation)
    except BadInput as exc:
        return PresentationResult(None, (Check("format", False, str(exc)),))
    now = int(time.time()) if now is None else now
    signature, signer = _signature(registry, presentation, parsed)
    checks = [
        signature,
        _holder(registry, identities, parsed, signer),
        _challenge(parsed, challenge, challenges),
        _domain(parsed, domain),
        _freshness(parsed, now, max_age),
    ]
    results = tuple(verify_credentials(registry, parsed.credentials, holder=parsed.holder, schemas=schemas))
    checks.append(_credentials(results))
    if challenges is not None and all(c.ok for c in checks[:4]) and not challenges.consume(challenge):
        checks[2] = Check("challenge", False, _REPLAYED)
    return PresentationResult(None, tuple(checks), parsed.holder, signer, results)


def _signature(registry: CredentialRegistry, presentation: dict[str, Any], parsed: _Parsed) -> tuple[Check, str | None]:
    try:
        eip712 = proof_parameters(presentation)
        if eip712["primaryType"] != PRESENTATION_TYPE:
            raise ProofError(f"the proof's primaryType is {str(eip712['primaryType'])[:40]}, not {PRESENTATION_TYPE}")
        expected = proof_domain(registry.chain.chain_id, PRESENTATION_TYPE)
        if eip712["domain"] != expected:
            raise ProofError(f"the proof's EIP-712 domain is not {expected} (another chain or document kind)")
        if parsed.proof.get("proofPurpose") != PROOF_PURPOSE:
            raise ProofError(f"the proof's purpose is {str(parsed.proof.get('proofPurpose'))[:40]}, not authentication")
        signer = recover_signer(presentation)
    except ProofError as exc:
        return Check("signature", False, str(exc)), None
    return Check("signature", True, f"EthereumEip712Signature2021 proof (authentication) by {signer}"), signer


def _holder(registry: CredentialRegistry, identities: EIDRegistry, parsed: _Parsed, signer: str | None) -> Check:
    if signer is None:
        return Check("holder", False, "no signer to check: the proof does not verify")
    did = parse_did(parsed.holder)
    if did.chain_id != registry.chain.chain_id:
        return Check("holder", False, f"the holder's DID is on chain {did.chain_id}, not {registry.chain.chain_id}")
    method = str(parsed.proof.get("verificationMethod", ""))
    if "#" not in method or method.partition("#")[0] != parsed.holder:
        return Check("holder", False, f"the proof's verificationMethod {method[:120]!r} is not a key of the holder")
    owner = identities.identity_owner(did.address)
    if owner == ZERO_ADDRESS:
        return Check("holder", False, "the holder's DID is deactivated")
    fragment = method.partition("#")[2]
    if signer == owner:
        if fragment not in ("controller", "controllerKey"):
            return Check("holder", False, f"signed by the owner, but the verificationMethod names #{fragment[:40]}")
        return Check("holder", True, f"signed by the holder DID's current owner {signer}")
    if identities.valid_delegate(did.address, HOLDER_DELEGATE_TYPE, signer):
        if not fragment.startswith("delegate-"):
            return Check("holder", False, f"signed by a delegate, but the verificationMethod names #{fragment[:40]}")
        return Check("holder", True, f"signed by {signer}, a valid {HOLDER_DELEGATE_TYPE} delegate of the holder DID")
    return Check(
        "holder",
        False,
        f"signed by {signer}, which does not control the holder DID (its owner is {owner}; "
        f"not a valid {HOLDER_DELEGATE_TYPE} delegate): another key signed it, or the document was changed",
    )


_REPLAYED = "this challenge was already answered: a replayed presentation"


def _challenge(parsed: _Parsed, expected: str, tracker: ChallengeTracker | None) -> Check:
    given = parsed.proof.get("challenge")
    if not isinstance(given, str):
        return Check("challenge", False, "the proof carries no challenge")
    if given != expected:
        return Check("challenge", False, f"made for another challenge ({given[:24]}…), not this verifier's")
    if tracker is None:
        return Check("challenge", True, "the verifier's challenge (replays not tracked)")
    state = tracker.state(given)
    if state == "used":
        return Check("challenge", False, _REPLAYED)
    if state == "expired":
        return Check("challenge", False, "this challenge expired before it was answered")
    if state == "unknown":
        return Check("challenge", False, "this verifier never issued this challenge")
    return Check("challenge", True, "a live challenge this verifier issued, answered once")


def _domain(parsed: _Parsed, expected: str) -> Check:
    given = parsed.proof.get("domain")
    if given != expected:
        return Check("domain", False, f"made for the domain {str(given)[:80]!r}, not {expected!r}")
    return Check("domain", True, f"made for {expected}")


def _freshness(parsed: _Parsed, now: int, max_age: int) -> Check:
    try:
        created = parse_time(str(parsed.proof.get("created")))
        expires_text = parsed.proof.get("expires")
        expires = None if expires_text is None else parse_time(str(expires_text))
    except BadInput:
        return Check("freshness", False, "the proof's created/expires is not an ISO 8601 time")
    if created > now + CLOCK_SKEW:
        return Check("freshness", False, f"created {created - now} s in the future ({iso_time(created)})")
    if now - created > max_age:
        return Check("freshness", False, f"created {now - created} s ago, more than the {max_age} s allowed")
    if expires is not None and now > expires:
        return Check("freshness", False, f"expired at {iso_time(expires)}")
    return Check("freshness", True, f"created {max(0, now - created)} s ago (at most {max_age} s allowed)")


def _credentials(results: Sequence[VerificationResult]) -> Check:
    bad = [
        f"credential {n}: " + "; ".join(f"{c.name}: {c.reason}" for c in r.failures)
        for n, r in enumerate(results, 1)
        if not r.valid
    ]
    if bad:
        return Check("credentials", False, " | ".join(bad))
    return Check("credentials", True, f"{len(results)} credential(s) verify, each about the holder")
