"""`thekey did …` beyond the main flow: text output of show/lookup, keystore creation from a
prompt, signed delegate changes relayed from a file, and the refusals a user meets (a DID of
another chain, a deactivated DID, a missing pepper, a bad signed-change file) as one line, exit 2."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import Deployment
from thekey.identity.registry import EIDRegistry, IdentityBinding

Invoke = Callable[..., tuple[int, str, str]]
ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # dev account 1
ALICE_DID = f"did:ethr:0x7a69:{ALICE}"
PEPPER = "0x" + "5e" * 32


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, deployment: Deployment, anvil: Anvil, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    for var in (
        "THEKEY_PEPPER",
        "THEKEY_DOCUMENT_NUMBER",
        "THEKEY_NATIONAL_ID",
        "THEKEY_PRIVATE_KEY",
        "THEKEY_KEYSTORE_PASSWORD",
    ):
        monkeypatch.delenv(var, raising=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(["did", *args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _one_line_exit_2(result: tuple[int, str, str], message: str) -> None:
    code, out, err = result
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in out + err


def test_show_and_lookup__text_output_unbound_bound_and_deactivated(
    cli: Invoke,
    deployment: Deployment,
    deployer: LocalAccount,
    accounts: list[LocalAccount],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    code, out, _ = cli("show", ALICE)
    assert code == 0 and out.strip().endswith("not bound") and f"{ALICE_DID}: owner {ALICE}" in out
    code, out, _ = cli("lookup", ALICE_DID)
    assert code == 0 and out.strip() == f"{ALICE_DID}: not bound"

    IdentityBinding.from_deployment(deployment).admit_registrar(deployer, accounts[10].address)
    pepper = tmp_path / "pepper"
    pepper.write_text(PEPPER + "\n")
    monkeypatch.setenv("THEKEY_DOCUMENT_NUMBER", "E12345678")
    monkeypatch.setenv("THEKEY_NATIONAL_ID", "110101199003071234")
    code, out, err = cli(
        "bind", ALICE, "--doc-type", "passport", "--country", "cn", "--pepper-file", str(pepper), "--account", "10"
    )
    assert code == 0, err
    assert "E12345678" not in out and f"{ALICE_DID} bound to 0x" in out
    code, out, _ = cli("show", ALICE_DID)
    assert out.strip().endswith("bound to 1 document(s)")
    code, out, _ = cli("lookup", "--doc-type", "passport", "--country", "cn", "--pepper-file", str(pepper))
    assert code == 0 and f"{ALICE_DID} (registrar {accounts[10].address})" in out
    code, out, _ = cli("lookup", "--commitment", "0x" + "77" * 32, "--json")
    assert json.loads(out) == {
        "commitment": "0x" + "77" * 32,
        "bound": False,
        "did": None,
        "registrar": None,
        "boundAt": None,
    }

    assert cli("deactivate", ALICE_DID, "--yes", "--account", "1")[0] == 0
    code, out, _ = cli("show", ALICE_DID, "--json")
    data = json.loads(out)
    assert data["deactivated"] is True and data["nonce"] is None
    code, out, _ = cli("show", ALICE_DID)
    assert f"{ALICE_DID}: DEACTIVATED" in out
    _one_line_exit_2(
        cli("set-owner", ALICE_DID, accounts[2].address, "--sign-only", "--account", "1"),
        "is deactivated: it can no longer change",
    )


def test_signed_delegate_change__signed_offline_relayed_by_another_account(
    cli: Invoke, deployment: Deployment, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    registry = EIDRegistry.from_deployment(deployment)
    delegate = accounts[6].address
    code, out, _ = cli("add-delegate", ALICE, delegate, "--type", "sigAuth", "--sign-only", "--account", "1")
    assert code == 0 and json.loads(out)["action"] == "AddDelegate"
    change = tmp_path / "change.json"
    change.write_text(out)
    code, out, err = cli("relay", str(change), "--account", "9")
    assert code == 0, err
    assert out.startswith("AddDelegate relayed — tx 0x")
    assert registry.valid_delegate(ALICE, "sigAuth", delegate)
    code, _, err = cli("relay", str(change), "--account", "9")  # the nonce is spent: a replay is refused on chain
    assert code == 1 and "error: transaction" in err


def test_attribute_values__hex_and_text(cli: Invoke, chain: Chain) -> None:
    assert cli("set-attribute", ALICE, "did/pub/Secp256k1/veriKey/hex", "0x02" + "cd" * 32, "--account", "1")[0] == 0
    code, out, _ = cli("resolve", ALICE_DID + f"?versionId={chain.block_number()}")
    assert code == 0 and json.loads(out)["didDocument"]["id"] == ALICE_DID
    _one_line_exit_2(cli("set-attribute", ALICE, "did/svc/HubService", "0xnothex", "--account", "1"), "not hex")


def test_create__prompted_password_must_be_repeated_and_not_empty(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["pw-1", "pw-2"])
    monkeypatch.setattr("thekey.cli.did.getpass", lambda _prompt: next(answers))
    out_file = tmp_path / "k.json"
    assert main(["did", "create", "--out", str(out_file)]) == 2
    assert "the passwords differ" in capsys.readouterr().err and not out_file.exists()
    monkeypatch.setattr("thekey.cli.did.getpass", lambda _prompt: "")
    assert main(["did", "create", "--out", str(out_file)]) == 2
    assert "an empty keystore password" in capsys.readouterr().err and not out_file.exists()
    assert main(["did", "create", "--import", "--out", str(out_file)]) == 2
    assert "THEKEY_PRIVATE_KEY, which is not set" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "did:ethr:0x1:" + ALICE], "names chain 1, but the node is chain 31337"),
        (["set-owner", ALICE, "0x0000000000000000000000000000000000000000"], "use `thekey did deactivate`"),
        (["show", "not-an-address"], "not a DID or an address"),
        (["bind", ALICE, "--doc-type", "passport"], "give --commitment, or --doc-type and --country"),
        (["bind", ALICE, "--doc-type", "passport", "--country", "cn"], "no pepper"),
        (
            ["bind", ALICE, "--doc-type", "passport", "--country", "cn", "--pepper-file", "/nonexistent"],
            "cannot read /nonexistent",
        ),
        (["resolve", "did:ethr:0x1:" + ALICE], "unknownNetwork"),
    ],
)
def test_bad_input__one_line_exit_2(cli: Invoke, args: list[str], message: str) -> None:
    _one_line_exit_2(cli(*args), message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{oops", "is not JSON"),
        ("[1]", "is not a signed change"),
        ('{"action": "ChangeOwner"}', "signed"),
    ],
)
def test_relay__bad_file_exits_2(cli: Invoke, tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "change.json"
    if content is not None:
        path.write_text(content)
    _one_line_exit_2(cli("relay", str(path)), message)
