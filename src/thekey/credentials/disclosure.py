"""Selective disclosure: a credential whose subject commits to salted claims by a Merkle root.

Each claim becomes a leaf ``(name, JCS(value), salt)`` of a StandardMerkleTree with encoding
``["string", "string", "bytes32"]``; ``salt`` is 32 random bytes per claim, so an undisclosed
claim cannot be guessed from the root. The credential's subject is ``{"id": <DID>,
"claimsRoot": "0x…"}`` and the credential (hence the root) is anchored as usual. The holder
discloses a subset, each claim with its salt and Merkle proof; the verifier checks each against
``claimsRoot`` and learns nothing about the rest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from thekey.credentials.canonical import canonical_json
from thekey.credentials.merkle import StandardMerkleTree
from thekey.errors import BadInput
from thekey.ids import HexFields

DISCLOSURE_ENCODING = ("string", "string", "bytes32")


@dataclass(frozen=True)
class ClaimSecret(HexFields):
    name: str
    value: Any
    salt: bytes

    def leaf_value(self) -> tuple[str, str, bytes]:
        return (self.name, canonical_json(self.value).decode(), self.salt)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "salt": "0x" + self.salt.hex()}


@dataclass(frozen=True)
class DisclosedClaim(HexFields):
    name: str
    value: Any
    salt: bytes
    proof: tuple[bytes, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "salt": "0x" + self.salt.hex(),
            "proof": ["0x" + p.hex() for p in self.proof],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DisclosedClaim:
        try:
            return cls(str(data["name"]), data["value"], _hex(data["salt"]), tuple(_hex(p) for p in data["proof"]))
        except (KeyError, TypeError, ValueError):
            raise BadInput("a disclosed claim is {name, value, salt, proof}") from None


def _hex(text: Any) -> bytes:
    return bytes.fromhex(str(text).removeprefix("0x"))


def commit_claims(claims: Mapping[str, Any], *, salts: Mapping[str, bytes] | None = None) -> dict[str, ClaimSecret]:
    """Salt every claim (32 random bytes unless given) — the issuer's and holder's secret."""
    if not claims:
        raise BadInput("no claims to commit to")
    out = {}
    for name in sorted(claims):
        salt = (salts or {}).get(name) or os.urandom(32)
        if len(salt) != 32:
            raise BadInput("a claim salt is 32 bytes")
        out[name] = ClaimSecret(name, json.loads(json.dumps(claims[name])), salt)
    return out


def claims_tree(secrets: Mapping[str, ClaimSecret]) -> StandardMerkleTree:
    return StandardMerkleTree.of([secrets[n].leaf_value() for n in sorted(secrets)], DISCLOSURE_ENCODING)


def claims_root(secrets: Mapping[str, ClaimSecret]) -> bytes:
    return claims_tree(secrets).root


def disclose(secrets: Mapping[str, ClaimSecret], names: Iterable[str]) -> list[DisclosedClaim]:
    """The chosen claims with their salts and proofs."""
    order = sorted(secrets)
    tree = claims_tree(secrets)
    out = []
    for name in names:
        if name not in secrets:
            raise BadInput(f"no claim {name!r} in this credential")
        s = secrets[name]
        out.append(DisclosedClaim(name, s.value, s.salt, tuple(tree.proof(order.index(name)))))
    return out


def verify_claim(root: bytes, claim: DisclosedClaim) -> bool:
    try:
        value = (claim.name, canonical_json(claim.value).decode(), claim.salt)
    except BadInput:
        return False
    return len(claim.salt) == 32 and StandardMerkleTree.verify(root, DISCLOSURE_ENCODING, value, claim.proof)


def secrets_from_json(data: Iterable[Mapping[str, Any]]) -> dict[str, ClaimSecret]:
    try:
        return {str(d["name"]): ClaimSecret(str(d["name"]), d["value"], _hex(d["salt"])) for d in data}
    except (KeyError, TypeError, ValueError):
        raise BadInput("claim secrets are [{name, value, salt}]") from None
