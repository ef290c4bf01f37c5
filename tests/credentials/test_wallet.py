"""The holder's wallet: credentials received as one portable file, encrypted at rest, exported and
imported; a holder on a fresh machine with only its exported wallet file presents successfully."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thekey.chain import Anvil
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.credentials import anchor_credential
from thekey.credentials.presentation import verify_presentation
from thekey.credentials.sdjwt_verify import verify_sd_jwt
from thekey.credentials.wallet import Wallet
from thekey.deploy import Deployment
from thekey.errors import BadInput
from thekey.hashing import keccak
from thekey.identity.registry import EIDRegistry

from .conftest import CLAIMS, Env
from .test_sdjwt import VERIFIER, issue

PASS = "a long wallet passphrase"


def test_wallet__keeps_sd_jwt_and_w3c_credentials_encrypted_at_rest(env: Env, tmp_path: Path) -> None:
    sd, vc = issue(env), env.issue()
    path = tmp_path / "wallet.json"
    w = Wallet(path, PASS)
    held = w.receive(sd.compact())
    assert held.id == "0x" + sd.hash.hex() and held.format == "sd-jwt"
    assert w.receive(json.dumps(vc.credential)).format == "vc"
    text = path.read_text()
    assert sd.jwt not in text and CLAIMS["degree"] not in text and vc.credential["id"] not in text
    assert json.loads(text)["kdf"]["name"] == "scrypt" and json.loads(text)["cipher"] == "A256GCM"
    again = Wallet(path, PASS)
    assert [c.id for c in again.credentials()] == [held.id, "0x" + vc.hash.hex()]
    assert again.get(held.id[:10]).summary()["claims"] == CLAIMS
    with pytest.raises(BadInput, match="wrong passphrase"):
        Wallet(path, "not the passphrase")
    doc = json.loads(text)
    doc["ciphertext"] = doc["ciphertext"][:-4] + ("AAAA" if doc["ciphertext"][-4:] != "AAAA" else "BBBB")
    path.write_text(json.dumps(doc))
    with pytest.raises(BadInput, match="altered"):
        Wallet(path, PASS)


def test_wallet__status_reads_the_chain_and_refuses_presentations_and_w3c_present(env: Env, tmp_path: Path) -> None:
    sd = issue(env)
    w = Wallet(tmp_path / "w.json", PASS)
    w.receive(sd.compact())
    assert w.status(env.registry, "0x" + sd.hash.hex()).valid
    env.registry.revoke(env.issuer, sd.hash, keccak(text="withdrawn"))
    assert w.status(env.registry, "0x" + sd.hash.hex()).failed == {"status"}
    shown = w.present("0x" + sd.hash.hex(), ["degree"], bytes(env.holder.key), nonce="n", audience=VERIFIER)
    with pytest.raises(BadInput, match="presentation"):
        w.receive(shown)
    vc = w.receive(env.issue().credential)
    with pytest.raises(BadInput, match="presented whole"):
        w.present(vc.id, ["degree"], bytes(env.holder.key), nonce="n", audience=VERIFIER)
    with pytest.raises(BadInput, match="not the holder's key"):
        w.present(vc.id, [], bytes(env.stranger.key), nonce="n", audience=VERIFIER)
    with pytest.raises(BadInput, match="no credential"):
        w.get("0xdeadbeef00")


def test_wallet__presents_a_w3c_credential_as_a_holder_bound_verifiable_presentation(
    env: Env, tmp_path: Path, deployment: Deployment
) -> None:
    item = env.issue()
    anchor_credential(env.registry, env.issuer, item)
    w = Wallet(tmp_path / "w.json", PASS)
    held = w.receive(item.credential)
    vp = json.loads(w.present(held.id, [], bytes(env.holder.key), nonce="challenge-9", audience=VERIFIER))
    identities = EIDRegistry.from_deployment(deployment)
    result = verify_presentation(env.registry, identities, vp, challenge="challenge-9", domain=VERIFIER)
    assert result.valid, result.failures
    assert verify_presentation(env.registry, identities, vp, challenge="other", domain=VERIFIER).failed == {"challenge"}


def test_wallet__fresh_machine_with_only_the_exported_file_presents(
    env: Env,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    anvil: Anvil,
    deployment: Deployment,
) -> None:
    monkeypatch.setenv("THEKEY_WALLET_PASSPHRASE", PASS)
    # machine 1: the holder receives the issuer's file and exports its wallet
    first = tmp_path / "machine-1"
    monkeypatch.setenv("HOME", str(first))
    issued = first / "degree.sd-jwt"
    first.mkdir()
    sd = issue(env)
    issued.write_text(sd.compact())
    assert main(["wallet", "receive", str(issued)]) == 0
    backup = tmp_path / "backup.wallet"
    assert main(["wallet", "export", "--out", str(backup)]) == 0
    assert (first / ".thekey" / "wallet.json").exists()
    # machine 2: a new home, no issuer store, no credential file: only the backup
    second = tmp_path / "machine-2"
    second.mkdir()
    monkeypatch.setenv("HOME", str(second))
    monkeypatch.setenv("THEKEY_STORE", str(second / "no-store.sqlite"))
    assert main(["wallet", "import", str(backup)]) == 0
    capsys.readouterr()
    assert main(["wallet", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["id"] == "0x" + sd.hash.hex() and listed["claims"] == CLAIMS
    out = second / "to-employer.sd-jwt"
    code = main(["wallet", "present", listed["id"], "--disclose", "degree", "--disclose", "year",
                 "--nonce", "challenge-1", "--audience", VERIFIER, "--out", str(out), "--account", "3"])  # fmt: skip
    assert code == 0
    result = verify_sd_jwt(env.registry, out.read_text().strip(), nonce="challenge-1", audience=VERIFIER)
    assert result.valid, result.failures
    assert result.claims == {"degree": CLAIMS["degree"], "year": CLAIMS["year"]}
    assert not (second / "no-store.sqlite").exists()
    # `wallet status` checks it on chain: valid, then revoked (exit 1, the failed check printed)
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    capsys.readouterr()
    assert main(["wallet", "status", listed["id"][:12], "--rpc-url", anvil.url]) == 0
    env.registry.revoke(env.issuer, sd.hash, keccak(text="withdrawn"))
    assert main(["wallet", "status", listed["id"], "--rpc-url", anvil.url]) == 1
    assert "FAIL status: revoked" in capsys.readouterr().out


def test_wallet_cli__bad_input_is_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("THEKEY_WALLET", str(tmp_path / "w.json"))
    monkeypatch.setenv("THEKEY_WALLET_PASSPHRASE", PASS)
    junk = tmp_path / "junk.txt"
    junk.write_text("not a credential")
    for args in (["wallet", "receive", str(junk)], ["wallet", "show", "0x1234567890"],
                 ["wallet", "import", str(junk)]):  # fmt: skip
        assert main(args) == 2
        _, err = capsys.readouterr()
        assert err.startswith("error: ") and "Traceback" not in err
    monkeypatch.delenv("THEKEY_WALLET_PASSPHRASE")
    assert main(["wallet", "list"]) == 2
    assert "THEKEY_WALLET_PASSPHRASE" in capsys.readouterr().err
