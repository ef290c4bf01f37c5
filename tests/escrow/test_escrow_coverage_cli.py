"""`thekey escrow …` paths beyond the two main flows: a draft printed to stdout, funding refused
to anyone but the draft's provider, settlement by a third party once the dispute window closes,
the text listing, and an unknown agreement id — each with the output or one-line error a user
sees."""

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
from thekey.payments.escrow import Escrow
from thekey.token.tky import Token

Invoke = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_draft_on_stdout__wrong_funder_refused__settled_by_anyone_after_the_window(
    cli: Invoke,
    chain: Chain,
    deployment: Deployment,
    accounts: list[LocalAccount],
    deployer: LocalAccount,
    tmp_path: Path,
) -> None:
    token, escrow = Token.from_deployment(deployment), Escrow.from_deployment(deployment)
    provider, verifier, user, arbiter = accounts[1:5]
    token.transfer(deployer, provider.address, 100 * TKY)
    code, out, _ = cli("escrow", "list")
    assert code == 0 and out.strip() == "no agreements"

    code, out, err = cli(
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
        "10",
        "--terms",
        "service#7",
        "--due",
        "2100-01-01",
        "--dispute-window",
        "1h",
    )
    assert code == 0, err
    draft_doc = json.loads(out)  # no --out: the draft goes to stdout
    assert draft_doc["terms"]["provider"] == provider.address and draft_doc["acceptances"] == {}
    draft = tmp_path / "agreement.json"
    draft.write_text(out)
    for who in ("2", "3"):
        assert cli("escrow", "sign", str(draft), "--account", who)[0] == 0

    code, _, err = cli("escrow", "fund", str(draft), "--account", "5")
    assert code == 2 and f"the draft's provider is {provider.address}" in err
    assert escrow.count() == 0

    code, out, err = cli("escrow", "fund", str(draft), "--account", "1", "--json")
    assert code == 0, err
    agreement_id = str(json.loads(out)["id"])
    assert cli("escrow", "complete", agreement_id, "--account", "2", "--evidence", "record#7")[0] == 0
    code, out, _ = cli("escrow", "show", agreement_id)
    assert "  evidence 0x" in out and "dispute window open" in out
    chain.increase_time(3_601)
    code, out, err = cli("escrow", "settle", agreement_id, "--account", "9")
    assert code == 0, err
    assert out.startswith(f"settled agreement {agreement_id} — tx 0x")
    assert escrow.credit_of(verifier.address) > 0
    code, out, _ = cli("escrow", "list", "--party", verifier.address)
    assert out.strip().startswith(f"#{agreement_id} settled ") and "paid out by the plan" in out
    code, out, _ = cli("escrow", "list", "--open", "--json")
    assert json.loads(out) == []


def test_show__unknown_agreement_exits_2(cli: Invoke) -> None:
    code, out, err = cli("escrow", "show", "999")
    assert code == 2 and "no escrow agreement 999" in err and "Traceback" not in out + err
