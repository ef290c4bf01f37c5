"""Deadlines and `--valid-for` count from the wall clock, not from the latest block: on a node
whose clock is two hours behind (an idle dev chain's last block is as old), a signature signed
for 10 s is valid when it arrives, and the command says that the node is behind."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.build import Artifacts
from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import Deployment, deploy_suite
from thekey.token.tky import Token

LAG = 7200
Invoke = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def behind(artifacts: Artifacts, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Anvil, Deployment]]:
    """A node whose every block is stamped two hours before the wall clock, the suite on it."""
    with Anvil(accounts=10, extra_args=["--timestamp", str(int(time.time()) - LAG)]) as node:
        chain = Chain.connect(node.url, artifacts=artifacts, receipt_timeout=30)
        from thekey.chain import dev_accounts

        yield node, deploy_suite(chain, dev_accounts(1)[0], folder=tmp_path_factory.mktemp("behind"))


@pytest.fixture
def cli(
    behind: tuple[Anvil, Deployment], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    node, deployment = behind
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    monkeypatch.delenv("THEKEY_PRIVATE_KEY", raising=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", node.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _deadline(doc: Any) -> int:
    if isinstance(doc, dict):
        if "deadline" in doc:
            return int(doc["deadline"])
        for v in doc.values():
            try:
                return _deadline(v)
            except LookupError:
                pass
    raise LookupError("no deadline")


def test_permit__valid_for_10s_counts_from_the_clock_and_notes_the_lagging_node(
    cli: Invoke, behind: tuple[Anvil, Deployment], accounts: list[LocalAccount], tmp_path: Path
) -> None:
    _, deployment = behind
    assert time.time() - deployment.chain.timestamp() > LAG - 60  # the node really is behind
    before = int(time.time())
    code, out, err = cli("token", "permit", accounts[6].address, "1", "--valid-for", "10s")
    assert code == 0, err
    permit = json.loads(out)
    assert permit["deadline"] >= before + 10  # not the latest block's time + 10 s, two hours ago
    assert "behind the clock" in err and err.startswith("note: the node's latest block is")
    (tmp_path / "permit.json").write_text(out)
    code, _, err = cli("token", "submit-permit", str(tmp_path / "permit.json"), "--account", "3")
    assert code == 0, err  # valid on arrival
    assert Token.from_deployment(deployment).allowance(accounts[0].address, accounts[6].address) == 10**18


def test_consent_grant_sign_only__is_not_born_expired_on_an_idle_node(
    cli: Invoke, behind: tuple[Anvil, Deployment], accounts: list[LocalAccount], tmp_path: Path
) -> None:
    """The issue's case: the latest block is two hours old but the next one is stamped now (an
    idle dev chain). Counting from the block, the grant expired 2 h before it was relayed."""
    chain = behind[1].chain
    chain.rpc("anvil_setTime", [int(time.time())])  # the node's clock is right; its last block is old
    assert time.time() - chain.timestamp() > LAG - 60
    before = int(time.time())
    code, out, err = cli(
        "consent", "grant", accounts[2].address, "--scope", "tax.record", "--purpose", "government-service",
        "--sign-only", "--valid-for", "10s", "--account", "1",
    )  # fmt: skip
    assert code == 0, err
    assert "behind the clock" in err
    assert _deadline(json.loads(out)) >= before + 10
    (tmp_path / "grant.json").write_text(out)
    code, out, err = cli("consent", "relay", str(tmp_path / "grant.json"), "--account", "5", "--json")
    assert code == 0, err  # before: ConsentSignatureExpired


def test_chain_now__is_the_later_of_the_clock_and_the_latest_block(chain: Chain) -> None:
    assert abs(chain.now() - time.time()) < 5 or chain.now() == chain.timestamp()
    chain.increase_time(30 * 86_400)  # a node moved a month ahead: its clock wins
    assert chain.now() == chain.timestamp() > time.time() + 29 * 86_400
