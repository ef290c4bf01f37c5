"""Decline reasons: public codes, never personal data.

When the verifier declines a request it records ``reason_hash(code)`` on chain (the escrow's
``AgreementDeclined`` event); the audit maps it back with ``reason_of``. The detailed decision
record (scores, inputs' hashes) stays off chain with the verifier.
"""

from __future__ import annotations

from thekey.hashing import keccak

REASONS: dict[str, str] = {
    "policy:category-not-allowed": "the provider's category may request no data under the industry rules",
    "policy:scope-not-allowed": "the provider may not request this data scope",
    "policy:purpose-not-allowed": "the provider may not use this data for this purpose",
    "policy:price-below-floor": "the offered price is below the industry floor",
    "identity:biometric-mismatch": "the biometric sample does not match the government record",
    "identity:low-confidence": "behaviour and scene signals left the confidence below the threshold",
    "identity:no-record": "no government record is enrolled for the subject",
}


def reason_hash(code: str) -> bytes:
    if code not in REASONS:
        raise ValueError(f"unknown decline reason {code!r}")
    return keccak(text=f"thekey:decline:{code}")


_BY_HASH = {reason_hash(code): code for code in REASONS}


def reason_of(value: bytes | str) -> str:
    """The code of a reason hash, or the hash in hex when it is not a known code."""
    raw = bytes.fromhex(value[2:]) if isinstance(value, str) else bytes(value)
    return _BY_HASH.get(raw, "0x" + raw.hex())
