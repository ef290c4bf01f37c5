"""Managed keys: `thekey account list|new|import` over keystore v3 files in TheKey's keys folder
and ape's accounts folder (written by ape itself); import from a raw key or a BIP-39 mnemonic
with a derivation path; secrets from a hidden prompt or a named environment variable, never
argv, never printed; `--account ALIAS` signs; two key options at once are one error line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil
from thekey.chain.keys import account_from_mnemonic, find_key, list_keys
from thekey.cli.common import Session
from thekey.cli.main import main
from thekey.deploy import TKY, Deployment
from thekey.errors import BadInput
from thekey.token.tky import Token

Invoke = Callable[..., tuple[int, str, str]]
PASSWORD = "correct horse battery staple"
# the BIP-39 test mnemonic Anvil and Hardhat fund; its m/44'/60'/0'/0/1 is dev account 1
MNEMONIC = "test test test test test test test test test test test junk"


def fast_keystore(account: LocalAccount, path: Path) -> Path:
    """A keystore with a cheap KDF (same format; only the `new`/`import` tests pay for scrypt)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(Account.encrypt(account.key, PASSWORD, kdf="pbkdf2", iterations=1000)))
    return path


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """TheKey's keys folder and ape's accounts folder, both empty, in a temporary home."""
    keys, ape = tmp_path / "thekey-keys", tmp_path / "ape"
    monkeypatch.setenv("THEKEY_KEYS_DIR", str(keys))
    monkeypatch.setenv("APE_DATA_FOLDER", str(ape))
    monkeypatch.delenv("THEKEY_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("THEKEY_KEYSTORE_PASSWORD", raising=False)
    return keys, ape / "accounts"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Invoke:
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(prompt: str) -> str:
        raise AssertionError(f"unexpected prompt {prompt!r}")

    monkeypatch.setattr("thekey.cli.account.getpass", refuse)
    monkeypatch.setattr("thekey.chain.accounts.getpass", refuse)


# ---------------------------------------------------------------------------- import / new


def test_import__raw_key_from_a_named_env_var_is_stored_encrypted_and_never_printed(
    folders: tuple[Path, Path], cli: Invoke, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys, _ = folders
    secret = accounts[5].key.hex()
    monkeypatch.setenv("MY_KEY", secret)
    monkeypatch.setenv("MY_PASSWORD", PASSWORD)
    _no_prompt(monkeypatch)
    code, out, err = cli(
        "account", "import", "ops", "--secret-env", "MY_KEY", "--password-env", "MY_PASSWORD", "--json"
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["address"] == accounts[5].address
    stored = keys / "ops.json"
    assert stored.stat().st_mode & 0o777 == 0o600
    blob = stored.read_text()
    assert secret.removeprefix("0x") not in blob and secret.removeprefix("0x") not in out + err
    assert Account.decrypt(json.loads(blob), PASSWORD) == accounts[5].key  # keystore v3, our password
    assert json.loads(blob)["version"] == 3


def test_import__mnemonic_at_a_derivation_path_read_from_hidden_prompts(
    folders: tuple[Path, Path], cli: Invoke, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([MNEMONIC, PASSWORD, PASSWORD])
    prompts: list[str] = []
    monkeypatch.setattr("thekey.cli.account.getpass", lambda p: prompts.append(p) or next(answers))
    code, out, err = cli("account", "import", "hd1", "--mnemonic", "--path", "m/44'/60'/0'/0/1")
    assert code == 0, err
    assert accounts[1].address in out and "test test" not in out + err
    assert prompts == ["Mnemonic: ", "Password for the new keystore: ", "Repeat the password: "]
    assert find_key("hd1").unlock(PASSWORD).address == accounts[1].address


def test_new__creates_a_key_that_lists_and_refuses_a_taken_alias(
    folders: tuple[Path, Path], cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW", PASSWORD)
    code, out, err = cli("account", "new", "fresh", "--password-env", "PW", "--json")
    assert code == 0, err
    address = json.loads(out)["address"]
    code, out, _ = cli("account", "list", "--json")
    assert [(k["alias"], k["address"], k["source"]) for k in json.loads(out)] == [("fresh", address, "thekey")]
    code, _, err = cli("account", "new", "fresh", "--password-env", "PW")
    assert code == 2 and "alias 'fresh' is taken" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["account", "import", "x", "--secret-env", "NOPE", "--password-env", "PW"], {}, "NOPE"),
        (["account", "import", "x", "--secret-env", "K", "--password-env", "PW"], {"K": "0x1234"}, "32-byte hex"),
        (
            ["account", "import", "x", "--mnemonic", "--secret-env", "K", "--password-env", "PW"],
            {"K": "test " * 11 + "test"},
            "not a valid BIP-39 mnemonic",
        ),
        (["account", "import", "x", "--mnemonic", "--path", "m/44'/x"], {}, "not a derivation path"),
        (["account", "new", "../evil"], {}, "not a key alias"),
        (["account", "new", "x", "--password-env", "EMPTY"], {"EMPTY": ""}, "EMPTY"),
    ],
)
def test_import_and_new__bad_secrets_and_names_are_one_line_exit_2_and_quote_no_secret(
    folders: tuple[Path, Path],
    cli: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    monkeypatch.setenv("PW", PASSWORD)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    _no_prompt(monkeypatch)
    code, out, err = cli(*args)
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    for v in env.values():
        assert not v or v not in err
    assert not folders[0].exists() or not list(folders[0].iterdir())  # nothing written


def test_import__no_option_takes_a_secret_on_the_command_line(
    folders: tuple[Path, Path], cli: Invoke, accounts: list[LocalAccount]
) -> None:
    for option in ("--private-key", "--key", "--secret", "--password"):
        code, _, err = cli("account", "import", "x", option, accounts[1].key.hex())
        assert code == 2 and "No such option" in err


# ---------------------------------------------------------------------------- ape's folder


def test_list__reads_keystores_written_by_ape_itself(
    folders: tuple[Path, Path], cli: Invoke, accounts: list[LocalAccount]
) -> None:
    keys, ape_accounts = folders
    fast_keystore(accounts[7], keys / "mine.json")
    script = (
        "from ape_accounts import import_account_from_private_key as imp;"
        f"imp('apekey', {PASSWORD!r}, {accounts[6].key.hex()!r})"
    )
    env = {**os.environ, "APE_DATA_FOLDER": str(ape_accounts.parent)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (ape_accounts / "apekey.json").is_file()
    code, out, _ = cli("account", "list", "--json")
    listed = {(k["alias"], k["address"], k["source"]) for k in json.loads(out)}
    assert listed == {("mine", accounts[7].address, "thekey"), ("apekey", accounts[6].address, "ape")}
    assert find_key("apekey").unlock(PASSWORD).address == accounts[6].address
    code, out, _ = cli("account", "list")  # the table names both
    assert code == 0 and "apekey" in out and accounts[6].address in out and "mine" in out


def test_list__skips_files_that_are_not_keystores(folders: tuple[Path, Path], accounts: list[LocalAccount]) -> None:
    keys, _ = folders
    keys.mkdir(parents=True)
    (keys / "junk.json").write_bytes(b"\xff\xfe not json")
    (keys / "other.json").write_text("[1, 2]")
    fast_keystore(accounts[2], keys / "good.json")
    assert [k.alias for k in list_keys()] == ["good"]
    with pytest.raises(BadInput, match="no managed key 'junk'"):
        find_key("junk")


def test_account_from_mnemonic__matches_the_dev_accounts(accounts: list[LocalAccount]) -> None:
    assert account_from_mnemonic(MNEMONIC, "m/44'/60'/0'/0/3").address == accounts[3].address


# ---------------------------------------------------------------------------- signing with --account ALIAS


@pytest.fixture
def chain_cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_account_alias__signs_with_the_managed_key_by_alias_and_by_address(
    folders: tuple[Path, Path],
    chain_cli: Invoke,
    deployment: Deployment,
    accounts: list[LocalAccount],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = Token.from_deployment(deployment)
    owner = Account.create()  # not a dev account: only the managed key can sign for it
    fast_keystore(owner, folders[0] / "treasury.json")
    token.transfer(accounts[0], owner.address, 5 * TKY)
    deployment.chain.send_eth(owner.address, 10**18, accounts[0])
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", PASSWORD)
    code, _, err = chain_cli("token", "transfer", accounts[9].address, "2", "--account", "treasury")
    assert code == 0, err
    code, _, err = chain_cli("token", "transfer", accounts[9].address, "1", "--account", owner.address)
    assert code == 0, err
    assert token.balance_of(owner.address) == 2 * TKY
    code, _, err = chain_cli("token", "transfer", accounts[9].address, "1", "--account", "nobody")
    assert code == 2 and "no managed key 'nobody'" in err


@pytest.mark.parametrize(
    ("options", "env_key", "named"),
    [
        (["--keystore", "KEYSTORE", "--account", "2"], False, "--keystore and --account"),
        (["--account", "2"], True, "THEKEY_PRIVATE_KEY and --account"),
        (["--keystore", "KEYSTORE"], True, "--keystore and THEKEY_PRIVATE_KEY"),
    ],
)
def test_conflicting_key_options__one_line_exit_2_and_nothing_sent(
    folders: tuple[Path, Path],
    chain_cli: Invoke,
    deployment: Deployment,
    accounts: list[LocalAccount],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    options: list[str],
    env_key: bool,
    named: str,
) -> None:
    keystore = fast_keystore(accounts[3], tmp_path / "k.json")
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", PASSWORD)
    if env_key:
        monkeypatch.setenv("THEKEY_PRIVATE_KEY", accounts[4].key.hex())
    block = deployment.chain.block_number()
    args = [str(keystore) if o == "KEYSTORE" else o for o in options]
    code, out, err = chain_cli("token", "transfer", accounts[9].address, "1", *args)
    assert code == 2 and named in err and "give only one" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in out + err
    assert deployment.chain.block_number() == block
