"""Batch anchoring: proofs for every position, wrong proofs rejected, one revoked item fails
alone, and trees byte-identical to @openzeppelin/merkle-tree's StandardMerkleTree."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from eth_utils import keccak

from thekey.config import project_root
from thekey.credentials import Query, StatusAction, Validity, anchor_batch
from thekey.credentials.anchoring import BATCH_LEAF_ENCODING
from thekey.credentials.merkle import StandardMerkleTree, leaf_hash
from thekey.credentials.status import allocate
from thekey.errors import ContractRevert

from .conftest import Env

REASON = keccak(text="batch")

NODE_TREE = """
const {StandardMerkleTree} = require('@openzeppelin/merkle-tree');
const values = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const tree = StandardMerkleTree.of(values, ['bytes32', 'uint256']);
const proofs = values.map((_, i) => tree.getProof(i));
console.log(JSON.stringify({root: tree.root, proofs, dump: tree.dump()}));
"""


def _values(n: int, start: int = 2) -> list[tuple[bytes, int]]:
    return [(keccak(f"vc-{i}".encode()), idx) for i, idx in enumerate(allocate(start, n))]


def _anchor(env: Env, values: list[tuple[bytes, int]]) -> StandardMerkleTree:
    tree = StandardMerkleTree.of(values, BATCH_LEAF_ENCODING)
    first, last = values[0][1], values[-1][1]
    env.registry.anchor_batch(env.issuer, tree.root, env.schema_id, 0, 0, first, last - first + 1)
    return tree


def test_merkle__python_tree_matches_openzeppelin_merkle_tree(env: Env) -> None:
    node = shutil.which("node")
    assert node, "node is required"
    for n in (1, 2, 3, 7, 130):
        values = _values(n)
        stdin = json.dumps([["0x" + h.hex(), str(i)] for h, i in values])
        out = subprocess.run(
            [node, "-e", NODE_TREE], input=stdin, capture_output=True, text=True, check=True, cwd=project_root()
        )
        js = json.loads(out.stdout)
        tree = StandardMerkleTree.of(values, BATCH_LEAF_ENCODING)
        assert js["root"] == "0x" + tree.root.hex()
        assert js["proofs"] == [["0x" + p.hex() for p in tree.proof(i)] for i in range(n)]
        assert js["dump"]["tree"] == tree.dump()["tree"]
        if n == 130:  # their proofs verify on chain against our anchored root
            _anchor(env, values)
            for i in (0, 64, 129):
                proof = [bytes.fromhex(p[2:]) for p in js["proofs"][i]]
                assert env.registry.is_valid_member(env.issuer.address, tree.root, values[i][0], values[i][1], proof)


def test_merkle__leaf_matches_contract(env: Env) -> None:
    h = keccak(b"x")
    assert env.registry.leaf_of(h, 5) == leaf_hash(BATCH_LEAF_ENCODING, (h, 5))


def test_batch__every_position_verifies_and_wrong_proofs_fail(env: Env) -> None:
    values = _values(9)
    tree = _anchor(env, values)
    queries = [Query(env.issuer.address, h, tree.root, i, tuple(tree.proof(n))) for n, (h, i) in enumerate(values)]
    assert {r.validity for r in env.registry.inspect(queries)} == {Validity.VALID}
    (h0, i0), (_, i1) = values[0], values[1]
    bad = [
        Query(env.issuer.address, h0, tree.root, i0, tuple(tree.proof(1))),  # another leaf's proof
        Query(env.issuer.address, keccak(b"forged"), tree.root, i0, tuple(tree.proof(0))),  # a hash not in the batch
        Query(env.issuer.address, h0, tree.root, i1, tuple(tree.proof(0))),  # another status index
        Query(env.issuer.address, h0, tree.root, i0, ()),  # no proof
        Query(env.issuer.address, h0, tree.root, i0, tuple(tree.proof(0))[:-1]),  # a truncated proof
    ]
    assert [r.validity for r in env.registry.inspect(bad)] == [Validity.INVALID_PROOF] * 5
    assert env.registry.inspect([Query(env.issuer.address, h0, keccak(b"no root"), i0, tuple(tree.proof(0)))])[
        0
    ].validity == (Validity.NOT_ANCHORED)


def test_batch__one_revoked_item_fails_alone(env: Env) -> None:
    values = _values(5)
    tree = _anchor(env, values)
    env.registry.update_status(env.issuer, env.issuer.address, StatusAction.REVOKE, [values[2][1]], REASON)
    queries = [Query(env.issuer.address, h, tree.root, i, tuple(tree.proof(n))) for n, (h, i) in enumerate(values)]
    assert [r.validity for r in env.registry.inspect(queries)] == [Validity.VALID] * 2 + [Validity.REVOKED] + [
        Validity.VALID
    ] * 2


def test_batch__write_once_and_range_rules(env: Env) -> None:
    values = _values(3)
    tree = _anchor(env, values)
    cases = [
        ((tree.root, env.schema_id, 0, 0, 100, 3), "CredentialBatchAlreadyAnchored"),
        ((keccak(b"r2"), env.schema_id, 0, 0, 2**40 - 130, 3), "CredentialInvalidStatusIndex"),
        ((keccak(b"r2"), env.schema_id, 0, 0, 100, 0), "CredentialInvalidAnchor"),
    ]
    for args, name in cases:
        with pytest.raises(ContractRevert) as e:
            env.registry.anchor_batch(env.issuer, *args)
        assert e.value.name == name
    with pytest.raises(ContractRevert) as e:
        env.registry.anchor_batch(env.stranger, keccak(b"r3"), env.schema_id, 0, 0, 1, 3)
    assert e.value.name == "SchemaNotUsable"  # the issuer's own schema takes only its anchors
    batch = env.registry.get_batch(env.issuer.address, tree.root)
    assert (batch.status_index, batch.count) == (values[0][1], 3)


def test_batch__range_across_reserved_index_skips_it(env: Env) -> None:
    values = _values(200, start=2)  # crosses index 128, which is reserved
    assert 128 not in [i for _, i in values]
    tree = _anchor(env, values)
    n = next(k for k, (_, i) in enumerate(values) if i == 129)
    assert env.registry.is_valid_member(env.issuer.address, tree.root, values[n][0], 129, tree.proof(n))
    assert not env.registry.is_valid_member(env.issuer.address, tree.root, values[n][0], 128, tree.proof(n))
    assert env.registry.get_issuer(env.issuer.address).status_watermark == 256  # words 0 and 1
    assert env.registry.status_words(env.issuer.address) == [1, 1]


def test_batch__issued_credentials_carry_evidence_and_anchor(env: Env) -> None:
    from thekey.credentials.issuance import next_status_indexes

    indexes = next_status_indexes(env.registry, env.issuer.address, 3)
    now = env.chain.timestamp()
    items = [env.issue(index=i, valid_from=now, claims={"degree": f"BSc {i}"}) for i in indexes]
    root, _, with_evidence = anchor_batch(env.registry, env.issuer, items)
    assert env.registry.get_batch(env.issuer.address, root).count == indexes[-1] - indexes[0] + 1
    for item in with_evidence:
        assert item.credential["proof"]["anchor"]["root"] == "0x" + root.hex()
