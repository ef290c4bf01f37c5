"""EIP-712 typed-data signing against a contract's own domain (ERC-5267).

The domain is read from the contract's ``eip712Domain()`` so the Python signer can never
disagree with the contract about name, version, chain id or verifying contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from thekey.errors import BadInput
from thekey.hashing import keccak, to_checksum_address

# secp256k1 group order; a signature with s > N/2 is malleable and rejected by OZ ECDSA.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

DOMAIN_FIELDS = [
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
]


@dataclass(frozen=True)
class Domain:
    name: str
    version: str
    chain_id: int
    verifying_contract: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": to_checksum_address(self.verifying_contract),
        }


def domain_of(contract: Contract) -> Domain:
    """The EIP-712 domain a contract reports through ERC-5267 ``eip712Domain()``."""
    fields, name, version, chain_id, verifying, _salt, _ext = contract.functions.eip712Domain().call()
    if fields != b"\x0f":
        raise BadInput(
            f"unsupported EIP-712 domain fields 0x{fields.hex()} (expected name, version, chainId, contract)"
        )
    return Domain(name, version, int(chain_id), verifying)


def type_string(primary: str, types: dict[str, list[tuple[str, str]]]) -> str:
    """``encodeType`` of EIP-712: the primary type then referenced struct types, sorted."""

    def deps(t: str, found: set[str]) -> set[str]:
        for _, ftype in types.get(t, []):
            base = ftype.split("[")[0]
            if base in types and base not in found:
                found.add(base)
                deps(base, found)
        return found

    ordered = [primary, *sorted(deps(primary, set()) - {primary})]
    return "".join(f"{t}(" + ",".join(f"{ft} {fn}" for fn, ft in types[t]) + ")" for t in ordered)


def typehash(primary: str, types: dict[str, list[tuple[str, str]]]) -> bytes:
    return keccak(text=type_string(primary, types))


def typed_data(
    domain: Domain, primary: str, types: dict[str, list[tuple[str, str]]], message: dict[str, Any]
) -> dict[str, Any]:
    """The full EIP-712 JSON document (as wallets and ``eth_signTypedData_v4`` take it)."""
    return {
        "types": {
            "EIP712Domain": [{"name": n, "type": t} for n, t in DOMAIN_FIELDS],
            **{name: [{"name": n, "type": t} for n, t in fields] for name, fields in types.items()},
        },
        "primaryType": primary,
        "domain": domain.as_dict(),
        "message": message,
    }


def sign_typed_data(account: LocalAccount, document: dict[str, Any]) -> bytes:
    """Sign a full EIP-712 document; returns the 65-byte ``r ‖ s ‖ v`` signature."""
    signed = Account.sign_message(encode_typed_data(full_message=document), account.key)
    return bytes(signed.signature)


def digest(document: dict[str, Any]) -> bytes:
    """The 32-byte EIP-712 digest that is signed."""
    msg = encode_typed_data(full_message=document)
    return keccak(b"\x19" + msg.version + msg.header + msg.body)


def domain_separator(domain: Domain) -> bytes:
    """``hashStruct(EIP712Domain)`` of a name/version/chainId/verifyingContract domain."""
    return _domain_separator(domain.name, domain.version, domain.chain_id, domain.verifying_contract)


@lru_cache(maxsize=64)
def _domain_separator(name: str, version: str, chain_id: int, verifying_contract: str) -> bytes:
    return keccak(
        typehash("EIP712Domain", {"EIP712Domain": DOMAIN_FIELDS})
        + keccak(text=name)
        + keccak(text=version)
        + encode(["uint256", "address"], [chain_id, to_checksum_address(verifying_contract)])
    )


def split_signature(signature: bytes) -> tuple[int, bytes, bytes]:
    """``(v, r, s)`` of a 65-byte signature."""
    if len(signature) != 65:
        raise BadInput("a signature is 65 bytes (r, s, v)")
    return signature[64], signature[:32], signature[32:64]


def malleate(signature: bytes) -> bytes:
    """DANGEROUS, tests only: the high-``s`` twin of a signature (same signer, different bytes)."""
    v, r, s = split_signature(signature)
    s2 = SECP256K1_N - int.from_bytes(s, "big")
    return r + s2.to_bytes(32, "big") + bytes([55 - v if v in (27, 28) else v ^ 1])
