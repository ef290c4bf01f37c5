"""W3C CCG *Ethereum EIP712 Signature 2021* proofs, as the spec and Veramo make them.

https://w3c-ccg.github.io/ethereum-eip712-signature-2021-spec/ — the signed message is the
whole credential with ``proof`` set to the proof options (every proof member except
``proofValue`` and the ``eip712`` parameters); the types are generated from that document by
the spec's types generation algorithm (as ``eip-712-types-generation``, which Veramo's
``@veramo/credential-eip712`` uses): members in RFC 8785 (JCS) order, strings ``string``,
booleans ``bool``, numbers ``uint256``, arrays ``T[]``, a nested object a struct named after its
member with the first letter upper-cased, ``EIP712Domain`` first. The domain is Veramo's:
``{name: "VerifiableCredential", version: "1", chainId}``. The ``eip712`` object
``{domain, types, primaryType}`` travels in the proof; the domain enters the signature as the
domain separator, the types as type hashes.

Beyond Veramo's generator (which rejects them), arrays of objects of one shape are typed as
struct arrays (``credentialStatus`` → ``CredentialStatus[]``) and objects nested deeper than
one level get their own struct types; JSON values EIP-712 cannot type (null, negative or
fractional numbers, empty or mixed arrays) are refused with the member's path.

Verification hashes with the document's own ``eip712.types`` and refuses any object member
those types do not cover, so no member of the credential is left out of the signature.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from coincurve import PrivateKey, PublicKey

from thekey.eip712 import SECP256K1_N
from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address
from thekey.parsing import is_digits

PROOF_TYPE = "EthereumEip712Signature2021"
PRIMARY_TYPE = "VerifiableCredential"
DOMAIN_NAME = "VerifiableCredential"
DOMAIN_VERSION = "1"
EIP712_DOMAIN_FIELDS: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
]
#: proof members outside the signed message: the signature, and the EIP-712 parameters
#: (``eip712Domain`` is the spec's earlier name, which Veramo still strips)
UNSIGNED_PROOF_MEMBERS = frozenset({"proofValue", "eip712", "eip712Domain"})

Types = dict[str, list[dict[str, str]]]


class ProofError(BadInput):
    """Why a proof cannot be checked or does not verify (one line)."""


# -- the spec's types generation algorithm ---------------------------------------------------

_STRUCT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")  # JCS orders members by UTF-16 code units


def generate_types(document: dict[str, Any], primary_type: str = PRIMARY_TYPE) -> Types:
    """The EIP-712 ``types`` of ``document`` (which carries its proof options as ``proof``)."""
    if not isinstance(document.get("proof"), dict):
        raise ProofError("no proof was found on the document")
    structs: Types = {}
    fields = _struct_fields(document, structs, "")
    if primary_type in structs or primary_type == "EIP712Domain":
        raise ProofError(f"a nested object would take the primary type's name {primary_type}")
    return {"EIP712Domain": [dict(f) for f in EIP712_DOMAIN_FIELDS], **structs, primary_type: fields}


def _struct_fields(obj: dict[str, Any], structs: Types, where: str) -> list[dict[str, str]]:
    return [
        {"name": key, "type": _member_type(key, obj[key], structs, f"{where}.{key}" if where else key)}
        for key in sorted(obj, key=_utf16)
    ]


def _define(structs: Types, key: str, fields: list[dict[str, str]], where: str) -> str:
    name = key[:1].upper() + key[1:]
    if not _STRUCT_NAME.match(name):
        raise ProofError(f"{where}: the object's member name cannot name an EIP-712 struct type")
    if name in structs and structs[name] != fields:
        raise ProofError(f"{where}: another object of a different shape is also EIP-712 type {name}")
    structs[name] = fields
    return name


def _member_type(key: str, value: Any, structs: Types, where: str) -> str:
    kind = type(value)
    if kind is str:
        return "string"
    if kind is bool:
        return "bool"
    if kind is int and value >= 0:
        return "uint256"
    if kind is dict:
        return _define(structs, key, _struct_fields(value, structs, where), where)
    if kind is list and value:
        first = type(value[0])
        if any(type(v) is not first for v in value):
            raise ProofError(f"{where}: an EIP-712 array holds one type, this one mixes them")
        if first is dict:
            shapes = [_struct_fields(v, structs, f"{where}[{i}]") for i, v in enumerate(value)]
            if any(s != shapes[0] for s in shapes):
                raise ProofError(f"{where}: an EIP-712 array holds one struct type, these objects differ")
            return _define(structs, key, shapes[0], where) + "[]"
        if first in (str, bool, int):
            element = {_member_type(key, v, structs, where) for v in value}
            return element.pop() + "[]"
    what = "an empty array" if kind is list else "null" if value is None else f"the value {value!r}"
    raise ProofError(
        f"{where}: EIP-712 has no type for {what} (use strings, booleans, non-negative integers, objects, arrays)"
    )


# -- hashing: a direct encoder, compiled once per types object ----------------------------------

_Encoder = Callable[[Any], bytes]
_ZERO12 = bytes(12)
_TRUE = (1).to_bytes(32, "big")
_FALSE = bytes(32)


class _Codec:
    """``hashStruct`` for every struct of one ``types`` object (EIP-712, as eth-sig-util V4)."""

    def __init__(self, types: Any) -> None:
        if not isinstance(types, dict) or not types:
            raise ProofError("the proof's eip712.types is not an object of struct types")
        self.fields: dict[str, list[tuple[str, str]]] = {}
        for name, fields in types.items():
            if not isinstance(fields, list) or not all(
                isinstance(f, dict) and set(f) == {"name", "type"} and all(isinstance(x, str) for x in f.values())
                for f in fields
            ):
                raise ProofError(f"the proof's eip712.types.{name} is not a list of {{name, type}}")
            names = [f["name"] for f in fields]
            if len(set(names)) != len(names):
                raise ProofError(f"the proof's eip712.types.{name} names a member twice")
            self.fields[name] = [(f["name"], f["type"]) for f in fields]
        self.typehash = {name: keccak(text=self._encode_type(name)) for name in self.fields}
        self.encoders = {name: [(n, self._encoder(t)) for n, t in fields] for name, fields in self.fields.items()}
        self.hashers = {name: self._hasher(name) for name in self.fields}
        self.domains: dict[tuple[Any, ...], bytes] = {}

    def _encode_type(self, primary: str) -> str:
        found: set[str] = set()
        stack = [primary]
        while stack:
            for _, ftype in self.fields[stack.pop()]:
                base = ftype.split("[", 1)[0]
                if base in self.fields and base not in found and base != primary:
                    found.add(base)
                    stack.append(base)
        return "".join(
            f"{t}(" + ",".join(f"{ft} {fn}" for fn, ft in self.fields[t]) + ")" for t in [primary, *sorted(found)]
        )

    def _encoder(self, ftype: str) -> _Encoder:
        if ftype.endswith("]"):
            inner = self._encoder(ftype[: ftype.rindex("[")])
            size = ftype[ftype.rindex("[") + 1 : -1]
            if size and not is_digits(size):
                raise ProofError(f"unknown EIP-712 type {ftype}")
            length = int(size) if size else None

            def array(value: Any) -> bytes:
                if type(value) is not list or (length is not None and len(value) != length):
                    raise ProofError(f"a {ftype} member is not such an array")
                return keccak(b"".join([inner(v) for v in value]))

            return array
        if ftype in self.fields:
            return lambda value: self.hashers[ftype](value)
        if ftype == "string":
            return _string
        if ftype == "bool":
            return _bool
        if ftype == "address":
            return _address
        if ftype == "bytes":
            return lambda value: keccak(_hex_bytes(value))
        m = re.fullmatch(r"(u?)int(\d*)", ftype)
        if m and (bits := int(m[2] or 256)) % 8 == 0 and 8 <= bits <= 256:
            return _integer(m[1] == "u", bits)
        m = re.fullmatch(r"bytes(\d+)", ftype)
        if m and 1 <= (size_ := int(m[1])) <= 32:
            return _fixed_bytes(size_)
        raise ProofError(f"unknown EIP-712 type {ftype!r}")

    def _hasher(self, name: str) -> _Encoder:
        """``hashStruct`` of one struct type, as a closure over its type hash and member encoders."""
        typehash, encoders = self.typehash[name], self.encoders[name]
        count = len(encoders)

        def hash_struct(value: Any) -> bytes:
            if type(value) is not dict:
                raise ProofError(f"a {name} member is not an object")
            if len(value) != count:
                extra = sorted(set(value) - {n for n, _ in encoders})
                if extra:
                    raise ProofError(f"the EIP-712 type {name} does not cover the member {extra[0]}")
            try:
                data = typehash + b"".join([encode(value[member]) for member, encode in encoders])
            except KeyError as exc:
                raise ProofError(f"the EIP-712 type {name} has a member {exc.args[0]} the object lacks") from None
            return keccak(data)

        return hash_struct

    def hash_struct(self, name: str, value: Any) -> bytes:
        return self.hashers[name](value)

    def domain_separator(self, domain: Any) -> bytes:
        if "EIP712Domain" not in self.fields:
            raise ProofError("the proof's eip712.types has no EIP712Domain")
        try:
            key = tuple((k, type(v), v) for k, v in domain.items())  # True is not 1
            hit = self.domains.get(key)
        except (AttributeError, TypeError):  # not a dict of hashable values: not cached
            return self.hash_struct("EIP712Domain", domain)
        if hit is None:
            if len(self.domains) >= 64:
                self.domains.clear()
            hit = self.domains[key] = self.hash_struct("EIP712Domain", domain)
        return hit


#: keccak of strings seen (a verifier meets the same contexts, types, issuers, status lists and
#: proof options in credential after credential); bounded
_STRING_HASHES: dict[str, bytes] = {}


def _string(value: Any) -> bytes:
    if type(value) is not str:
        raise ProofError(f"a string member holds {str(value)[:80]}")
    hit = _STRING_HASHES.get(value)
    if hit is not None:
        return hit
    if len(_STRING_HASHES) >= 1 << 16:
        _STRING_HASHES.clear()
    hit = _STRING_HASHES[value] = keccak(value.encode())
    return hit


def _bool(value: Any) -> bytes:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    raise ProofError(f"a bool member holds {value!r}")


def _hex_bytes(value: Any) -> bytes:
    if type(value) is not str or value[:2] != "0x":
        raise ProofError(f"a bytes member holds {value!r}")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise ProofError(f"a bytes member holds {value!r}") from None


def _address(value: Any) -> bytes:
    raw = _hex_bytes(value)
    if len(raw) != 20:
        raise ProofError(f"an address member holds {value!r}")
    return _ZERO12 + raw


def _fixed_bytes(size: int) -> _Encoder:
    def encode(value: Any) -> bytes:
        raw = _hex_bytes(value)
        if len(raw) != size:
            raise ProofError(f"a bytes{size} member holds {value!r}")
        return raw.ljust(32, b"\0")

    return encode


def _integer(unsigned: bool, bits: int) -> _Encoder:
    low, high = (0, 2**bits) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1))

    def encode(value: Any) -> bytes:
        if type(value) is not int or not low <= value < high:
            raise ProofError(f"a {'u' if unsigned else ''}int{bits} member holds {value!r}")
        return value.to_bytes(32, "big", signed=True) if value < 0 else value.to_bytes(32, "big")

    return encode


#: compiled codecs by the types' struct names; each entry keeps the types it was compiled from,
#: compared in full (C-level ``==``) before use
_CODECS: dict[tuple[str, ...], list[tuple[Any, _Codec]]] = {}


def _codec(types: Any) -> _Codec:
    """The compiled codec of a ``types`` object (a verifier sees a few document shapes, many times)."""
    if not isinstance(types, dict):
        raise ProofError("the proof's eip712.types is not an object of struct types")
    key = tuple(types)
    entries = _CODECS.get(key)
    if entries is not None:
        for known, codec in entries:
            if known == types:
                return codec
    codec = _Codec(types)
    if len(_CODECS) >= 256:
        _CODECS.clear()
    entries = _CODECS.setdefault(key, [])
    if len(entries) >= 16:
        entries.clear()
    entries.append((copy.deepcopy(types), codec))
    return codec


def typed_data_digest(types: Any, primary_type: str, domain: Any, message: Any) -> bytes:
    """``keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))`` of a typed-data document."""
    codec = _codec(types)
    if type(primary_type) is not str or primary_type not in codec.fields or primary_type == "EIP712Domain":
        raise ProofError(f"the proof's primaryType {primary_type!r} is not one of its struct types")
    return keccak(b"\x19\x01" + codec.domain_separator(domain) + codec.hash_struct(primary_type, message))


# -- the proof ---------------------------------------------------------------------------------


def signing_message(credential: dict[str, Any]) -> dict[str, Any]:
    """The message a proof signs: the credential with ``proof`` reduced to its options."""
    proof = credential["proof"]
    options = {k: v for k, v in proof.items() if k not in UNSIGNED_PROOF_MEMBERS}
    message = {k: v for k, v in credential.items() if k != "proof"}
    message["proof"] = options
    return message


def proof_domain(chain_id: int, name: str = DOMAIN_NAME) -> dict[str, Any]:
    """Veramo's domain: named after the primary type (``VerifiableCredential``, ``VerifiablePresentation``)."""
    return {"name": name, "version": DOMAIN_VERSION, "chainId": chain_id}


def sign(
    credential: dict[str, Any],
    private_key: bytes,
    options: dict[str, Any],
    chain_id: int,
    primary_type: str = PRIMARY_TYPE,
) -> dict[str, Any]:
    """``credential`` (without a proof) with an EthereumEip712Signature2021 proof made with
    ``options`` (``type`` is set; ``created``, ``proofPurpose``, ``verificationMethod`` given).
    A presentation is signed the same way with ``primary_type="VerifiablePresentation"``."""
    body = {k: v for k, v in credential.items() if k != "proof"}
    proof = {"type": PROOF_TYPE, **options}
    message = {**body, "proof": proof}
    types = generate_types(message, primary_type)
    domain = proof_domain(chain_id, primary_type)
    digest = typed_data_digest(types, primary_type, domain, message)
    signature = PrivateKey(private_key).sign_recoverable(digest, hasher=None)
    proof_value = "0x" + (signature[:64] + bytes([signature[64] + 27])).hex()
    eip712 = {"domain": domain, "types": types, "primaryType": primary_type}
    return {**body, "proof": {**proof, "proofValue": proof_value, "eip712": eip712}}


def proof_parameters(credential: dict[str, Any]) -> dict[str, Any]:
    """The proof's ``eip712`` object (``{domain, types, primaryType}``), checked for shape."""
    proof = credential.get("proof")
    if proof is None:
        raise ProofError("no proof")
    if isinstance(proof, list):
        raise ProofError("more than one proof (a proof set) is not supported")
    if not isinstance(proof, dict):
        raise ProofError("the proof is not a JSON object")
    kind = proof.get("type")
    if kind != PROOF_TYPE:
        raise ProofError(f"unsupported proof type {str(kind)[:80]}")
    eip712 = proof.get("eip712")
    if eip712 is None and isinstance(proof.get("eip712Domain"), dict):  # the spec's earlier form
        old = proof["eip712Domain"]
        eip712 = {"domain": old.get("domain"), "types": old.get("messageSchema"), "primaryType": old.get("primaryType")}
    if not isinstance(eip712, dict) or not all(k in eip712 for k in ("domain", "types", "primaryType")):
        raise ProofError("the proof has no eip712 {domain, types, primaryType}")
    if not isinstance(eip712["domain"], dict):
        raise ProofError("the proof's eip712.domain is not an object")
    return eip712


def recover_signer(credential: dict[str, Any]) -> str:
    """The checksummed address whose signature the proof carries over the whole credential;
    raises ``ProofError`` (one line) when there is none."""
    eip712 = proof_parameters(credential)
    proof = credential["proof"]
    value = proof.get("proofValue")
    if type(value) is not str:
        raise ProofError("the proof has no proofValue")
    try:
        signature = bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        raise ProofError("the proofValue is not hex") from None
    if len(signature) != 65 or signature[64] not in (27, 28):
        raise ProofError("the proofValue is not a 65-byte r, s, v signature")
    if int.from_bytes(signature[32:64], "big") > SECP256K1_N // 2:  # malleable high-s: refused, as OZ ECDSA
        raise ProofError("the proof signature has a high s (malleable)")
    digest = typed_data_digest(eip712["types"], eip712["primaryType"], eip712["domain"], signing_message(credential))
    try:
        public = PublicKey.from_signature_and_message(
            signature[:64] + bytes([signature[64] - 27]), digest, hasher=None
        ).format(compressed=False)
    except ValueError:
        raise ProofError("the proof signature is malformed") from None
    return to_checksum_address(keccak(public[1:])[-20:])
