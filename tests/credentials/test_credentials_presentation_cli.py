"""`thekey credential challenge | present | verify-presentation`: the verifier's challenge file,
the holder's signed presentation, one line per check, a replay refused with exit 1, a delegate
signing for the holder, and bad input as one line with exit 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.credentials import IssuedCredential
from thekey.deploy import Deployment
from thekey.identity.registry import EIDRegistry

from .conftest import Env

Invoke = Callable[..., tuple[int, str, str]]
DOMAIN = "https://employer.example"


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Invoke:  # fmt: skip
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    monkeypatch.setenv("THEKEY_CHALLENGES", str(tmp_path / "challenges.json"))

    def invoke(*args: str) -> tuple[int, str, str]:
        offline = args[:2] == ("credential", "challenge")  # the verifier's own file: no node
        code = main([*args] if offline else [*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _challenge(cli: Invoke) -> str:
    code, out, _ = cli("credential", "challenge", "--json")
    assert code == 0
    return str(json.loads(out)["challenge"])


def test_cli__present_then_verify_prints_each_check_and_a_replay_exits_1(
    cli: Invoke, anchored: Callable[..., IssuedCredential], tmp_path: Path
) -> None:
    vc, vp = tmp_path / "degree.json", tmp_path / "vp.json"
    vc.write_text(json.dumps(anchored().credential))
    challenge = _challenge(cli)
    code, out, err = cli(
        "credential", "present", str(vc), "--challenge", challenge, "--domain", DOMAIN, "-a", "3", "-o", str(vp)
    )
    assert code == 0, err
    assert "presentation by did:ethr:0x7a69:0x90F79bf6EB2c4f870365E785982E1f101E93b906" in out
    code, out, err = cli("credential", "verify-presentation", str(vp), "--challenge", challenge, "--domain", DOMAIN)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].startswith("VALID presentation by did:ethr:0x7a69:0x90F7")
    for name in ("signature", "holder", "challenge", "domain", "freshness", "credentials"):
        assert any(line.strip().startswith(f"ok   {name}:") for line in lines), name
    assert any("ok   status: neither revoked nor suspended" in line for line in lines)
    code, out, _ = cli(
        "credential", "verify-presentation", str(vp), "--challenge", challenge, "--domain", DOMAIN, "--json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["valid"] is False
    assert [c["name"] for c in data["checks"] if not c["ok"]] == ["challenge"]


def test_cli__a_sigauth_delegate_presents_for_the_holder_with_its_key_id(
    cli: Invoke, env: Env, anchored: Callable[..., IssuedCredential], deployment: Deployment,
    accounts: list[LocalAccount], tmp_path: Path,
) -> None:  # fmt: skip
    EIDRegistry.from_deployment(deployment).add_delegate(
        env.holder, env.holder.address, "sigAuth", accounts[7].address, 3600
    )
    vc, vp = tmp_path / "degree.json", tmp_path / "vp.json"
    vc.write_text(json.dumps(anchored().credential))
    challenge = _challenge(cli)
    present = ["credential", "present", str(vc), "--challenge", challenge, "--domain", DOMAIN, "-o", str(vp)]
    code, _, err = cli(*present, "--holder", env.holder_did, "-a", "7")
    assert code == 0, err
    assert json.loads(vp.read_text())["proof"]["verificationMethod"] == env.holder_did + "#delegate-1"
    code, out, _ = cli("credential", "verify-presentation", str(vp), "--challenge", challenge, "--domain", DOMAIN)
    assert code == 0 and "a valid sigAuth delegate" in out
    # a key that is neither owner nor delegate cannot even sign for the holder
    code, _, err = cli(*present, "--holder", env.holder_did, "-a", "8")
    assert code == 2 and "is not an authentication key of" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["credential", "present", "missing.json", "--challenge", "c", "--domain", "d"], "cannot read missing.json"),
        (
            ["credential", "verify-presentation", "missing.json", "--challenge", "c", "--domain", "d"],
            "cannot read missing.json",
        ),
    ],
)
def test_cli__bad_input_is_one_line_and_exit_2(cli: Invoke, args: list[str], message: str) -> None:
    code, out, err = cli(*args)
    assert code == 2 and message in err and "Traceback" not in out + err
