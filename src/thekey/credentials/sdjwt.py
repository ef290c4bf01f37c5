"""SD-JWT VCs (RFC 9901 SD-JWT; draft-ietf-oauth-sd-jwt-vc): issue, present, parse.

An SD-JWT VC is ``<issuer-signed JWT>~<disclosure>~…~<KB-JWT or nothing>``:

- the issuer-signed JWT has header ``{"alg": "ES256K", "typ": "dc+sd-jwt", "kid":
  "<issuer DID>#controller"}`` (the did:ethr controller verification method) and payload
  ``iss`` (issuer DID), ``sub`` (holder DID), ``iat``, ``nbf``, ``exp``, ``vct``
  (``urn:thekey:vct:<Type>:0x<schema id>``: the VC type and the registered schema that fixes
  it), ``cnf.jwk`` (the holder's secp256k1 key), ``status.status_list`` (IETF Token Status List:
  ``idx`` in the issuer's on-chain list named by ``uri``), ``_sd_alg`` ``sha-256`` and ``_sd``
  (the sorted digests of every claim, each claim selectively disclosable);
- a disclosure is ``base64url(JSON [salt, name, value])`` with a 128-bit random salt; its digest
  is ``base64url(SHA-256(disclosure))``;
- the KB-JWT (``typ`` ``kb+jwt``) is signed by the ``cnf`` key over ``iat``, ``aud`` (the
  verifier), ``nonce`` (its challenge) and ``sd_hash`` (``base64url(SHA-256)`` of everything
  before it).

On chain the issuer anchors ``keccak256`` of the issuer-signed JWT (ASCII) in its namespace with
the schema, ``nbf``/``exp`` window and status index; the digests reveal nothing of the claims.
The status list is the issuer's on-chain list of the CredentialRegistry: two bits per entry
(bit 0 revoked, bit 1 suspended), which is the IETF Token Status List layout with ``bits: 2``
(``0x00`` VALID, ``0x01`` INVALID, ``0x02`` SUSPENDED) read word by word, little-endian.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount

from thekey.chain.transactions import Receipt
from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.jws import b64url, b64url_decode, jwk_public_bytes, public_jwk, sign_compact, split_compact
from thekey.credentials.status import is_reserved
from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address
from thekey.identity.did import did_for, parse_did

TYP = "dc+sd-jwt"
KB_TYP = "kb+jwt"
SD_ALG = "sha-256"
VCT_PREFIX = "urn:thekey:vct:"
STATUS_URI_PREFIX = "urn:thekey:status:"
#: claims the issuer writes in clear (never disclosable, never claim names)
RESERVED_CLAIMS = frozenset({"iss", "sub", "iat", "nbf", "exp", "vct", "cnf", "status", "_sd", "_sd_alg", "..."})
_TYPE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_VCT = re.compile(r"^urn:thekey:vct:(?P<type>[A-Za-z][A-Za-z0-9_.-]*):0x(?P<schema>[0-9a-f]{64})$")


def vct_of(credential_type: str, schema_id: bytes) -> str:
    if not _TYPE_NAME.match(credential_type):
        raise BadInput(f"a credential type is a name of letters, digits, '_', '.', '-': {credential_type!r}")
    return f"{VCT_PREFIX}{credential_type}:0x{schema_id.hex()}"


def parse_vct(vct: Any) -> tuple[str, bytes]:
    """(type name, schema id) of a TheKey ``vct``."""
    m = _VCT.match(vct) if isinstance(vct, str) else None
    if not m:
        raise BadInput(f"vct {str(vct)[:80]!r} is not urn:thekey:vct:<Type>:0x<schema id>")
    return m.group("type"), bytes.fromhex(m.group("schema"))


def status_uri(chain_id: int, registry: str, issuer: str) -> str:
    """The URI naming an issuer's on-chain status list (a Token Status List with 2 bits)."""
    return f"{STATUS_URI_PREFIX}{chain_id}:{to_checksum_address(registry)}:{to_checksum_address(issuer)}"


def parse_status_uri(uri: Any) -> tuple[int, str, str]:
    parts = uri.split(":") if isinstance(uri, str) else []
    if len(parts) != 6 or parts[:3] != ["urn", "thekey", "status"]:
        raise BadInput(f"status uri {str(uri)[:80]!r} is not urn:thekey:status:<chain>:<registry>:<issuer>")
    try:
        return int(parts[3]), to_checksum_address(parts[4]), to_checksum_address(parts[5])
    except ValueError:
        raise BadInput(f"status uri {str(uri)[:80]!r} is not urn:thekey:status:<chain>:<registry>:<issuer>") from None


def token_status_list(words: Sequence[int]) -> dict[str, Any]:
    """The IETF Token Status List (``{"bits": 2, "lst": …}``, ZLIB-deflated, base64url) of an
    issuer's on-chain words; the reserved entry of each word (its allocation mark) reads VALID."""
    mask = (1 << 256) - 1 - 0b11
    raw = b"".join((w & mask).to_bytes(32, "little") for w in words)
    return {"bits": 2, "lst": b64url(zlib.compress(raw, 9))}


def status_in_list(status_list: Mapping[str, Any], index: int) -> int:
    """Entry ``index`` of a Token Status List (0 VALID, 1 INVALID, 2 SUSPENDED, 3 both)."""
    bits = int(status_list["bits"])
    raw = zlib.decompress(b64url_decode(str(status_list["lst"])))
    per_byte = 8 // bits
    if not 0 <= index < len(raw) * per_byte:
        raise BadInput(f"status index {index} is outside the list")
    return (raw[index // per_byte] >> ((index % per_byte) * bits)) & ((1 << bits) - 1)


# -- disclosures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """One disclosure: the encoded text (hashed as written) and what it says."""

    encoded: str
    salt: str
    name: str
    value: Any

    @property
    def digest(self) -> str:
        return digest(self.encoded)

    @classmethod
    def make(cls, name: str, value: Any, salt: str | None = None) -> Disclosure:
        if name in RESERVED_CLAIMS:
            raise BadInput(f"{name!r} is a reserved claim name and cannot be disclosed")
        salt = salt or b64url(os.urandom(16))
        encoded = b64url(json.dumps([salt, name, value], separators=(",", ":"), ensure_ascii=False).encode())
        return cls(encoded, salt, name, value)

    @classmethod
    def parse(cls, encoded: str) -> Disclosure:
        try:
            value = json.loads(b64url_decode(encoded))
        except (BadInput, ValueError):
            raise BadInput("a disclosure is not base64url JSON") from None
        if not (
            isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and isinstance(value[1], str)
        ):
            raise BadInput("an object-property disclosure is [salt, name, value]")
        if value[1] in RESERVED_CLAIMS:
            raise BadInput(f"a disclosure may not carry the reserved claim {value[1]!r}")
        return cls(encoded, value[0], value[1], value[2])


def digest(text: str) -> str:
    return b64url(hashlib.sha256(text.encode("ascii")).digest())


# -- the SD-JWT -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdJwt:
    """A parsed SD-JWT (issued, or presented with a subset of disclosures and a KB-JWT)."""

    jwt: str
    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: str
    signature: bytes
    disclosures: tuple[Disclosure, ...]
    kb_jwt: str | None

    @property
    def hash(self) -> bytes:
        """The anchored hash: keccak-256 of the issuer-signed JWT."""
        return keccak(self.jwt.encode("ascii"))

    @property
    def claims(self) -> dict[str, Any]:
        """The disclosed claims (name → value)."""
        return {d.name: d.value for d in self.disclosures}

    def without_key_binding(self) -> str:
        """``<jwt>~<d>~…~``: what the KB-JWT's ``sd_hash`` covers (and the issued form)."""
        return "".join(f"{part}~" for part in (self.jwt, *(d.encoded for d in self.disclosures)))

    def compact(self) -> str:
        return self.without_key_binding() + (self.kb_jwt or "")

    @property
    def credential_type(self) -> str:
        return parse_vct(self.payload.get("vct"))[0]

    @property
    def schema_id(self) -> bytes:
        return parse_vct(self.payload.get("vct"))[1]

    @property
    def status_index(self) -> int:
        return status_reference(self.payload)[1]


def status_reference(payload: Mapping[str, Any]) -> tuple[str, int]:
    """(uri, idx) of a payload's ``status.status_list``."""
    status = payload.get("status")
    entry = status.get("status_list") if isinstance(status, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("idx"), int) or not isinstance(entry.get("uri"), str):
        raise BadInput("the SD-JWT has no status.status_list {idx, uri}")
    return str(entry["uri"]), int(entry["idx"])


def parse_sd_jwt(text: str) -> SdJwt:
    """Parse ``<jwt>~<disclosure>~…~[<kb-jwt>]`` (format only: nothing is verified here)."""
    if not isinstance(text, str):
        raise BadInput("an SD-JWT is text")
    parts = text.strip().split("~")
    if len(parts) < 2:
        raise BadInput("an SD-JWT is <issuer-signed JWT>~<disclosures>~[<KB-JWT>]")
    header, payload, signing_input, signature = split_compact(parts[0])
    if header.get("typ") not in (TYP, "vc+sd-jwt"):
        raise BadInput(f"the JWT's typ is {str(header.get('typ'))[:20]!r}, not {TYP}")
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise BadInput(f"the SD-JWT's _sd_alg is {str(payload.get('_sd_alg'))[:20]!r}, not {SD_ALG}")
    disclosures = tuple(Disclosure.parse(d) for d in parts[1:-1])
    if any(not d for d in parts[1:-1]):
        raise BadInput("an empty disclosure")
    return SdJwt(parts[0], header, payload, signing_input, signature, disclosures, parts[-1] or None)


# -- issuing ------------------------------------------------------------------------------------


def issue_sd_jwt(
    registry: CredentialRegistry,
    issuer: LocalAccount,
    *,
    holder_jwk: Mapping[str, str],
    subject: str,
    credential_type: str,
    claims: Mapping[str, Any],
    schema_id: bytes,
    valid_from: int,
    valid_until: int | None,
    status_index: int,
    issued_at: int | None = None,
) -> SdJwt:
    """Sign an SD-JWT VC (nothing is sent) with every claim selectively disclosable; the result
    carries every disclosure (``compact()`` is the file the holder receives)."""
    chain_id = registry.chain.chain_id
    parse_did(subject)
    if not claims:
        raise BadInput("an SD-JWT VC needs at least one claim")
    if valid_until is not None and valid_until < valid_from:
        raise BadInput("exp is before nbf")
    if status_index < 1 or is_reserved(status_index):
        raise BadInput(f"status index {status_index} is reserved")
    disclosures = tuple(Disclosure.make(name, json.loads(json.dumps(claims[name]))) for name in claims)
    iss = did_for(chain_id, issuer.address)
    payload: dict[str, Any] = {
        "iss": iss,
        "sub": subject,
        "iat": valid_from if issued_at is None else issued_at,
        "nbf": valid_from,
        **({} if valid_until is None else {"exp": valid_until}),
        "vct": vct_of(credential_type, schema_id),
        "cnf": {"jwk": dict(holder_jwk)},
        "status": {"status_list": {"idx": status_index, "uri": status_uri(chain_id, registry.address, issuer.address)}},
        "_sd_alg": SD_ALG,
        "_sd": sorted(d.digest for d in disclosures),
    }
    header = {"typ": TYP, "kid": f"{iss}#controller"}
    return parse_sd_jwt(
        sign_compact(header, payload, bytes(issuer.key)) + "~" + "".join(f"{d.encoded}~" for d in disclosures)
    )


def anchor_sd_jwt(registry: CredentialRegistry, issuer: LocalAccount, sd: SdJwt) -> Receipt:
    """Anchor the issuer-signed JWT's hash with its schema, window and status index."""
    p = sd.payload
    return registry.anchor(issuer, sd.hash, sd.schema_id, int(p["nbf"]), int(p.get("exp", 0)), sd.status_index)


def status_list_token(registry: CredentialRegistry, issuer: LocalAccount, issued_at: int) -> str:
    """The issuer's Status List Token (``typ`` ``statuslist+jwt``, ES256K by its controller key)
    of its on-chain list now: what a verifier that does not read the chain fetches for ``uri``."""
    chain_id = registry.chain.chain_id
    payload = {
        "sub": status_uri(chain_id, registry.address, issuer.address),
        "iat": issued_at,
        "status_list": token_status_list(registry.status_words(issuer.address)),
    }
    header = {"typ": "statuslist+jwt", "kid": f"{did_for(chain_id, issuer.address)}#controller"}
    return sign_compact(header, payload, bytes(issuer.key))


# -- presenting ---------------------------------------------------------------------------------


def present(
    credential: SdJwt,
    names: Iterable[str],
    holder_key: bytes,
    *,
    nonce: str,
    audience: str,
    issued_at: int,
) -> str:
    """The presentation ``<jwt>~<chosen disclosures>~<KB-JWT>``: only the claims ``names``, bound
    to the verifier's ``nonce`` and ``audience`` by the holder's key (which must be ``cnf.jwk``)."""
    wanted = list(dict.fromkeys(names))
    by_name = {d.name: d for d in credential.disclosures}
    missing = [n for n in wanted if n not in by_name]
    if missing:
        raise BadInput(f"no claim {missing[0]!r} in this credential (it has {', '.join(sorted(by_name))})")
    cnf = credential.payload.get("cnf")
    bound = cnf.get("jwk") if isinstance(cnf, dict) else None
    if bound is None or jwk_public_bytes(bound) != jwk_public_bytes(public_jwk(holder_key)):
        raise BadInput("this credential is bound to another key than the holder's")
    if not nonce or not audience:
        raise BadInput("a presentation needs the verifier's nonce and audience")
    shown = SdJwt(credential.jwt, credential.header, credential.payload, credential.signing_input,
                  credential.signature, tuple(by_name[n] for n in wanted), None)  # fmt: skip
    body = shown.without_key_binding()
    kb = {"iat": issued_at, "aud": audience, "nonce": nonce, "sd_hash": digest(body)}
    return body + sign_compact({"typ": KB_TYP}, kb, holder_key)
