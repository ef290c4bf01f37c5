"""`thekey demo` in text mode against a running node, then `thekey audit index|report|credit` over
what it left on chain: the steps, the final balances and the audit read as the story says; bad
periods and empty users are one line and exit 2; an unreachable node is exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import thekey.deploy as deploy_module
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.chain.anvil import free_port
from thekey.cli.main import main
from thekey.identity.did import did_for
from thekey.workflow.flow import Actors


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_text_then_audit_commands(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    anvil: Anvil,
    chain: Chain,
) -> None:
    folder = tmp_path / "deployments"
    real_path = deploy_module.manifest_path
    monkeypatch.setattr(deploy_module, "manifest_path", lambda chain, f=None: real_path(chain, f or folder))
    url = anvil.url

    code, out, err = run(capsys, "demo", "--rpc-url", url)
    assert code == 0, err
    assert f"TheKey suite on chain {chain.chain_id}" in out
    assert "Step 1 — " in out and "on chain" in out and "off chain" in out
    assert "Final TKY balances" in out and "Credit rating of the user" in out
    assert out.rstrip().endswith("demo finished: every step ended as the story says")
    assert (folder / f"{chain.chain_key}.json").is_file()  # --rpc-url: the manifest is written for the CLI

    db = str(tmp_path / "audit.sqlite")
    code, out, _ = run(capsys, "audit", "index", "--db", db, "--rpc-url", url, "--json")
    indexed = json.loads(out)
    assert code == 0 and indexed["events"] > 0 and indexed["lastBlock"] == chain.block_number()
    code, out, _ = run(capsys, "audit", "index", "--db", db, "--rpc-url", url)
    assert code == 0 and out.startswith(f"{indexed['events']} events indexed up to block")  # resumes, no duplicates

    report_file = tmp_path / "report.md"
    code, out, _ = run(capsys, "audit", "report", "--db", db, "--rpc-url", url, "--out", str(report_file))
    assert code == 0 and out.startswith("#") and report_file.read_text().strip() == out.strip()
    json_file = tmp_path / "report.json"
    code, out, _ = run(
        capsys,
        "audit",
        "report",
        "--since",
        "1970-01-01",
        "--until",
        "2100-01-01",
        "--db",
        db,
        "--rpc-url",
        url,
        "--json",
        "--out",
        str(json_file),
    )
    assert code == 0 and json.loads(out) == json.loads(json_file.read_text())

    report = json.loads(out)
    assert report["requests"] >= 2 and report["outcomes"]
    user = Actors.from_accounts(dev_accounts(10)).user.address
    code, out, _ = run(capsys, "audit", "credit", did_for(chain.chain_id, user), "--db", db, "--rpc-url", url, "--json")
    rating = json.loads(out)
    assert code == 0 and rating["address"] == user
    assert rating["factors"]["settled"] >= 1 and rating["factors"]["identityFailures"] >= 1
    code, out, _ = run(capsys, "audit", "credit", user, "--db", db, "--rpc-url", url)
    assert code == 0 and out.startswith(f"{user}: {rating['score']} ({rating['band']})")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "report", "--since", "2026-02-01", "--until", "2026-01-01"], "--until is before --since"),
        (["audit", "report", "--since", "yesterday-ish"], ""),
        (["audit", "credit", "  "], "an empty DID or address"),
    ],
)
def test_audit__bad_input_exits_2_before_connecting(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args, "--rpc-url", f"http://127.0.0.1:{free_port()}")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in out + err


def test_audit__no_node_is_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "audit", "index", "--db", str(tmp_path / "a.sqlite"), "--rpc-url", f"http://127.0.0.1:{free_port()}"
    )
    assert code == 1 and err.startswith("error: no node answers at")
