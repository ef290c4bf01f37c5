"""W3C Verifiable Credentials Data Model 2.0 documents and their EIP-712 proof.

A credential names its issuer and subject by ``did:ethr``, carries its claims in
``credentialSubject``, a ``credentialSchema`` (``urn:thekey:schema:0x<id>``, type ``JsonSchema``)
and ``credentialStatus`` entries pointing at the issuer's on-chain status list.

The proof, in the spirit of ``EthereumEip712Signature2021``, is the issuer's EIP-712 signature
of ``Credential(string issuer,string subject,bytes32 schemaId,bytes32 credentialHash)`` under the
CredentialRegistry's domain (name, version, chain id, verifying contract); the proof object
embeds the domain and types, so any EIP-712 implementation can check it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from coincurve import PublicKey
from eth_account.signers.local import LocalAccount

from thekey.credentials.canonical import credential_hash, unsigned
from thekey.eip712 import SECP256K1_N, Domain, flat_digest, sign_typed_data, typed_data
from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address
from thekey.identity.did import EthrDID, did_for, parse_did
from thekey.parsing import parse_time

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
PROOF_TYPE = "EthereumEip712Signature2021"
PROOF_PRIMARY_TYPE = "Credential"
PROOF_TYPES: dict[str, list[tuple[str, str]]] = {
    "Credential": [
        ("issuer", "string"),
        ("subject", "string"),
        ("schemaId", "bytes32"),
        ("credentialHash", "bytes32"),
    ]
}
SCHEMA_URI_PREFIX = "urn:thekey:schema:"


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def type_hash(credential_type: str) -> bytes:
    """The on-chain credential type: keccak256 of the VC type name."""
    return keccak(text=credential_type)


def schema_uri(schema_id: bytes) -> str:
    return SCHEMA_URI_PREFIX + "0x" + schema_id.hex()


def build_credential(
    *,
    issuer: str,
    subject: str,
    credential_type: str,
    claims: dict[str, Any],
    schema_id: bytes,
    valid_from: int,
    valid_until: int | None,
    status: list[dict[str, Any]],
    credential_id: str | None = None,
) -> dict[str, Any]:
    """An unsigned VC 2.0 credential. ``issuer`` and ``subject`` are DIDs."""
    parse_did(issuer)
    parse_did(subject)
    if "id" in claims:
        raise BadInput("claims may not contain 'id' (it is the subject's DID)")
    if valid_until is not None and valid_until < valid_from:
        raise BadInput("validUntil is before validFrom")
    vc: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": credential_id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", credential_type],
        "issuer": issuer,
        "validFrom": iso(valid_from),
        "credentialSubject": {"id": subject, **claims},
        "credentialSchema": {"id": schema_uri(schema_id), "type": "JsonSchema"},
        "credentialStatus": status,
    }
    if valid_until is not None:
        vc["validUntil"] = iso(valid_until)
    return vc


# -- reading a credential ------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialView:
    """The parts of a credential the SDK reasons about, parsed once."""

    issuer: EthrDID
    subject: str
    credential_type: str
    schema_id: bytes
    valid_from: int
    valid_until: int | None


def view(credential: dict[str, Any]) -> CredentialView:
    try:
        issuer = credential["issuer"]
        issuer = issuer["id"] if isinstance(issuer, dict) else issuer
        types = [t for t in credential["type"] if t != "VerifiableCredential"]
        schema = credential["credentialSchema"]
        schema = schema[0] if isinstance(schema, list) else schema
        sid = str(schema["id"])
        if not sid.startswith(SCHEMA_URI_PREFIX):
            raise BadInput(f"unknown credentialSchema id {sid!r}")
        schema_id = bytes.fromhex(sid[len(SCHEMA_URI_PREFIX) :].removeprefix("0x"))
        subject = credential["credentialSubject"]
        until = credential.get("validUntil")
        return CredentialView(
            issuer=parse_did(str(issuer)),
            subject=str(subject.get("id", "")),
            credential_type=str(types[0]) if types else "",
            schema_id=schema_id,
            valid_from=parse_time(str(credential["validFrom"])),
            valid_until=None if until is None else parse_time(str(until)),
        )
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        if isinstance(exc, BadInput):
            raise
        raise BadInput(f"not a TheKey verifiable credential: {exc!r}") from None


# -- the EIP-712 proof ---------------------------------------------------------------------


def _proof_message(credential: dict[str, Any], content_hash: bytes | None = None) -> dict[str, Any]:
    v = view(credential)
    return {
        "issuer": str(credential["issuer"]),
        "subject": v.subject,
        "schemaId": v.schema_id,
        "credentialHash": credential_hash(credential) if content_hash is None else content_hash,
    }


def proof_document(domain: Domain, credential: dict[str, Any]) -> dict[str, Any]:
    """The EIP-712 document the issuer signs for ``credential``."""
    return typed_data(domain, PROOF_PRIMARY_TYPE, PROOF_TYPES, _proof_message(credential))


def sign_credential(credential: dict[str, Any], issuer: LocalAccount, domain: Domain, created: int) -> dict[str, Any]:
    """The credential with the issuer's EIP-712 proof attached (``issuer`` signs as the VC's issuer)."""
    doc = proof_document(domain, unsigned(credential))
    signature = sign_typed_data(issuer, doc)
    proof = {
        "type": PROOF_TYPE,
        "created": iso(created),
        "proofPurpose": "assertionMethod",
        "verificationMethod": f"{did_for(domain.chain_id, issuer.address)}#controller",
        "proofValue": "0x" + signature.hex(),
        "eip712": {
            "domain": {**doc["domain"]},
            "types": {k: v for k, v in doc["types"].items() if k != "EIP712Domain"},
            "primaryType": PROOF_PRIMARY_TYPE,
        },
    }
    return {**unsigned(credential), "proof": proof}


def proof_domain(credential: dict[str, Any]) -> Domain | None:
    try:
        d = credential["proof"]["eip712"]["domain"]
        return Domain(str(d["name"]), str(d["version"]), int(d["chainId"]), str(d["verifyingContract"]))
    except (KeyError, TypeError, ValueError):
        return None


def proof_signer(credential: dict[str, Any], content_hash: bytes | None = None) -> str | None:
    """The address that made the credential's proof over its current content, or None.

    ``content_hash`` (the credential hash, when the caller has already computed it) saves
    canonicalising the credential again.
    """
    proof = credential.get("proof")
    domain = proof_domain(credential)
    if not isinstance(proof, dict) or domain is None or proof.get("type") != PROOF_TYPE:
        return None
    try:
        signature = bytes.fromhex(str(proof["proofValue"]).removeprefix("0x"))
        if len(signature) != 65 or signature[64] not in (27, 28):
            return None
        if (
            int.from_bytes(signature[32:64]) > SECP256K1_N // 2
        ):  # malleable high-s: refused, as OpenZeppelin's ECDSA does
            return None
        message = _proof_message(unsigned(credential), content_hash)
        digest = flat_digest(domain, PROOF_PRIMARY_TYPE, PROOF_TYPES, message)
        recoverable = signature[:64] + bytes([signature[64] - 27])
        public = PublicKey.from_signature_and_message(recoverable, digest, hasher=None).format(compressed=False)
        return to_checksum_address(keccak(public[1:])[-20:])
    except Exception:  # any malformed signature or document is simply "no valid signer"
        return None
