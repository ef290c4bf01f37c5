"""W3C Verifiable Credentials Data Model 2.0 documents and their EthereumEip712Signature2021 proof.

A credential names its issuer and subject by ``did:ethr``, carries its claims in
``credentialSubject``, a ``credentialSchema`` (``urn:thekey:schema:0x<id>``, type ``JsonSchema``)
and ``credentialStatus`` entries pointing at the issuer's on-chain status list.

The proof is a W3C CCG ``EthereumEip712Signature2021`` (``thekey.credentials.proof``): the
issuer's EIP-712 signature of the whole credential, types generated from the document, the
domain and types embedded in the proof, so Veramo (or any EIP-712 implementation) checks it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.credentials.canonical import unsigned
from thekey.credentials.proof import sign
from thekey.errors import BadInput
from thekey.hashing import keccak
from thekey.identity.did import EthrDID, did_for, parse_did
from thekey.ids import HexFields, Id
from thekey.parsing import iso_time as iso
from thekey.parsing import parse_time

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
SCHEMA_URI_PREFIX = "urn:thekey:schema:"


def type_hash(credential_type: str) -> bytes:
    """The on-chain credential type: keccak256 of the VC type name."""
    return Id(keccak(text=credential_type))


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
class CredentialView(HexFields):
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


# -- the proof -------------------------------------------------------------------------------


def sign_credential(credential: dict[str, Any], issuer: LocalAccount, chain_id: int, created: int) -> dict[str, Any]:
    """The credential with the issuer's EthereumEip712Signature2021 proof over the whole document
    (``issuer`` signs as the VC's issuer; the domain is Veramo's, for ``chain_id``)."""
    options = {
        "created": iso(created),
        "proofPurpose": "assertionMethod",
        "verificationMethod": f"{did_for(chain_id, issuer.address)}#controller",
    }
    return sign(unsigned(credential), bytes(issuer.key), options, chain_id)
