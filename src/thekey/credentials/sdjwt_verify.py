"""Verifying an SD-JWT VC presentation against the chain: every check with its reason.

Checks: ``signature`` (ES256K by the issuer DID's *current* controller, resolved on chain: the
``kid`` is ``<iss>#controller`` and the recovered signer must be the ERC-1056 identity owner),
``disclosures`` (each disclosed claim's digest is in ``_sd``, none twice), ``issuer``, ``type``,
``anchor`` (the JWT's keccak-256 anchored in the issuer's namespace with the same schema, window
and status index), ``status`` (the on-chain status list: not revoked, not suspended),
``validity`` (``nbf`` ≤ chain time ≤ ``exp``), ``schema`` (each disclosed claim against the
registered JSON Schema) — shared with W3C credentials (``thekey.credentials.verify``) — and, when
the verifier gives its ``nonce`` and ``audience``, the key binding: ``holder-binding`` (a KB-JWT
signed by the ``cnf.jwk`` key over exactly this presentation's ``sd_hash``), ``subject`` (that key
is the ``sub`` DID's current controller: its ERC-1056 owner or a valid ``sigAuth`` delegate, so a
subject who rotated its key away from a stolen one is not impersonated), ``audience``, ``nonce``
and ``freshness`` (``iat`` within ``max_age`` seconds of the verifier's clock).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from thekey.credentials.anchoring import CredentialRegistry, Query
from thekey.credentials.jws import jwk_address, jwk_public_bytes, signer_addresses, split_compact, verify_with_key
from thekey.credentials.sdjwt import KB_TYP, SdJwt, digest, parse_sd_jwt, parse_status_uri, status_reference
from thekey.credentials.status import StatusPointer
from thekey.credentials.vc import CredentialView
from thekey.credentials.verify import (
    Check,
    VerificationResult,
    anchor_check,
    compile_schema,
    issuer_check,
    schema_check,
    status_check,
    type_check,
    validity_check,
)
from thekey.errors import BadInput
from thekey.identity.did import parse_did
from thekey.identity.registry import EIDRegistry

#: how old a KB-JWT may be (seconds by the verifier's clock), and how far ahead of it
MAX_AGE = 300
CLOCK_SKEW = 60


@dataclass(frozen=True)
class SdJwtVerification(VerificationResult):
    """The checks, and the claims the holder disclosed (name → value)."""

    claims: dict[str, Any] = field(default_factory=dict)
    issuer: str = ""
    credential_type: str = ""

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "issuer": self.issuer, "type": self.credential_type, "claims": self.claims}


def verify_sd_jwt(
    registry: CredentialRegistry,
    presentation: str | SdJwt,
    *,
    nonce: str | None = None,
    audience: str | None = None,
    now: float | None = None,
    max_age: int = MAX_AGE,
    schemas: Mapping[bytes, dict[str, Any]] | None = None,
) -> SdJwtVerification:
    """Verify an SD-JWT VC. With ``nonce`` and ``audience`` (a verifier's presentation check) a
    KB-JWT is required and checked; without them (the issuer's or holder's own check) it is not.
    ``schemas`` (schema id → document, as for ``verify_credentials``) saves reading a known
    schema document from the chain's logs; it is still checked against the on-chain id."""
    try:
        sd = presentation if isinstance(presentation, SdJwt) else parse_sd_jwt(presentation)
        view, pointer = _view(sd)
    except BadInput as exc:
        return SdJwtVerification(None, (Check("format", False, str(exc)),))
    report = registry.inspect([Query(view.issuer.address, sd.hash)])[0]
    schema = registry.get_schema(view.schema_id)
    known = (schemas or {}).get(view.schema_id)
    compiled = compile_schema(schema, known if known is not None else registry.schema_document(view.schema_id))
    identities = EIDRegistry(registry.chain, registry.identity_registry)
    checks = [
        _signature(identities, sd, view),
        _disclosures(sd),
        issuer_check(registry, view.issuer, report, {}),
        type_check([view.credential_type], view.credential_type, schema),
        anchor_check(registry, pointer, view, report),
        status_check(report),
        validity_check(view, registry.chain.timestamp()),
        schema_check(compiled, sd.claims, partial=True),
    ]
    if nonce is not None or audience is not None:
        if not nonce or not audience:
            raise BadInput("a verifier checks the key binding with both its nonce and its audience")
        checks += _key_binding(sd, nonce, audience, time.time() if now is None else now, max_age)
        if checks[-1].name == "freshness":  # the KB-JWT verified: is its key the subject's?
            checks.insert(-3, _subject(identities, sd, view))
    return SdJwtVerification(sd.hash, tuple(checks), sd.claims, str(view.issuer), view.credential_type)


def _view(sd: SdJwt) -> tuple[CredentialView, StatusPointer]:
    p = sd.payload
    issuer = parse_did(str(p.get("iss", "")))
    if sd.header.get("kid") != f"{p.get('iss')}#controller":
        raise BadInput(f"the JWT's kid is {str(sd.header.get('kid'))[:100]!r}, not the issuer's #controller")
    for name in ("iat", "nbf"):
        if not isinstance(p.get(name), int):
            raise BadInput(f"the SD-JWT has no integer {name}")
    if "exp" in p and not isinstance(p["exp"], int):
        raise BadInput("the SD-JWT's exp is not an integer")
    uri, index = status_reference(p)
    chain_id, registry, list_issuer = parse_status_uri(uri)
    if list_issuer != issuer.address:
        raise BadInput("the status list is not the issuer's")
    view = CredentialView(issuer, str(p.get("sub", "")), sd.credential_type, sd.schema_id, p["nbf"], p.get("exp"))
    return view, StatusPointer(chain_id, registry, list_issuer, index)


def _signature(identities: EIDRegistry, sd: SdJwt, view: CredentialView) -> Check:
    if view.issuer.chain_id != identities.chain.chain_id:
        return Check("signature", False, f"the issuer's DID is on chain {view.issuer.chain_id}, not this one")
    controller = identities.identity_owner(view.issuer.address)
    signers = signer_addresses(sd.signing_input, sd.signature)
    if controller not in signers:
        return Check("signature", False, f"not signed by the issuer DID's controller {controller}")
    return Check("signature", True, f"ES256K by the issuer DID's controller {controller}")


def _subject(identities: EIDRegistry, sd: SdJwt, view: CredentialView) -> Check:
    try:
        subject = parse_did(view.subject)
    except BadInput:
        return Check("subject", False, f"the subject {view.subject[:100]!r} is not a did:ethr DID")
    if subject.chain_id != identities.chain.chain_id:
        return Check("subject", False, f"the subject's DID is on chain {subject.chain_id}, not this one")
    holder = jwk_address(sd.payload["cnf"]["jwk"])
    if identities.identity_owner(subject.address) == holder:
        return Check("subject", True, "the holder key is the subject DID's controller")
    if identities.valid_delegate(subject.address, "sigAuth", holder):
        return Check("subject", True, "the holder key is a sigAuth delegate of the subject DID")
    return Check("subject", False, f"the holder key {holder} does not control the subject DID now")


def _disclosures(sd: SdJwt) -> Check:
    listed = sd.payload.get("_sd")
    if not isinstance(listed, list):
        return Check("disclosures", False, "the SD-JWT has no _sd digests")
    if len(set(map(str, listed))) != len(listed):
        return Check("disclosures", False, "a digest appears twice in _sd")
    digests = [d.digest for d in sd.disclosures]
    if len(set(digests)) != len(digests) or len({d.name for d in sd.disclosures}) != len(digests):
        return Check("disclosures", False, "a claim is disclosed twice")
    bad = [d.name for d in sd.disclosures if d.digest not in listed]
    if bad:
        return Check("disclosures", False, "not issued in this credential: " + ", ".join(bad))
    clash = [d.name for d in sd.disclosures if d.name in sd.payload]
    if clash:
        return Check("disclosures", False, "a disclosure overwrites a clear claim: " + ", ".join(clash))
    return Check("disclosures", True, f"{len(digests)} disclosed claim(s) of {len(listed)} issued digests")


def _key_binding(sd: SdJwt, nonce: str, audience: str, now: float, max_age: int) -> list[Check]:
    if sd.kb_jwt is None:
        return [Check("holder-binding", False, "no KB-JWT: the presentation is not bound to the holder's key")]
    try:
        header, kb, signing_input, signature = split_compact(sd.kb_jwt)
        public = jwk_public_bytes(sd.payload.get("cnf", {}).get("jwk"))
    except (BadInput, AttributeError) as exc:
        return [Check("holder-binding", False, str(exc) if isinstance(exc, BadInput) else "no cnf.jwk")]
    if header.get("typ") != KB_TYP:
        return [Check("holder-binding", False, f"the KB-JWT's typ is not {KB_TYP}")]
    if not verify_with_key(signing_input, signature, public):
        return [Check("holder-binding", False, "the KB-JWT is not signed by the credential's holder key (cnf)")]
    if kb.get("sd_hash") != digest(sd.without_key_binding()):
        return [Check("holder-binding", False, "the KB-JWT's sd_hash is not this presentation's")]
    checks = [Check("holder-binding", True, "KB-JWT by the holder key (cnf.jwk) over this presentation")]
    if kb.get("aud") != audience:
        checks.append(Check("audience", False, f"presented to {str(kb.get('aud'))[:100]!r}, not to {audience!r}"))
    else:
        checks.append(Check("audience", True, "presented to this verifier"))
    if kb.get("nonce") != nonce:
        checks.append(Check("nonce", False, "the KB-JWT answers another challenge (nonce)"))
    else:
        checks.append(Check("nonce", True, "answers this verifier's challenge"))
    iat = kb.get("iat")
    if not isinstance(iat, int) or iat > now + CLOCK_SKEW:
        checks.append(Check("freshness", False, "the KB-JWT's iat is missing or in the future"))
    elif now - iat > max_age:
        checks.append(Check("freshness", False, f"the KB-JWT is {int(now - iat)} s old (at most {max_age} s)"))
    else:
        checks.append(Check("freshness", True, f"made within the last {max_age} s"))
    return checks
