"""Verification: every check a verifier needs, each with a reason, chain reads batched.

Checks (in this order): ``signature`` (EthereumEip712Signature2021 proof of the whole credential by
the issuer, for this registry's chain),
``issuer`` (registered, not removed, DID not deactivated — authorisation for the type at
issuance is enforced by the contract when anchoring), ``type`` (the credential's ``type``
contains the type the schema is registered for — the contract checked at anchor time that the
issuer held that type), ``anchor`` (hash anchored singly or by a Merkle proof in a batch, in the
issuer's namespace, with the same schema, window and status entry), ``status`` (not
revoked, not suspended), ``validity`` (validFrom ≤ now ≤ validUntil), ``schema`` (claims valid
against the registered JSON Schema), ``holder`` (when a holder DID is given) and ``disclosure``
(when disclosed claims are given). Verifying many credentials makes ONE ``eth_call``
(``inspect``) for all anchors and statuses, plus one schema read and one log query per distinct schema.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema

from thekey.credentials.anchoring import CredentialRegistry, Query, Report, Validity
from thekey.credentials.canonical import credential_hash
from thekey.credentials.disclosure import DisclosedClaim, verify_claim
from thekey.credentials.issuance import batch_evidence
from thekey.credentials.issuers import IssuerStatus
from thekey.credentials.proof import ProofError, proof_parameters, recover_signer
from thekey.credentials.schemas import Schema, document_hash, schema_id_of
from thekey.credentials.status import StatusPointer, status_pointer
from thekey.credentials.vc import CredentialView, type_hash, view
from thekey.errors import BadInput
from thekey.hashing import to_checksum_address
from thekey.identity.did import parse_did
from thekey.ids import HexFields
from thekey.parsing import iso_time as iso


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    reason: str


@dataclass(frozen=True)
class VerificationResult(HexFields):
    credential_hash: bytes | None
    checks: tuple[Check, ...]

    @property
    def valid(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def failed(self) -> set[str]:
        return {c.name for c in self.failures}

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "credentialHash": None if self.credential_hash is None else "0x" + self.credential_hash.hex(),
            "checks": [{"name": c.name, "ok": c.ok, "reason": c.reason} for c in self.checks],
        }


@dataclass
class _Item:
    credential: dict[str, Any]
    view: CredentialView
    hash: bytes
    pointer: StatusPointer
    query: Query


def verify_credential(
    registry: CredentialRegistry,
    credential: dict[str, Any],
    *,
    holder: str | None = None,
    schemas: Mapping[bytes, dict[str, Any]] | None = None,
    disclosed: Sequence[DisclosedClaim] | None = None,
) -> VerificationResult:
    return verify_credentials(
        registry, [credential], holder=holder, schemas=schemas, disclosed=None if disclosed is None else [disclosed]
    )[0]


def verify_credentials(
    registry: CredentialRegistry,
    credentials: Sequence[dict[str, Any]],
    *,
    holder: str | None = None,
    schemas: Mapping[bytes, dict[str, Any]] | None = None,
    disclosed: Sequence[Sequence[DisclosedClaim] | None] | None = None,
) -> list[VerificationResult]:
    """Verify many credentials with one batched chain read."""
    results: list[VerificationResult | None] = [None] * len(credentials)
    items: list[tuple[int, _Item]] = []
    for n, vc in enumerate(credentials):
        try:
            items.append((n, _prepare(vc)))
        except BadInput as exc:
            results[n] = VerificationResult(None, (Check("format", False, str(exc)),))
    reports = registry.inspect([it.query for _, it in items])
    now = registry.chain.timestamp()
    docs: dict[bytes, dict[str, Any] | None] = dict(schemas or {})
    compiled: dict[bytes, _CompiledSchema] = {}
    records: dict[bytes, Schema] = {}
    issuers: dict[str, IssuerStatus] = {}
    for (n, item), report in zip(items, reports, strict=True):
        sid = item.view.schema_id
        if sid not in compiled:
            records[sid] = registry.get_schema(sid)
            doc = docs[sid] if sid in docs else registry.schema_document(sid)
            compiled[sid] = _compile_schema(records[sid], doc)
        checks = [
            _signature(registry, item),
            _issuer(registry, item, report, issuers),
            _type(item, records[sid]),
            _anchor(registry, item, report),
            _status(report),
            _validity(item, now),
            _schema(item, compiled[sid], disclosed[n] if disclosed else None),
        ]
        if holder is not None:
            checks.append(_holder(item, holder))
        if disclosed is not None and disclosed[n] is not None:
            checks.append(_disclosure(item, disclosed[n] or []))
        results[n] = VerificationResult(item.hash, tuple(checks))
    return [r for r in results if r is not None]


def _prepare(vc: dict[str, Any]) -> _Item:
    if not isinstance(vc, dict):
        raise BadInput("a credential is a JSON object")
    v = view(vc)
    h = credential_hash(vc)
    pointer = status_pointer(vc)
    evidence = batch_evidence(vc)
    issuer = v.issuer.address
    query = Query(issuer, h) if evidence is None else Query(issuer, h, evidence[0], pointer.index, tuple(evidence[1]))
    return _Item(vc, v, h, pointer, query)


def _signature(registry: CredentialRegistry, item: _Item) -> Check:
    """The EthereumEip712Signature2021 proof over the whole credential, by the issuer's address,
    for this registry's chain (and, when the domain names a contract, for this registry)."""
    try:
        domain = proof_parameters(item.credential)["domain"]
        if domain.get("chainId") != registry.chain.chain_id:
            return Check("signature", False, f"the proof is for another chain ({str(domain.get('chainId'))[:40]})")
        contract = domain.get("verifyingContract")
        if contract is not None and str(contract).lower() != str(registry.address).lower():
            return Check("signature", False, f"the proof is for another contract ({str(contract)[:42]})")
        signer = recover_signer(item.credential)
    except ProofError as exc:
        return Check("signature", False, str(exc))
    if signer != item.view.issuer.address:
        return Check("signature", False, f"signed by {signer}, not by the issuer {item.view.issuer.address}")
    return Check("signature", True, f"EthereumEip712Signature2021 proof by the issuer {signer}")


def _issuer(registry: CredentialRegistry, item: _Item, report: Report, cache: dict[str, IssuerStatus]) -> Check:
    did = item.view.issuer
    if did.chain_id != registry.chain.chain_id:
        return Check("issuer", False, f"the issuer's DID is on chain {did.chain_id}, not {registry.chain.chain_id}")
    if report.validity in (Validity.NOT_ANCHORED, Validity.INVALID_PROOF) or report.issuer != did.address:
        if did.address not in cache:
            cache[did.address] = registry.get_issuer(did.address).status
        status = cache[did.address]
    else:
        status = report.issuer_status
    if status == IssuerStatus.NONE:
        return Check("issuer", False, f"{did.address} is not a registered issuer")
    if status == IssuerStatus.REMOVED:
        return Check("issuer", False, "the issuer was removed")
    if report.validity == Validity.ISSUER_DEACTIVATED:
        return Check("issuer", False, "the issuer's DID is deactivated")
    if status == IssuerStatus.SUSPENDED:
        if report.anchored_at:
            return Check("issuer", True, "the issuer is suspended now, but was authorised when this was anchored")
        return Check("issuer", False, "the issuer is suspended")
    return Check("issuer", True, "registered issuer, authorised when anchored")


def _type(item: _Item, schema: Schema) -> Check:
    """The credential's declared type must be the one its schema is registered for."""
    if not schema.registered:
        return Check("type", False, "the schema is not registered, so its type is unknown")
    declared = item.credential.get("type")
    names = [t for t in declared if isinstance(t, str)] if isinstance(declared, list) else []
    if not any(type_hash(t) == schema.credential_type for t in names):
        return Check(
            "type",
            False,
            f"the credential's type {item.view.credential_type} is not the schema's registered type "
            f"(0x{schema.credential_type.hex()})",
        )
    return Check("type", True, f"{item.view.credential_type} is the schema's registered type")


def _anchor(registry: CredentialRegistry, item: _Item, report: Report) -> Check:
    p, v = item.pointer, item.view
    if p.chain_id != registry.chain.chain_id or p.registry != to_checksum_address(registry.address):
        return Check("anchor", False, "credentialStatus points at another registry")
    if report.validity == Validity.NOT_ANCHORED:
        what = "batch root" if item.query.root else "credential hash"
        return Check("anchor", False, f"the {what} is not anchored")
    if report.validity == Validity.INVALID_PROOF:
        return Check("anchor", False, "the Merkle proof does not lead to the anchored batch root")
    mismatches = [
        name
        for name, ok in (
            ("issuer", report.issuer == v.issuer.address and p.issuer == v.issuer.address),
            ("schema", report.schema_id == v.schema_id),
            ("status index", report.status_index == p.index),
            ("validity window", (report.valid_from, report.valid_until) == (v.valid_from, v.valid_until or 0)),
        )
        if not ok
    ]
    if mismatches:
        return Check("anchor", False, "the anchor disagrees with the credential: " + ", ".join(mismatches))
    how = "in a batch (Merkle proof)" if item.query.root else "singly"
    return Check("anchor", True, f"anchored {how} at {iso(report.anchored_at)}")


def _status(report: Report) -> Check:
    if not report.anchored_at:
        return Check("status", False, "no status: the credential is not anchored")
    if report.revoked:
        return Check("status", False, "revoked")
    if report.suspended:
        return Check("status", False, "suspended")
    return Check("status", True, "neither revoked nor suspended")


def _validity(item: _Item, now: int) -> Check:
    v = item.view
    if now < v.valid_from:
        return Check("validity", False, f"not valid before {iso(v.valid_from)}")
    if v.valid_until is not None and now > v.valid_until:
        return Check("validity", False, f"expired at {iso(v.valid_until)}")
    return Check("validity", True, "within its validity window")


@dataclass(frozen=True)
class _CompiledSchema:
    """A schema checked once per verification run: its problem, or its validator."""

    problem: str | None
    cls: Any = None
    validator: Any = None


def _compile_schema(schema: Schema, document: dict[str, Any] | None) -> _CompiledSchema:
    if document is None or not schema.registered:
        return _CompiledSchema("the schema is not registered")
    if schema_id_of(schema.publisher, schema.credential_type, document_hash(document)) != schema.id:
        return _CompiledSchema("the schema document does not hash to the credential's schema id")
    cls = jsonschema.validators.validator_for(document)
    try:
        cls.check_schema(document)
    except jsonschema.SchemaError as exc:
        return _CompiledSchema(f"the schema is not a valid JSON Schema: {exc.message}")
    return _CompiledSchema(None, cls, cls(document))


def _schema(item: _Item, schema: _CompiledSchema, disclosed: Sequence[DisclosedClaim] | None) -> Check:
    if schema.problem is not None:
        return Check("schema", False, schema.problem)
    subject = item.credential.get("credentialSubject", {})
    try:
        if "claimsRoot" in subject:  # selective disclosure: each disclosed claim against its property
            props = schema.validator.schema.get("properties", {})
            for claim in disclosed or []:
                if claim.name in props:
                    schema.cls(props[claim.name]).validate(claim.value)
        else:
            schema.validator.validate({k: val for k, val in subject.items() if k != "id"})
    except jsonschema.ValidationError as exc:
        path = "/".join(str(p) for p in exc.absolute_path) or "(claims)"
        return Check("schema", False, f"claims do not match the schema at {path}: {exc.message}")
    return Check("schema", True, "claims match the registered schema")


def _holder(item: _Item, holder: str) -> Check:
    try:
        h, s = parse_did(holder), parse_did(item.view.subject)
    except BadInput:
        return Check("holder", False, f"the subject {item.view.subject!r} is not a did:ethr DID")
    if (h.chain_id, h.address) != (s.chain_id, s.address):
        return Check("holder", False, f"the subject is {item.view.subject}, not the holder {holder}")
    return Check("holder", True, "the holder is the subject")


def _disclosure(item: _Item, claims: Sequence[DisclosedClaim]) -> Check:
    root_hex = item.credential.get("credentialSubject", {}).get("claimsRoot")
    if not isinstance(root_hex, str):
        return Check("disclosure", False, "the credential has no claimsRoot")
    root = bytes.fromhex(root_hex.removeprefix("0x"))
    bad = [c.name for c in claims if not verify_claim(root, c)]
    if bad:
        return Check("disclosure", False, "claims not committed to by the credential: " + ", ".join(bad))
    return Check("disclosure", True, f"{len(claims)} disclosed claim(s) match the committed root")
