"""`thekey dev fund ADDRESS` (local chains only) and the hint that names it when a new key has
no ETH for gas."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from eth_account import Account

from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import Deployment

Invoke = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    monkeypatch.delenv("THEKEY_PRIVATE_KEY", raising=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_unfunded_new_key__the_error_names_thekey_dev_fund_and_funding_makes_it_work(
    cli: Invoke, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = Account.create()
    monkeypatch.setenv("THEKEY_PRIVATE_KEY", fresh.key.hex())
    code, out, err = cli("token", "approve", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "1")
    assert code == 1 and "Traceback" not in out + err and len(err.strip().splitlines()) == 1
    assert f"the sending account {fresh.address} has too little ETH to pay for gas: fund it first" in err
    assert err.rstrip().endswith(f"on this local chain: `thekey dev fund {fresh.address}`")
    monkeypatch.delenv("THEKEY_PRIVATE_KEY")
    code, out, err = cli("dev", "fund", fresh.address, "--amount", "0.5", "--json")
    assert code == 0, err
    assert json.loads(out)["balance"] == str(5 * 10**17)
    assert int(chain.rpc("eth_getBalance", [fresh.address, "latest"]), 16) == 5 * 10**17
    monkeypatch.setenv("THEKEY_PRIVATE_KEY", fresh.key.hex())
    code, _, err = cli("token", "approve", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "1")
    assert code == 0, err


def test_dev_fund__refused_on_a_non_local_chain_in_one_line(
    cli: Invoke, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Chain, "is_local", property(lambda self: False))
    block = chain.block_number()
    code, out, err = cli("dev", "fund", Account.create().address)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert "works on local development chains only; chain 31337" in err
    assert chain.block_number() == block


def test_unfunded_key_on_a_non_local_chain__no_dev_fund_hint(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Chain, "is_local", property(lambda self: False))
    monkeypatch.setenv("THEKEY_PRIVATE_KEY", Account.create().key.hex())
    code, _, err = cli("token", "approve", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "1")
    assert code == 1 and "too little ETH" in err and "dev fund" not in err
