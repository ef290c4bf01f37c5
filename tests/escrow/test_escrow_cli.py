"""`thekey escrow …`: bad input exits 2 before connecting; the whole flow from a draft file
(create, sign ×2, fund by permit, complete, confirm, withdraw) and the dispute path print JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import TKY, Deployment
from thekey.identity.did import did_for
from thekey.payments.escrow import Escrow
from thekey.token.tky import Token

Invoke = Callable[..., tuple[int, str, str]]
ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)

    def invoke(*args: str) -> tuple[int, str, str]:
        return run(capsys, *args, "--rpc-url", anvil.url)

    return invoke


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "escrow",
                "create",
                "--verifier",
                "0x12",
                "--user",
                ADDR,
                "--arbiter",
                ADDR,
                "--price",
                "1",
                "--terms",
                "t",
            ],
            "not a DID or an address",
        ),
        (
            [
                "escrow",
                "create",
                "--verifier",
                ADDR,
                "--user",
                ADDR,
                "--arbiter",
                ADDR,
                "--price",
                "-1",
                "--terms",
                "t",
            ],
            "negative numbers are not accepted",
        ),
        (
            [
                "escrow",
                "create",
                "--verifier",
                ADDR,
                "--user",
                ADDR,
                "--arbiter",
                ADDR,
                "--price",
                "1",
                "--terms",
                "t",
                "--payee",
                ADDR,
            ],
            "ADDRESS=VALUE",
        ),
        (
            [
                "escrow",
                "create",
                "--verifier",
                ADDR,
                "--user",
                ADDR,
                "--arbiter",
                ADDR,
                "--price",
                "1",
                "--terms",
                "t",
                "--verifier-share",
                "10001",
            ],
            "basis points",
        ),
        (
            [
                "escrow",
                "create",
                "--verifier",
                ADDR,
                "--user",
                ADDR,
                "--arbiter",
                ADDR,
                "--price",
                "1",
                "--terms",
                "t",
                "--due-in",
                "soon",
            ],
            "not a duration",
        ),
        (["escrow", "complete", "1", "--evidence", ""], "empty label"),
        (["escrow", "resolve", "1", "--pay", f"{ADDR}=lots"], "not an amount"),
        (["escrow", "withdraw", "--to", "0xnope"], "not a DID or an address"),
        (["escrow", "fund", "/nonexistent/draft.json"], "cannot read"),
    ],
)
def test_bad_input__one_line_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_escrow_flow__draft_sign_fund_complete_confirm_withdraw(
    cli: Invoke,
    chain: Chain,
    deployment: Deployment,
    accounts: list[LocalAccount],
    deployer: LocalAccount,
    tmp_path: Path,
) -> None:
    token = Token.from_deployment(deployment)
    escrow = Escrow.from_deployment(deployment)
    provider, verifier, user, arbiter, data_provider = accounts[1:6]
    token.transfer(deployer, provider.address, 1_000 * TKY)
    draft = tmp_path / "agreement.json"
    code, _, err = cli(
        "escrow",
        "create",
        "--account",
        "1",
        "--verifier",
        verifier.address,
        "--user",
        user.address,
        "--arbiter",
        arbiter.address,
        "--price",
        "100.000000000000000003",
        "--terms",
        "service#42",
        "--verifier-share",
        "7000",
        "--user-share",
        "2000",
        "--payee",
        f"{did_for(31337, data_provider.address)}=1000",  # a payee named by its DID, like every party
        "--due-in",
        "2d",
        "--dispute-window",
        "1h",
        "--out",
        str(draft),
    )
    assert code == 0, err
    code, _, err = cli("escrow", "sign", str(draft), "--account", "4")
    assert code == 2 and "neither the verifier nor the user" in err
    for who in ("2", "3"):
        code, out, err = cli("escrow", "sign", str(draft), "--account", who, "--json")
        assert code == 0, err
    assert set(json.loads(draft.read_text())["acceptances"]) == {"verifier", "user"}
    code, out, err = cli("escrow", "fund", str(draft), "--account", "1", "--json")
    assert code == 0, err
    funded = json.loads(out)
    agreement_id = funded["id"]
    assert funded["status"] == "active"
    code, out, err = cli("escrow", "complete", str(agreement_id), "--account", "2", "--evidence", "record#42")
    assert code == 0, err
    code, out, _ = cli("escrow", "show", str(agreement_id), "--json")
    shown = json.loads(out)
    assert shown["status"] == "completed" and "dispute window open" in shown["description"]
    assert shown["payout"][verifier.address] == str(70 * TKY + 3)  # 2 wei of dust plus its floor
    code, out, err = cli("escrow", "confirm", str(agreement_id), "--account", "1", "--json")
    assert code == 0, err
    code, out, _ = cli("escrow", "credit", data_provider.address, "--json")
    assert json.loads(out)["credit"] == str(10 * TKY)
    code, out, _ = cli("escrow", "credit", did_for(31337, data_provider.address), "--json")
    assert json.loads(out)["credit"] == str(10 * TKY)
    before = token.balance_of(verifier.address)
    code, out, err = cli("escrow", "withdraw", "--account", "2", "--json")
    assert code == 0, err
    assert token.balance_of(verifier.address) - before == 70 * TKY + 3
    code, out, err = cli("escrow", "withdraw", "--account", "2")
    assert code == 1 and "EscrowNothingToWithdraw" in err and len(err.strip().splitlines()) == 1
    code, out, _ = cli("escrow", "list", "--party", user.address, "--json")
    assert [a["status"] for a in json.loads(out)] == ["settled"]
    code, out, _ = cli("escrow", "show", str(agreement_id))
    assert code == 0 and "settled" in out
    assert escrow.credit_of(user.address) == 20 * TKY


def test_escrow_flow__allowance_funding_on_chain_acceptance_dispute_resolve(
    cli: Invoke, deployment: Deployment, accounts: list[LocalAccount], deployer: LocalAccount, tmp_path: Path
) -> None:
    token = Token.from_deployment(deployment)
    escrow = Escrow.from_deployment(deployment)
    provider, verifier, user, arbiter = accounts[1:5]
    token.transfer(deployer, provider.address, 1_000 * TKY)
    token.approve(provider, escrow.address, 50 * TKY)
    draft = tmp_path / "agreement.json"
    code, _, err = cli(
        "escrow",
        "create",
        "--account",
        "1",
        "--verifier",
        verifier.address,
        "--user",
        user.address,
        "--arbiter",
        arbiter.address,
        "--price",
        "50",
        "--terms",
        "0x" + "ab" * 32,
        "--out",
        str(draft),
    )
    assert code == 0, err
    code, out, err = cli("escrow", "fund", str(draft), "--account", "1", "--allowance", "--json")
    assert code == 0, err
    agreement_id = str(json.loads(out)["id"])
    assert json.loads(out)["status"] == "proposed"
    for who in ("2", "3"):
        assert cli("escrow", "accept", agreement_id, "--account", who)[0] == 0
    assert cli("escrow", "complete", agreement_id, "--account", "2", "--evidence", "r")[0] == 0
    assert cli("escrow", "dispute", agreement_id, "--account", "1", "--reason", "late")[0] == 0
    code, _, err = cli(
        "escrow",
        "resolve",
        agreement_id,
        "--account",
        "4",
        "--refund",
        "20",
        "--pay",
        f"{did_for(31337, verifier.address)}=30",
        "--json",
    )
    assert code == 0, err
    code, out, _ = cli("escrow", "list", "--open", "--json")
    assert json.loads(out) == []
    assert escrow.agreement(int(agreement_id)).status.label == "resolved"
    assert escrow.credit_of(provider.address) == 20 * TKY
    code, _, err = cli("escrow", "reclaim", agreement_id, "--account", "1")
    assert code == 1 and "EscrowAgreementClosed" in err


def test_escrow_cli__a_did_of_another_chain_exits_2_in_one_line(cli: Invoke) -> None:
    code, _, err = cli("escrow", "credit", did_for(1, ADDR))
    assert code == 2
    assert err.strip().count("\n") == 0 and "names chain 1, but the connected chain is 31337" in err
    parties = ["--verifier", ADDR, "--user", ADDR, "--arbiter", ADDR, "--price", "1", "--terms", "t"]
    code, _, err = cli("escrow", "create", "--account", "1", *parties, "--payee", f"{did_for(1, ADDR)}=0")
    assert code == 2
    assert err.strip().count("\n") == 0 and "names chain 1, but the connected chain is 31337" in err


def test_escrow_fund__the_same_draft_twice_says_it_was_already_funded(
    cli: Invoke, chain: Chain, deployment: Deployment, accounts: list[LocalAccount], deployer: LocalAccount,
    tmp_path: Path,
) -> None:  # fmt: skip
    """Before: `InvalidAccountNonce(account=…, currentNonce=…)` — the acceptances' nonces were spent
    by the first funding; now the draft's agreement is named, and nothing is sent."""
    token = Token.from_deployment(deployment)
    provider, verifier, user, arbiter = accounts[1:5]
    token.transfer(deployer, provider.address, 10 * TKY)
    draft = tmp_path / "twice.json"
    code, _, err = cli(
        "escrow", "create", "--account", "1", "--verifier", verifier.address, "--user", user.address,
        "--arbiter", arbiter.address, "--price", "1", "--terms", "twice#1", "--out", str(draft),
    )  # fmt: skip
    assert code == 0, err
    for who in ("2", "3"):
        code, _, err = cli("escrow", "sign", str(draft), "--account", who)
        assert code == 0, err
    code, out, err = cli("escrow", "fund", str(draft), "--account", "1", "--json")
    assert code == 0, err
    agreement_id = json.loads(out)["id"]
    block = chain.block_number()
    code, out, err = cli("escrow", "fund", str(draft), "--account", "1")
    assert code == 2 and "Traceback" not in out + err and len(err.strip().splitlines()) == 1
    assert f"{draft} was already funded: agreement {agreement_id} (" in err and "InvalidAccountNonce" not in err
    assert chain.block_number() == block
