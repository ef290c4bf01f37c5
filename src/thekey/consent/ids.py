"""Purpose and scope ids: keccak256 of documented human-readable names.

The contracts store only the 32-byte ids. This module is the project's registry of names:
``PURPOSES`` and ``SCOPES`` below are the documented list (add a name here, never reuse one
with another meaning). The SDK's ``scope_id``/``purpose_id`` hash any name; the CLI takes only
documented names or explicit 0x ids (``documented_scope``/``documented_purpose``), so a
misspelling is refused instead of granted. ``describe`` shows an unknown id in hex.
"""

from __future__ import annotations

import difflib

from thekey.errors import BadInput
from thekey.hashing import keccak
from thekey.parsing import label_hash

#: Purposes a subject consents to. "data-route" is the one DataRoutes requires for publication.
PURPOSES: dict[str, str] = {
    "data-route": "publish in the data route that the grantee holds this category of the subject's data",
    "identity-verification": "verify the subject's identity (KYC) for a service",
    "insurance-underwriting": "assess and price an insurance application",
    "insurance-claim": "assess and pay an insurance claim",
    "medical-treatment": "provide medical care",
    "credit-assessment": "assess creditworthiness",
    "government-service": "deliver a public service the subject applied for",
    "audit": "audit a past verification or payment",
}

#: Data categories (consent scopes and route categories). "account-link" is the scope
#: DataRoutes requires before an organisation links a local account to a DID.
SCOPES: dict[str, str] = {
    "account-link": "map one of the organisation's local accounts to the subject's DID (keyed hash)",
    "identity.basic": "name, date of birth, nationality",
    "identity.document": "identity document (ID card, passport, residence permit) record",
    "identity.biometric": "biometric templates (fingerprint, face, iris)",
    "health.record": "medical record",
    "health.insurance": "health insurance policy and claims",
    "finance.account": "bank account and transaction history",
    "finance.credit": "credit history and rating",
    "tax.record": "tax filings and assessments",
    "residence.address": "registered residential address",
    "social.security": "social security contributions and benefits",
    "education.degree": "degrees and diplomas",
}

ROUTE_PURPOSE = "data-route"
ACCOUNT_LINK_SCOPE = "account-link"

_NAMES: dict[bytes, str] = {keccak(text=n): n for n in (*PURPOSES, *SCOPES)}


def purpose_id(name: str) -> bytes:
    """The id of a purpose name (or a 0x 32-byte id, returned as is)."""
    return label_hash(name)


def scope_id(name: str) -> bytes:
    """The id of a scope / data-category name (or a 0x 32-byte id, returned as is)."""
    return label_hash(name)


def _documented(kind: str, names: dict[str, str], text: str) -> bytes:
    t = text.strip()
    if t.startswith("0x") or t in names:
        return label_hash(t)
    close = difflib.get_close_matches(t, list(names), n=1)
    hint = f" — did you mean {close[0]!r}?" if close else ""
    raise BadInput(
        f"unknown {kind} {text!r}{hint} (documented names: `thekey consent names`; give a 0x 32-byte id for another)"
    )


def documented_scope(text: str) -> bytes:
    """The id of a documented scope name or an explicit 0x id; a misspelled name is refused."""
    return _documented("scope", SCOPES, text)


def documented_purpose(text: str) -> bytes:
    """The id of a documented purpose name or an explicit 0x id; a misspelled name is refused."""
    return _documented("purpose", PURPOSES, text)


def describe(value: bytes) -> str:
    """The documented name of an id, else its 0x-hex."""
    return _NAMES.get(bytes(value), "0x" + bytes(value).hex())
