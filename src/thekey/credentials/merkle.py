"""Merkle trees compatible with OpenZeppelin's ``StandardMerkleTree`` (npm @openzeppelin/merkle-tree).

leaf = keccak256(keccak256(abi.encode(values))); node = keccak256(sorted(a, b)); leaves are
sorted by hash and laid out like the library's ``makeMerkleTree`` (a complete binary tree in an
array, leaves at the end in reverse order), so roots and proofs are byte-identical to its output
and verify with OpenZeppelin's ``MerkleProof`` on chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import encode

from thekey.errors import BadInput
from thekey.hashing import keccak


def leaf_hash(encoding: Sequence[str], value: Sequence[Any]) -> bytes:
    """The standard leaf: ``keccak256(keccak256(abi.encode(value)))``."""
    return keccak(keccak(encode(list(encoding), list(value))))


def node_hash(a: bytes, b: bytes) -> bytes:
    """Commutative node hash: ``keccak256`` of the two children in ascending order."""
    return keccak(a + b if a <= b else b + a)


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` (as ``MerkleProof.processProof``)."""
    node = leaf
    for sibling in proof:
        node = node_hash(node, sibling)
    return node


@dataclass(frozen=True)
class StandardMerkleTree:
    """A built tree: ``tree[0]`` is the root; ``positions[i]`` is the tree index of value ``i``."""

    encoding: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    tree: tuple[bytes, ...]
    positions: tuple[int, ...]

    @classmethod
    def of(cls, values: Sequence[Sequence[Any]], encoding: Sequence[str]) -> StandardMerkleTree:
        if not values:
            raise BadInput("a Merkle tree needs at least one leaf")
        hashed = sorted(((leaf_hash(encoding, v), i) for i, v in enumerate(values)), key=lambda p: p[0])
        n = len(hashed)
        tree: list[bytes] = [b""] * (2 * n - 1)
        for k, (h, _) in enumerate(hashed):
            tree[len(tree) - 1 - k] = h
        for i in range(len(tree) - 1 - n, -1, -1):
            tree[i] = node_hash(tree[2 * i + 1], tree[2 * i + 2])
        positions = [0] * n
        for k, (_, value_index) in enumerate(hashed):
            positions[value_index] = len(tree) - 1 - k
        return cls(tuple(encoding), tuple(tuple(v) for v in values), tuple(tree), tuple(positions))

    @property
    def root(self) -> bytes:
        return self.tree[0]

    def leaf(self, index: int) -> bytes:
        return self.tree[self.positions[index]]

    def proof(self, index: int) -> list[bytes]:
        """The sibling path of value ``index`` (the order ``getProof`` returns)."""
        if not 0 <= index < len(self.values):
            raise BadInput(f"no leaf {index} in a tree of {len(self.values)}")
        i = self.positions[index]
        path: list[bytes] = []
        while i > 0:
            path.append(self.tree[i - (-1) ** (i % 2)])
            i = (i - 1) // 2
        return path

    def dump(self) -> dict[str, Any]:
        """The library's ``standard-v1`` dump format (loadable with ``StandardMerkleTree.load``)."""
        return {
            "format": "standard-v1",
            "leafEncoding": list(self.encoding),
            "tree": ["0x" + h.hex() for h in self.tree],
            "values": [
                {"value": [_jsonable(x) for x in v], "treeIndex": p}
                for v, p in zip(self.values, self.positions, strict=True)
            ],
        }

    @staticmethod
    def verify(root: bytes, encoding: Sequence[str], value: Sequence[Any], proof: Sequence[bytes]) -> bool:
        return process_proof(leaf_hash(encoding, value), proof) == root


def _jsonable(x: Any) -> Any:
    if isinstance(x, bytes):
        return "0x" + x.hex()
    if isinstance(x, int) and not isinstance(x, bool):
        return str(x)
    return x
