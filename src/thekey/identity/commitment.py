"""Commitments of real-world identity documents, for registrars (KYC'd user agents).

A commitment is what the chain sees of a document: a keyed hash that nobody can reverse by
enumerating document numbers (an 18-digit national-ID space is enumerable; a plain hash is not
a secret). It is

    HMAC-SHA256(key = pepper,
                msg = "TheKey/identity-commitment/v1" ‖ 0x00 ‖ uint256(chainId) ‖ address(registry)
                      ‖ ascii(TYPE "|" COUNTRY "|" NUMBER))

- ``pepper``: a secret of at least 32 random bytes, held by the registrars (shared among them so
  that the same document gives the same commitment whoever performs the KYC — that is what makes
  "one document, one DID" enforceable). Never on chain, never logged.
- ``chainId`` (32 bytes big-endian) and ``registry`` (the 20-byte address of the IdentityBinding
  contract): domain separation, so a commitment on one deployment says nothing about another.
- Normalisation (:func:`normalise_document`):
  - TYPE: NFKC, trimmed, upper-case, runs of spaces/dashes become ``_``; one of ``DOCUMENT_TYPES``.
  - COUNTRY: the issuing country as ISO 3166-1 alpha-2, upper-case (``CN``, ``SG``).
  - NUMBER: NFKC (full-width digits become ASCII), every whitespace, dash (``-`` ``‐`` ``‑`` ``‒``
    ``–`` ``—`` ``―`` ``−``), dot and slash removed, upper-case; then 1-64 characters ``[A-Z0-9]``.

Golden vectors: ``tests/identity/commitment_vectors.json`` (checked against an independent
HMAC in Node.js).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from eth_utils import is_hex_address, to_bytes

from thekey.errors import BadInput
from thekey.hashing import to_checksum_address

DOMAIN_TAG = b"TheKey/identity-commitment/v1"
PERSON_TAG = b"TheKey/person-commitment/v1"
MIN_PEPPER_BYTES = 32
DOCUMENT_TYPES = frozenset(
    {
        "ID_CARD",
        "PASSPORT",
        "RESIDENCE_PERMIT",
        "DRIVING_LICENCE",
        "BIRTH_CERTIFICATE",
        "TAX_ID",
        "SOCIAL_SECURITY",
        "TRAVEL_PERMIT",
        "WORK_PERMIT",
    }
)

_STRIP = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212./]+")
_NUMBER = re.compile(r"^[A-Z0-9]{1,64}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Document:
    """A normalised identity document (personal data: keep it off chain and out of logs)."""

    doc_type: str
    country: str
    number: str

    def canonical(self) -> str:
        return f"{self.doc_type}|{self.country}|{self.number}"

    def __repr__(self) -> str:  # never print the number by accident
        return f"Document({self.doc_type}, {self.country}, <redacted>)"


def normalise_document(doc_type: str, country: str, number: str) -> Document:
    """Normalise the three parts of a document as documented above (BadInput when invalid)."""
    t = re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", doc_type).strip().upper())
    if t not in DOCUMENT_TYPES:
        raise BadInput(f"unknown document type {doc_type!r} (one of {', '.join(sorted(DOCUMENT_TYPES))})")
    c = unicodedata.normalize("NFKC", country).strip().upper()
    if not _COUNTRY.match(c):
        raise BadInput(f"the issuing country is an ISO 3166-1 alpha-2 code (e.g. CN, SG), not {country!r}")
    n = _STRIP.sub("", unicodedata.normalize("NFKC", number)).upper()
    if not _NUMBER.match(n):
        raise BadInput("a document number is 1-64 letters and digits once spaces, dashes, dots and slashes are removed")
    return Document(t, c, n)


def parse_pepper(text: str | bytes) -> bytes:
    """A pepper given as bytes or 0x-hex text; at least 32 bytes."""
    try:
        raw = bytes(text) if isinstance(text, bytes) else to_bytes(hexstr=text.strip())
    except ValueError:
        raise BadInput("the pepper is hex (0x…) of at least 32 bytes") from None
    if len(raw) < MIN_PEPPER_BYTES:
        raise BadInput(f"the pepper must be at least {MIN_PEPPER_BYTES} bytes (got {len(raw)})")
    return raw


def commitment_message(chain_id: int, registry: str, document: Document) -> bytes:
    """The HMAC input (domain tag, chain, registry, canonical document)."""
    return _message(DOMAIN_TAG, chain_id, registry, document.canonical())


def _message(tag: bytes, chain_id: int, registry: str, canonical: str) -> bytes:
    if not is_hex_address(registry):
        raise BadInput(f"not an address: {registry!r}")
    if not 0 < chain_id < 2**256:
        raise BadInput(f"bad chain id {chain_id}")
    return (
        tag
        + b"\x00"
        + chain_id.to_bytes(32, "big")
        + bytes.fromhex(to_checksum_address(registry)[2:])
        + canonical.encode("ascii")
    )


def commitment(pepper: bytes, chain_id: int, registry: str, document: Document) -> bytes:
    """The 32-byte commitment of ``document`` for the binding contract ``registry`` on ``chain_id``."""
    key = parse_pepper(pepper)
    return hmac.new(key, commitment_message(chain_id, registry, document), hashlib.sha256).digest()


def commit(pepper: bytes, chain_id: int, registry: str, doc_type: str, country: str, number: str) -> bytes:
    """Normalise and commit in one step."""
    return commitment(pepper, chain_id, registry, normalise_document(doc_type, country, number))


def person_commitment(pepper: bytes, chain_id: int, registry: str, country: str, national_id: str) -> bytes:
    """The 32-byte *person* commitment: what makes the binding one-to-one per person, not only per
    document. Its input is the person's civil registration — the issuing country and the national
    identity number that all of that person's documents map to (the registrar establishes it
    during KYC) — normalised like a document number, under ``PERSON_TAG``:

        HMAC-SHA256(pepper, "TheKey/person-commitment/v1" ‖ 0x00 ‖ uint256(chainId) ‖ registry
                            ‖ ascii(COUNTRY "|" NUMBER))
    """
    person = normalise_document("ID_CARD", country, national_id)
    key = parse_pepper(pepper)
    message = _message(PERSON_TAG, chain_id, registry, f"{person.country}|{person.number}")
    return hmac.new(key, message, hashlib.sha256).digest()
