"""Cancellable signatures (issue 13, scenario 5): a signer burns its outstanding nonces on every
contract with signed actions, through the SDK and `thekey nonce`; signatures over burnt nonces
revert, and keyed lanes relay in either order."""

from __future__ import annotations

import json

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import Deployment
from thekey.errors import BadInput, ContractRevert
from thekey.identity.registry import EIDRegistry
from thekey.token.tky import Token


def _revert(fn: object, *args: object) -> ContractRevert:
    with pytest.raises(ContractRevert) as e:
        fn(*args)  # type: ignore[operator]
    return e.value


def test_did_change__signed_then_burnt__reverts_and_the_next_nonce_works(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    eid = EIDRegistry.from_deployment(deployment)
    owner, relayer = accounts[11], accounts[12]
    deadline = chain.timestamp() + 600
    signed = eid.sign(owner, "ChangeOwner", owner.address, deadline, new_owner=accounts[13].address)
    receipt = eid.invalidate_nonces(owner)
    (event,) = eid.events(receipt, "NoncesInvalidated")
    assert (event["signer"], event["key"], event["from"], event["to"]) == (owner.address, 0, 0, 1)
    assert eid.nonce_of(owner.address) == 1 == eid.contract.functions.nonce(owner.address).call()  # ERC-1056 view
    assert _revert(eid.relay, relayer, signed).name == "EIDRegistryInvalidSignature"
    eid.relay(relayer, eid.sign(owner, "ChangeOwner", owner.address, deadline, new_owner=accounts[13].address))
    assert eid.contract.functions.identityOwner(owner.address).call() == accounts[13].address


def test_permit__signed_then_burnt__reverts(chain: Chain, deployment: Deployment, accounts: list[LocalAccount]) -> None:
    token = Token.from_deployment(deployment)
    owner, spender = accounts[11], accounts[12]
    permit = token.sign_permit(owner, spender.address, 10**18, chain.timestamp() + 600)
    token.invalidate_nonces(owner, 0, 2)
    assert token.nonce_of(owner.address) == 2  # the EIP-2612 nonce moved
    assert _revert(token.permit, spender, permit).name == "ERC2612InvalidSigner"
    token.permit(spender, token.sign_permit(owner, spender.address, 10**18, chain.timestamp() + 600))
    assert token.contract.functions.allowance(owner.address, spender.address).call() == 10**18


def test_sdk__bad_lane_count_and_contracts_without_keyed_nonces_are_bad_input(
    deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    eid = EIDRegistry.from_deployment(deployment)
    with pytest.raises(BadInput, match="1 to 65,535"):
        eid.invalidate_nonces(accounts[11], 0, 0)
    with pytest.raises(BadInput, match="0 to 2"):
        eid.invalidate_nonces(accounts[11], -1)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment,
        capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]  # fmt: skip
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_cli__show_cancel_show(cli, accounts: list[LocalAccount]) -> None:  # type: ignore[no-untyped-def]
    me = accounts[11].address
    code, out, _ = cli("nonce", "show", me, "--contract", "escrow", "--lane", "3", "--json")
    assert code == 0 and json.loads(out)["nonce"] == 3 << 64
    code, out, _ = cli("nonce", "cancel", "--contract", "escrow", "--lane", "3", "--count", "4", "--account", "11",
                       "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["next"] == (3 << 64) | 4
    code, out, _ = cli("nonce", "show", f"did:ethr:0x7a69:{me}", "--contract", "escrow", "--lane", "3", "--json")
    assert json.loads(out)["nonce"] == (3 << 64) | 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nonce", "show", "0x12", "--contract", "token"], "not a DID or an address"),
        (["nonce", "cancel", "--contract", "vault"], "no contract 'vault': choose one of"),
    ],
)
def test_cli__bad_input_is_one_line_exit_2(cli, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(*args)
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1
