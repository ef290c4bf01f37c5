"""``thekey did …``: every command end to end against the test chain, --json output, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import Deployment
from thekey.identity.registry import IdentityBinding


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, deployment: Deployment, anvil: Anvil) -> list[str]:
    """Commands see the test deployment; returns the common connection options."""
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    return ["--rpc-url", anvil.url]


def test_create__writes_an_encrypted_keystore_and_prints_only_the_did(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", "correct horse")
    code, out, _ = run(capsys, "did", "create", "--out", str(tmp_path / "k.json"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["did"] == f"did:ethr:0x7a69:{data['address']}"
    key = Account.decrypt(json.loads((tmp_path / "k.json").read_text()), "correct horse")
    assert key.hex().removeprefix("0x") not in out
    assert (tmp_path / "k.json").stat().st_mode & 0o077 == 0
    code, _, err = run(capsys, "did", "create", "--out", str(tmp_path / "k.json"))
    assert code == 2 and "refusing to overwrite" in err


def test_create__imports_a_key_from_the_environment(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    accounts: list[LocalAccount],
) -> None:
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", "pw")
    monkeypatch.setenv("THEKEY_PRIVATE_KEY", accounts[3].key.hex())
    code, out, _ = run(
        capsys, "did", "create", "--import", "--out", str(tmp_path / "k.json"), "--chain-id", "1", "--json"
    )
    assert code == 0 and json.loads(out)["did"] == f"did:ethr:0x1:{accounts[3].address}"
    assert accounts[3].key.hex().removeprefix("0x") not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["did", "show", "did:ethr:0x7a69:0x1234"], "not a did:ethr DID"),
        (["did", "set-owner", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "nobody"], "not an address"),
        (
            [
                "did",
                "add-delegate",
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                "--valid-for",
                "ages",
            ],
            "not a duration",
        ),
        (["did", "deactivate", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"], "--yes"),
        (["did", "unbind", "--reason", "bored", "--commitment", "0x" + "11" * 32], "bad reason"),
        (["did", "lookup"], "give a DID"),
        (
            [
                "did",
                "set-attribute",
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                "did/pub/Secp256k1/veriKey/hex/way/too/long",
                "0x00",
            ],
            "at most 32 bytes",
        ),
    ],
)
def test_bad_input__one_line_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in out + err


def test_did_commands__end_to_end(
    capsys: pytest.CaptureFixture[str],
    cli: list[str],
    chain: Chain,
    deployment: Deployment,
    accounts: list[LocalAccount],
    deployer: LocalAccount,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = accounts[1].address
    did = f"did:ethr:0x7a69:{alice}"
    as_alice = [*cli, "--account", "1"]
    ok = lambda *a: run(capsys, "did", *a, "--json")  # noqa: E731
    code, out, err = ok("add-delegate", did, accounts[6].address, "--type", "sigAuth", "--valid-for", "1d", *as_alice)
    assert code == 0, err
    assert ok("set-attribute", did, "did/svc/HubService", "https://hub.example", *as_alice)[0] == 0
    assert ok("set-attribute", did, "did/pub/Secp256k1/veriKey/hex", "0x02" + "ab" * 32, *as_alice)[0] == 0
    code, out, _ = ok("resolve", did, *cli)
    doc = json.loads(out)["didDocument"]
    assert doc["service"][0]["serviceEndpoint"] == "https://hub.example" and len(doc["verificationMethod"]) == 3
    assert ok("revoke-attribute", did, "did/svc/HubService", "https://hub.example", *as_alice)[0] == 0
    assert ok("revoke-delegate", did, accounts[6].address, "--type", "sigAuth", *as_alice)[0] == 0
    # signed by the owner, relayed by someone else
    code, out, _ = run(capsys, "did", "set-owner", did, accounts[2].address, "--sign-only", *as_alice)
    assert code == 0
    (tmp_path / "change.json").write_text(out)
    code, out, _ = ok("relay", str(tmp_path / "change.json"), *cli, "--account", "9")
    assert code == 0
    code, out, _ = ok("show", alice, *cli)
    shown = json.loads(out)
    assert shown["owner"] == accounts[2].address and not shown["bound"] and shown["did"] == did
    # a stranger cannot change it: the decoded error, exit 1
    code, _, err = run(capsys, "did", "set-owner", did, accounts[5].address, *cli, "--account", "19")
    assert code == 1 and "EIDRegistryUnauthorized" in err
    # bindings: the registrar computes the commitment; the number never appears on the command line
    binding = IdentityBinding.from_deployment(deployment)
    binding.admit_registrar(deployer, accounts[10].address)
    monkeypatch.setenv("THEKEY_PEPPER", "0x" + "5e" * 32)
    monkeypatch.setenv("THEKEY_DOCUMENT_NUMBER", "110101-19900307-123X")
    as_registrar = [*cli, "--account", "10"]
    code, out, err = ok("bind", did, "--doc-type", "id card", "--country", "cn", *as_registrar)
    assert code == 0, err
    commitment = json.loads(out)["commitment"]
    assert "123X" not in out
    code, out, _ = ok("lookup", "--doc-type", "ID_CARD", "--country", "CN", *cli)
    assert json.loads(out)["did"] == did and json.loads(out)["registrar"] == accounts[10].address
    code, out, _ = ok("lookup", did, *cli)
    assert json.loads(out)["commitments"] == [commitment]
    bob_did = f"did:ethr:0x7a69:{accounts[3].address}"
    # a registrar alone cannot move it; the holder's key signs, the new DID's key accepts
    code, _, err = run(capsys, "did", "rebind", did, bob_did, "--reason", "key-lost", *as_registrar)
    assert code == 1 and "AccessControlUnauthorizedAccount" in err
    code, out, err = ok("rebind", did, bob_did, "--reason", "key-lost", "--sign-only", *cli, "--account", "2")
    assert code == 0, err
    (tmp_path / "rebind.json").write_text(out)
    code, out, err = ok("rebind-accept", str(tmp_path / "rebind.json"), *cli, "--account", "3")
    assert code == 0, err
    code, out, _ = ok("lookup", "--commitment", commitment, *cli)
    assert json.loads(out)["did"] == bob_did
    assert ok("unbind", "--commitment", commitment, "--reason", "4", *as_registrar)[0] == 0
    # deactivation
    code, _, _ = ok("deactivate", did, "--yes", *cli, "--account", "2")
    assert code == 0
    code, out, _ = ok("resolve", did, *cli)
    assert json.loads(out)["didDocumentMetadata"]["deactivated"] is True
    code, _, err = run(capsys, "did", "add-delegate", did, accounts[6].address, *cli, "--account", "2")
    assert code == 1 and "EIDRegistryDeactivated" in err
