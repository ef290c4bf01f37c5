"""How the DID resolver reads an identity's history: one ``eth_getLogs`` over the range, followed
along the ERC-1056 ``previousChange`` list, gives exactly the list's events — the same as the
per-block walk, even with several changes in one block, other identities' changes beside them,
the identity's other registry events and non-DID attribute names — and a node that refuses the
range, or a range that starts too late, falls back to the walk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Chain
from thekey.deploy import Deployment
from thekey.errors import BadInput, ChainError
from thekey.identity.did_document import DIDResolver, RegistryEvent, _decode_data
from thekey.identity.registry import EIDRegistry, name_bytes32

DAY = 86_400


def _one_block(chain: Chain, sends: list[tuple[Any, LocalAccount]]) -> None:
    """Mine the transactions ``(contract function, sender)`` together in one block."""
    chain.rpc("evm_setAutomine", [False])
    try:
        hashes = [chain.sign({"to": fn.address, "data": fn._encode_transaction_data(), "gas": 300_000}, sender)[1]
                  for fn, sender in sends]  # fmt: skip
        chain.mine()
    finally:
        chain.rpc("evm_setAutomine", [True])
    blocks = {chain.wait(h).block_number for h in hashes}
    assert len(blocks) == 1


@pytest.fixture
def busy(chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount]) -> Iterator[str]:
    """Alice's history: two blocks of several changes each (with Bob's changes beside them), her
    nonce invalidation (a registry event indexed on her, not an ERC-1056 one), a non-UTF-8
    attribute name, an owner change and a change by the new owner; Bob's changes after hers."""
    alice, bob, new_owner = accounts[12], accounts[13], accounts[14]
    a, fns = alice.address, registry.contract.functions
    registry.set_attribute(alice, a, "did/svc/First", b"https://first.example", DAY)
    _one_block(chain, [
        (fns.setAttribute(a, name_bytes32("did/svc/Same"), b"https://same.example", DAY), alice),
        (fns.addDelegate(bob.address, name_bytes32("veriKey"), a, DAY), bob),
        (fns.addDelegate(a, name_bytes32("veriKey"), accounts[15].address, DAY), alice),
        (fns.setAttribute(a, name_bytes32("did/pub/Secp256k1/veriKey/hex"), b"\x02" + b"\x11" * 32, DAY), alice),
    ])  # fmt: skip
    chain.transact(fns.invalidateNonces(0, 1), alice)
    registry.set_attribute(alice, a, b"\xff" * 32, b"not a DID attribute", DAY)
    chain.mine(5)
    _one_block(chain, [
        (fns.revokeAttribute(a, name_bytes32("did/svc/Same"), b"https://same.example"), alice),
        (fns.setAttribute(bob.address, name_bytes32("did/svc/Bob"), b"https://bob.example", DAY), bob),
        (fns.changeOwner(a, new_owner.address), alice),
    ])  # fmt: skip
    registry.add_delegate(new_owner, a, "sigAuth", accounts[15].address, DAY)
    registry.set_attribute(bob, bob.address, "did/svc/Later", b"https://later.example", DAY)
    yield a


def _counting(chain: Chain, monkeypatch: pytest.MonkeyPatch, refuse: Callable[[dict[str, Any]], bool] = bool
              ) -> list[dict[str, Any]]:  # fmt: skip
    """Record every eth_getLogs sent to the node; refuse (as a range-capped public RPC does) the
    queries ``refuse`` names, with a real call's error shape."""
    calls: list[dict[str, Any]] = []
    original = chain.rpc

    def rpc(method: str, params: list[Any] | None = None) -> Any:
        if method == "eth_getLogs":
            assert params is not None
            calls.append(params[0])
            if refuse(params[0]):
                raise ChainError("eth_getLogs: query exceeds max block range 1")
        return original(method, params)

    monkeypatch.setattr(chain, "rpc", rpc)
    return calls


def _spans(query: dict[str, Any]) -> bool:
    return bool(query["fromBlock"] != query["toBlock"])


def _summary(events: list[RegistryEvent]) -> list[tuple[str, int, str]]:
    return [(e.name, e.block_number, str(e.args.get("name") or e.args.get("delegateType") or "owner")) for e in events]


def test_range__gives_exactly_the_walks_events_in_one_get_logs(
    chain: Chain, registry: EIDRegistry, busy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = DIDResolver(chain, registry.address)
    calls = _counting(chain, monkeypatch, refuse=lambda q: False)
    walked = resolver.walk(busy)
    list_blocks = {int(q["fromBlock"], 16) for q in calls}
    calls.clear()
    fast = resolver.change_log(busy)
    assert len(calls) == 1 and _spans(calls[0])
    assert fast == walked
    # the filter (registry, the three events, topic1 = identity) matches the list's blocks exactly
    answer = resolver._logs(busy, 0, chain.block_number())
    assert {int(log["blockNumber"], 16) for log in answer} == list_blocks
    assert [n for _, _, n in _summary(fast)] == [
        "did/svc/First", "did/svc/Same", "veriKey", "did/pub/Secp256k1/veriKey/hex",  # one block
        "did/svc/Same", "owner",  # one block, Bob's change between them left out
        "sigAuth",
    ]  # fmt: skip
    assert len({e.block_number for e in fast}) == 4  # (the non-UTF-8 name's block is on the list, its event skipped)
    assert resolver.resolve(f"did:ethr:0x7a69:{busy}") == DIDResolver(chain, registry.address).resolve(
        f"did:ethr:0x7a69:{busy}"
    )


def test_range__refused_by_the_node_falls_back_to_the_per_block_walk(
    chain: Chain, registry: EIDRegistry, busy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = DIDResolver(chain, registry.address)
    walked = resolver.walk(busy)
    calls = _counting(chain, monkeypatch, refuse=_spans)
    assert resolver.change_log(busy) == walked
    blocks = {e.block_number for e in walked}
    assert _spans(calls[0]) and not any(_spans(q) for q in calls[1:])
    walked_blocks = {int(q["fromBlock"], 16) for q in calls[1:]}
    assert blocks < walked_blocks and len(walked_blocks) == len(calls) - 1 == len(blocks) + 1  # + the skipped event's


def test_range__starting_after_the_first_change_falls_back_to_the_walk(
    chain: Chain, registry: EIDRegistry, busy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = DIDResolver(chain, registry.address).walk(busy)
    late = DIDResolver(chain, registry.address, from_block=full[-1].block_number)
    calls = _counting(chain, monkeypatch, refuse=lambda q: False)
    assert late.change_log(busy) == full
    assert len(calls) > 1 and _spans(calls[0]) is False  # [head, head], then the walk


def test_no_history__needs_no_get_logs(
    chain: Chain, registry: EIDRegistry, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting(chain, monkeypatch, refuse=lambda q: False)
    assert DIDResolver(chain, registry.address).change_log(accounts[16].address) == []
    assert calls == []


def test_decode_data__refuses_short_or_overrunning_data() -> None:
    with pytest.raises(BadInput, match="too short"):
        _decode_data(["address", "uint256"], b"\x00" * 32)
    head = (64).to_bytes(32, "big") + (0).to_bytes(32, "big") + (99).to_bytes(32, "big")
    with pytest.raises(BadInput, match="runs past"):
        _decode_data(["bytes", "uint256"], head)


def test_from_deployment__starts_the_range_at_the_registrys_block(
    deployment: Deployment, registry: EIDRegistry, busy: str
) -> None:
    resolver = DIDResolver.from_deployment(deployment)
    assert resolver.registry == registry.address
    assert 0 < resolver.from_block == deployment.manifest["contracts"]["identity"]["blockNumber"]
    assert resolver.change_log(busy) == resolver.walk(busy)
