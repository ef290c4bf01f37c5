"""The canonical hash of a credential: keccak-256 of its RFC 8785 (JCS) canonical JSON.

The hash covers the whole credential except its ``proof`` (which is made over the hash), so
changing any claim, date, issuer, subject, schema or status entry changes the hash.
"""

from __future__ import annotations

from typing import Any

import rfc8785
from eth_utils import keccak

from thekey.errors import BadInput


def canonical_json(document: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON value."""
    try:
        return rfc8785.dumps(document)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise BadInput(f"not canonicalisable JSON: {exc}") from None


def unsigned(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential without its ``proof``."""
    return {k: v for k, v in credential.items() if k != "proof"}


def credential_hash(credential: dict[str, Any]) -> bytes:
    """``keccak256(JCS(credential without proof))`` — the value anchored on chain."""
    return keccak(canonical_json(unsigned(credential)))


def document_hash(document: Any) -> bytes:
    """``keccak256(JCS(document))`` — e.g. a JSON Schema's id."""
    return keccak(canonical_json(document))
