"""Every shared ERC-1056 operation costs no more gas than the reference EthereumDIDRegistry
(npm ethr-did-registry 1.3.0) on the same chain, first time and repeated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from thekey.build import compile_sources
from thekey.chain import Chain
from thekey.config import project_root
from thekey.identity.registry import EIDRegistry, name_bytes32

REFERENCE = "node_modules/ethr-did-registry/contracts/EthereumDIDRegistry.sol"


@pytest.fixture(scope="module")
def reference_artifact(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not (project_root() / REFERENCE).is_file():
        pytest.skip("ethr-did-registry is not installed (npm ci)")
    artifacts = compile_sources([REFERENCE], Path(tmp_path_factory.mktemp("reference")), remappings=[])
    return artifacts.get("EthereumDIDRegistry")


def _deploy_reference(chain: Chain, artifact: Any, sender: LocalAccount) -> Contract:
    receipt = chain.send_raw({"data": artifact.bytecode}, sender)
    assert receipt.contract_address
    return chain.w3.eth.contract(address=receipt.contract_address, abi=artifact.abi)


def _run(
    chain: Chain, contract: Contract, owner: LocalAccount, delegate: str, new_owner: LocalAccount
) -> dict[str, int]:
    f = contract.functions
    me = owner.address
    value = bytes.fromhex("02" + "ab" * 32)
    steps: list[tuple[str, Any, LocalAccount]] = [
        (
            "setAttribute (first)",
            f.setAttribute(me, name_bytes32("did/pub/Secp256k1/veriKey/hex"), value, 86400),
            owner,
        ),
        (
            "setAttribute (repeat)",
            f.setAttribute(me, name_bytes32("did/svc/HubService"), b"https://hub.x", 86400),
            owner,
        ),
        ("addDelegate", f.addDelegate(me, name_bytes32("veriKey"), delegate, 86400), owner),
        ("addDelegate (again)", f.addDelegate(me, name_bytes32("sigAuth"), delegate, 86400), owner),
        ("revokeDelegate", f.revokeDelegate(me, name_bytes32("veriKey"), delegate), owner),
        (
            "revokeAttribute",
            f.revokeAttribute(me, name_bytes32("did/svc/HubService"), b"https://hub.x"),
            owner,
        ),
        ("changeOwner", f.changeOwner(me, new_owner.address), owner),
        ("changeOwner (back)", f.changeOwner(me, me), new_owner),
    ]
    return {name: chain.transact(fn, sender).gas_used for name, fn, sender in steps}


def test_gas__every_shared_operation_costs_at_most_the_reference(
    chain: Chain, registry: EIDRegistry, reference_artifact: Any, accounts: list[LocalAccount]
) -> None:
    reference = _deploy_reference(chain, reference_artifact, accounts[0])
    ours_gas = _run(chain, registry.contract, accounts[1], accounts[3].address, accounts[2])
    theirs_gas = _run(chain, reference, accounts[1], accounts[3].address, accounts[2])
    # First change of a fresh identity for each operation (changed == 0, cold slots).
    for i, (name, build) in enumerate(
        [
            ("changeOwner (fresh)", lambda c, a: c.functions.changeOwner(a.address, accounts[2].address)),
            (
                "addDelegate (fresh)",
                lambda c, a: c.functions.addDelegate(a.address, name_bytes32("veriKey"), accounts[3].address, 3600),
            ),
            (
                "setAttribute (fresh)",
                lambda c, a: c.functions.setAttribute(a.address, name_bytes32("did/svc/X"), b"x", 3600),
            ),
            (
                "revokeDelegate (fresh)",
                lambda c, a: c.functions.revokeDelegate(a.address, name_bytes32("veriKey"), accounts[3].address),
            ),
            (
                "revokeAttribute (fresh)",
                lambda c, a: c.functions.revokeAttribute(a.address, name_bytes32("did/svc/X"), b"x"),
            ),
        ]
    ):
        account = accounts[4 + i]
        ours_gas[name] = chain.transact(build(registry.contract, account), account).gas_used
        theirs_gas[name] = chain.transact(build(reference, account), account).gas_used
    report = "\n".join(f"{k:26} ours {ours_gas[k]:>7,}  reference {theirs_gas[k]:>7,}" for k in ours_gas)
    print("\n" + report)
    over = {k: (ours_gas[k], theirs_gas[k]) for k in ours_gas if ours_gas[k] > theirs_gas[k]}
    assert not over, report
