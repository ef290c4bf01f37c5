"""The canonical hash of a credential: keccak-256 of its RFC 8785 (JCS) canonical JSON.

The hash covers the whole credential except its ``proof`` (which is made over the hash), so
changing any claim, date, issuer, subject, schema or status entry changes the hash.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from thekey.errors import BadInput
from thekey.hashing import keccak

#: The largest integer RFC 8785 (an IEEE-754 double) serialises exactly as itself.
_MAX_SAFE_INT = 2**53 - 1


def _plain(value: Any) -> bool:
    """True when ``json.dumps(sort_keys=True)`` already writes ``value`` as RFC 8785 would:
    objects with ASCII keys (code-point order = the RFC's UTF-16 order), strings (escaped
    alike: \\b \\t \\n \\f \\r, \\" and \\\\, other control characters as lower-case \\u00xx),
    integers within ±(2^53 − 1), non-integral floats from 10^-4 to 10^16 (where Python's
    ``repr`` and ECMAScript's Number-to-String both write the shortest round-trip digits in
    fixed notation), booleans, null and arrays. Other numbers (exponents, integral floats, -0),
    non-ASCII keys and other types (subclasses included) go to the full implementation."""
    kind = type(value)  # exact types: subclasses (enums, custom mappings) take the full implementation
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_MAX_SAFE_INT <= value <= _MAX_SAFE_INT)
    if kind is float:  # repr's shortest round-trip digits, in fixed notation as ECMAScript writes them
        return bool(1e-4 <= abs(value) < 1e16 and not value.is_integer())
    if kind is dict:
        return all(type(k) is str and k.isascii() and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return False


def canonical_json(document: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON value.

    Credentials are plain JSON (strings, small numbers, ASCII keys), for which the C encoder
    of ``json`` writes exactly the canonical form about ten times faster than ``rfc8785``;
    anything else (exponent-form numbers, large integers, non-ASCII keys) goes through ``rfc8785``. A lone
    surrogate cannot be encoded as UTF-8 and falls through to ``rfc8785``'s error. The two
    paths are cross-checked on generated documents and the RFC's vectors.
    """
    if _plain(document):
        try:
            return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        except UnicodeEncodeError:
            pass
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
