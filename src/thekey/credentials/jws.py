"""Compact JWS with ES256K (RFC 7515, RFC 8812): ECDSA over secp256k1 with SHA-256.

The signature is ``R || S`` (32 bytes each, big-endian), ``S`` in the lower half of the curve
order (low-S, as RFC 8812 asks and as Ethereum requires): a high-S signature is refused, so a
token has one signature only. Keys travel as JWKs ``{"kty": "EC", "crv": "secp256k1", "x", "y"}``.

Two ways to check a signature: against a public key (a holder's ``cnf.jwk``), or against an
Ethereum address (a ``did:ethr`` controller, whose key the chain knows only as an address): the
public key is recovered from the signature (libsecp256k1, through coincurve) and its address compared, as for
``EcdsaSecp256k1RecoveryMethod2020``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import coincurve
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from eth_keys import keys

from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address

ALG = "ES256K"
#: the order of secp256k1's group
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not all(c.isalnum() or c in "-_" for c in text):
        raise BadInput("not base64url text")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise BadInput("not base64url text") from None


def b64json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def json_part(text: str, what: str) -> dict[str, Any]:
    """A base64url JSON object (a JWS header or payload)."""
    try:
        value = json.loads(b64url_decode(text))
    except (BadInput, ValueError):
        raise BadInput(f"the {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise BadInput(f"the {what} is not a JSON object")
    return value


def public_jwk(private_key: bytes) -> dict[str, str]:
    """The public JWK of a secp256k1 private key."""
    raw = keys.PrivateKey(private_key).public_key.to_bytes()
    return {"kty": "EC", "crv": "secp256k1", "x": b64url(raw[:32]), "y": b64url(raw[32:])}


def jwk_public_bytes(jwk: Any) -> bytes:
    """The 64-byte ``x || y`` of a secp256k1 public JWK; anything else is an error."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "secp256k1" or "d" in jwk:
        raise BadInput("a key is a public secp256k1 JWK {kty: EC, crv: secp256k1, x, y}")
    x, y = b64url_decode(str(jwk.get("x", ""))), b64url_decode(str(jwk.get("y", "")))
    if len(x) != 32 or len(y) != 32:
        raise BadInput("a secp256k1 JWK's x and y are 32 bytes each")
    try:
        coincurve.PublicKey(b"\x04" + x + y)  # on the curve
    except ValueError:
        raise BadInput("the JWK is not a point of secp256k1") from None
    return x + y


def address_of(public: bytes) -> str:
    """The Ethereum address of a 64-byte ``x || y`` public key."""
    return str(to_checksum_address(keccak(public)[-20:]))


def jwk_address(jwk: Any) -> str:
    """The Ethereum address of a secp256k1 public JWK."""
    return address_of(jwk_public_bytes(jwk))


def sign_compact(header: dict[str, Any], payload: dict[str, Any], private_key: bytes) -> str:
    """``header.payload.signature`` signed with ES256K (deterministic, RFC 6979; low-S)."""
    signing_input = f"{b64json({'alg': ALG, **header})}.{b64json(payload)}"
    sig = keys.PrivateKey(private_key).sign_msg_hash(hashlib.sha256(signing_input.encode()).digest())
    s = sig.s if sig.s <= N // 2 else N - sig.s
    return f"{signing_input}.{b64url(sig.r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def split_compact(token: str) -> tuple[dict[str, Any], dict[str, Any], str, bytes]:
    """(header, payload, signing input, signature) of a compact ES256K JWS; format errors raise."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise BadInput("a JWS is three base64url parts joined by '.'")
    header, payload = json_part(parts[0], "JWS header"), json_part(parts[1], "JWS payload")
    if header.get("alg") != ALG:
        raise BadInput(f"the JWS algorithm is {str(header.get('alg'))[:20]!r}, not {ALG}")
    signature = b64url_decode(parts[2])
    if len(signature) != 64:
        raise BadInput("an ES256K signature is 64 bytes (R || S)")
    return header, payload, f"{parts[0]}.{parts[1]}", signature


def _rs(signature: bytes) -> tuple[int, int]:
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < N and 0 < s <= N // 2):
        raise BadInput("the signature is not a low-S ES256K signature")
    return r, s


def verify_with_key(signing_input: str, signature: bytes, public: bytes) -> bool:
    """True when ``signature`` is a valid low-S ES256K signature by the 64-byte public key."""
    try:
        r, s = _rs(signature)
        key = coincurve.PublicKey(b"\x04" + public)
    except (BadInput, ValueError):
        return False
    return bool(key.verify(encode_dss_signature(r, s), signing_input.encode()))  # SHA-256, libsecp256k1


def signer_addresses(signing_input: str, signature: bytes) -> set[str]:
    """The addresses whose keys this low-S ES256K signature verifies under (at most two: the
    signature carries no recovery id; a key recovered from a signature verifies it by
    construction). Empty for a malformed signature."""
    try:
        _rs(signature)
    except BadInput:
        return set()
    digest = hashlib.sha256(signing_input.encode()).digest()
    out: set[str] = set()
    for v in (0, 1):
        try:
            public = coincurve.PublicKey.from_signature_and_message(signature + bytes([v]), digest, hasher=None)
        except ValueError:
            continue
        out.add(address_of(public.format(compressed=False)[1:]))
    return out
