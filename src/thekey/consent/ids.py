"""Purpose and scope ids: keccak256 of documented human-readable names.

The contracts store only the 32-byte ids. This module is the project's registry of names:
``PURPOSES`` and ``SCOPES`` below are the documented list (add a name here, never reuse one
with another meaning). Any other name is still accepted — its id is its keccak256 — and
``describe`` then shows the id in hex.
"""

from __future__ import annotations

from eth_utils import keccak

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


def describe(value: bytes) -> str:
    """The documented name of an id, else its 0x-hex."""
    return _NAMES.get(bytes(value), "0x" + bytes(value).hex())
