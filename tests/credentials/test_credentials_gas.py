"""Gas of the main operations, printed for the report (targets from the benchmark issue:
single anchor <= 0.30x EAS attest and <= 1.20x its floor (which includes the issuer DID read),
revoke <= 0.60x EAS revoke, per
credential in a batch of 256 <= 0.01x EAS multiAttest).
No timing assertions; the gas bounds are the contract's design targets."""

from __future__ import annotations

from collections.abc import Callable

from eth_utils import keccak

from thekey.credentials import IssuedCredential
from thekey.credentials.merkle import StandardMerkleTree
from thekey.credentials.status import allocate

from .conftest import Env

REASON = keccak(text="reason")


def test_gas__single_anchor_revoke_and_delegated_anchor_meet_targets(
    env: Env, anchored: Callable[..., IssuedCredential]
) -> None:
    anchored()  # not the issuer's first anchor
    gas = {}
    now = env.chain.timestamp()
    gas["anchor"] = env.registry.anchor(env.issuer, keccak(b"g1"), env.schema_id, now, now + 10**8, 10).gas_used
    gas["revoke"] = env.registry.revoke(env.issuer, keccak(b"g1"), REASON).gas_used
    deadline = env.chain.timestamp() + 3600
    signed = env.registry.sign_anchor(env.issuer, keccak(b"g2"), env.schema_id, 0, 0, 11, deadline)
    gas["anchorBySig (first nonce)"] = env.registry.relay_anchor(env.relayer, signed).gas_used
    signed = env.registry.sign_anchor(env.issuer, keccak(b"g3"), env.schema_id, 0, 0, 12, deadline)
    gas["anchorBySig"] = env.registry.relay_anchor(env.relayer, signed).gas_used
    print("\nGAS", gas)
    assert gas["anchor"] <= 61_400  # <= 0.30x EAS attest (204,877) and <= 1.20x the floor (~51,900)
    assert gas["revoke"] <= 38_540  # <= 0.60x EAS revoke (64,235)


def test_gas__batch_anchor_per_credential(env: Env) -> None:
    nxt = 2
    per: dict[int, float] = {}
    for n in (1, 16, 256, 1024):
        indexes = allocate(nxt, n)
        tree = StandardMerkleTree.of([(keccak(f"{n}-{i}".encode()), i) for i in indexes], ("bytes32", "uint256"))
        receipt = env.registry.anchor_batch(
            env.issuer, tree.root, env.schema_id, 0, 0, indexes[0], indexes[-1] - indexes[0] + 1
        )
        per[n] = receipt.gas_used / n
        nxt = indexes[-1] + 1
    print("\nGAS per credential in a batch", {n: round(g) for n, g in per.items()})
    assert per[256] <= 1_660
