"""The shared CLI plumbing a user relies on: which key signs (dev account by index or address,
THEKEY_PRIVATE_KEY, an encrypted keystore), the refusal to sign on a non-local chain without a
key, the token commands' text and JSON output, and `compile` / `node` output."""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

import thekey.cli.chain as cli_chain
import thekey.deploy as deploy_module
from thekey.chain import Anvil, Chain
from thekey.chain.accounts import from_keystore, from_private_key, signer_from_env, write_keystore
from thekey.cli.common import Session, _json_default, dev_account
from thekey.cli.main import main
from thekey.deploy import TKY, Deployment
from thekey.errors import BadInput, ConfigError
from thekey.token.tky import Token

Invoke = Callable[..., tuple[int, str, str]]
PASSWORD = "correct horse battery staple"


def fast_keystore(account: LocalAccount, path: Path) -> Path:
    """A keystore with a cheap KDF (the format is the same; only write_keystore's test pays for scrypt)."""
    path.write_text(json.dumps(Account.encrypt(account.key, PASSWORD, kdf="pbkdf2", iterations=1000)))
    return path


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, anvil: Anvil, deployment: Deployment, capsys: pytest.CaptureFixture[str]
) -> Invoke:
    monkeypatch.setattr(Session, "deployment", lambda self, chain=None: deployment)
    monkeypatch.delenv("THEKEY_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("THEKEY_KEYSTORE_PASSWORD", raising=False)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--rpc-url", anvil.url])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def token(deployment: Deployment) -> Token:
    return Token.from_deployment(deployment)


# ---------------------------------------------------------------------------- keys (SDK)


def test_from_private_key__garbage_is_bad_input() -> None:
    with pytest.raises(BadInput, match="not a 32-byte hex string"):
        from_private_key("0x1234")


def test_from_private_key__strips_whitespace_and_gives_the_account(accounts: list[LocalAccount]) -> None:
    assert from_private_key("  " + accounts[3].key.hex() + "\n").address == accounts[3].address


def test_keystore__round_trip_with_argument_env_and_prompt(
    tmp_path: Path, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_keystore(accounts[4], tmp_path / "k" / "key.json", PASSWORD)
    assert path.stat().st_mode & 0o777 == 0o600
    assert from_keystore(path, PASSWORD).address == accounts[4].address
    path = fast_keystore(accounts[4], tmp_path / "fast.json")
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", PASSWORD)
    assert from_keystore(path).address == accounts[4].address
    monkeypatch.delenv("THEKEY_KEYSTORE_PASSWORD")
    prompts: list[str] = []
    monkeypatch.setattr("thekey.chain.accounts.getpass", lambda p: prompts.append(p) or PASSWORD)
    assert from_keystore(path).address == accounts[4].address
    assert prompts == [f"Password for {path}: "]


def test_keystore__refuses_to_overwrite(tmp_path: Path, accounts: list[LocalAccount]) -> None:
    path = fast_keystore(accounts[4], tmp_path / "key.json")
    before = path.read_text()
    with pytest.raises(BadInput, match="refusing to overwrite"):
        write_keystore(accounts[5], path, PASSWORD)
    assert path.read_text() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read keystore"), ("{not json", "not a keystore JSON file")],
)
def test_keystore__unreadable_or_not_json_is_bad_input(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BadInput, match=message):
        from_keystore(path, PASSWORD)


def test_keystore__wrong_password_is_bad_input(tmp_path: Path, accounts: list[LocalAccount]) -> None:
    path = fast_keystore(accounts[4], tmp_path / "key.json")
    with pytest.raises(BadInput, match="wrong password"):
        from_keystore(path, "nope")


def test_signer_from_env__keystore_then_env_key_then_config_error(
    tmp_path: Path, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fast_keystore(accounts[6], tmp_path / "key.json")
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", PASSWORD)
    monkeypatch.setenv("THEKEY_PRIVATE_KEY", accounts[7].key.hex())
    assert signer_from_env(path).address == accounts[6].address
    assert signer_from_env().address == accounts[7].address
    monkeypatch.delenv("THEKEY_PRIVATE_KEY")
    with pytest.raises(ConfigError, match="no signing key"):
        signer_from_env()


def test_dev_account__by_index_address_and_refusals(accounts: list[LocalAccount]) -> None:
    assert dev_account(None).address == accounts[0].address
    assert dev_account("7").address == accounts[7].address
    assert dev_account(accounts[9].address).address == accounts[9].address
    with pytest.raises(BadInput, match=r"out of range \(0-19\)"):
        dev_account("20")
    with pytest.raises(BadInput, match="not an address"):
        dev_account("²")  # str.isdigit() is true for it; it is not an index
    stranger = Account.create().address
    with pytest.raises(BadInput, match="not one of the local dev accounts"):
        dev_account(stranger)


def test_json_default__bytes_and_paths_print_everything_else_refused() -> None:
    assert _json_default(b"\x01\xff") == "0x01ff"
    assert _json_default(Path("/tmp/x")) == "/tmp/x"
    with pytest.raises(TypeError, match="not JSON serialisable: set"):
        _json_default({1})


def test_session__non_local_chain_without_a_key_refuses_to_sign(chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THEKEY_PRIVATE_KEY", raising=False)
    monkeypatch.setattr(Chain, "is_local", property(lambda self: False))
    with pytest.raises(ConfigError, match="no signing key for a non-local chain"):
        Session().signer(chain)


# ---------------------------------------------------------------------------- keys (CLI)


def test_cli__account_by_address_signs_as_that_account(cli: Invoke, token: Token, accounts: list[LocalAccount]) -> None:
    token.transfer(accounts[0], accounts[2].address, 10 * TKY)
    bob = accounts[8].address
    before = token.balance_of(bob)
    code, _, err = cli("token", "transfer", bob, "2", "--account", accounts[2].address, "--json")
    assert code == 0, err
    assert token.balance_of(bob) - before == 2 * TKY
    assert token.balance_of(accounts[2].address) == 8 * TKY


def test_cli__keystore_signs_and_wrong_password_exits_2(
    cli: Invoke, token: Token, accounts: list[LocalAccount], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token.transfer(accounts[0], accounts[11].address, 5 * TKY)
    path = fast_keystore(accounts[11], tmp_path / "key.json")
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", PASSWORD)
    code, out, err = cli("token", "transfer", accounts[12].address, "1", "--keystore", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["gasUsed"] > 21_000
    assert token.balance_of(accounts[11].address) == 4 * TKY
    monkeypatch.setenv("THEKEY_KEYSTORE_PASSWORD", "wrong")
    code, _, err = cli("token", "transfer", accounts[12].address, "1", "--keystore", str(path))
    assert code == 2 and "wrong password" in err and len(err.strip().splitlines()) == 1
    assert token.balance_of(accounts[11].address) == 4 * TKY


def test_cli__private_key_env_signs(
    cli: Invoke, token: Token, accounts: list[LocalAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    token.transfer(accounts[0], accounts[14].address, 3 * TKY)
    monkeypatch.setenv("THEKEY_PRIVATE_KEY", accounts[14].key.hex())
    code, _, err = cli("token", "transfer", accounts[15].address, "3")
    assert code == 0, err
    assert token.balance_of(accounts[14].address) == 0


def test_cli__account_index_out_of_range_exits_2(cli: Invoke, accounts: list[LocalAccount]) -> None:
    code, _, err = cli("token", "transfer", accounts[1].address, "1", "--account", "42")
    assert code == 2 and "out of range" in err


# ---------------------------------------------------------------------------- token commands


def test_cli_token__info_text_and_json(cli: Invoke, token: Token) -> None:
    code, out, _ = cli("token", "info")
    assert code == 0 and f"at {token.address}" in out and "of cap 1000000000" in out
    code, out, _ = cli("token", "info", "--json")
    data = json.loads(out)
    assert data["symbol"] == token.symbol() and data["decimals"] == 18 and int(data["cap"]) == token.cap()


def test_cli_token__approve_then_allowance(cli: Invoke, accounts: list[LocalAccount]) -> None:
    spender = accounts[5].address
    code, out, _ = cli("token", "approve", spender, "12.5")
    assert code == 0 and out.startswith("approved 12.5 TKY — tx 0x")
    code, out, _ = cli("token", "allowance", accounts[0].address, spender, "--json")
    assert json.loads(out) == {"allowance": str(125 * 10**17), "tky": "12.5"}


def test_cli_token__permit_signed_offline_then_submitted_by_another_account(
    cli: Invoke, token: Token, accounts: list[LocalAccount], tmp_path: Path
) -> None:
    spender = accounts[6].address
    code, out, _ = cli("token", "permit", spender, "4", "--valid-for", "2h", "--account", "3")
    assert code == 0
    document = json.loads(out)
    assert document["owner"] == accounts[3].address and document["value"] == str(4 * TKY)
    path = tmp_path / "permit.json"
    path.write_text(out)
    code, out, _ = cli("token", "submit-permit", str(path), "--account", "9", "--json")
    assert code == 0 and json.loads(out)["txHash"].startswith("0x")
    assert token.allowance(accounts[3].address, spender) == 4 * TKY


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ('{"owner": "0x00"}', "is not a permit JSON document"),
        ("[1, 2]", "is not a permit JSON document"),
    ],
)
def test_cli_token__bad_permit_file_exits_2(cli: Invoke, tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "permit.json"
    if content is not None:
        path.write_text(content)
    code, out, err = cli("token", "submit-permit", str(path))
    assert code == 2 and message in err and "Traceback" not in out + err


def test_cli_token__reward_with_label_and_hex_reason(cli: Invoke, token: Token, accounts: list[LocalAccount]) -> None:
    user = accounts[16].address
    before = token.balance_of(user)
    code, out, err = cli("token", "reward", user, "1", "--reason", "referral", "--json")
    assert code == 0, err
    from thekey.parsing import label_hash

    assert json.loads(out)["reasonCode"] == "0x" + label_hash("referral").hex()
    code, out, _ = cli("token", "reward", user, "2", "--reason", "0x" + "ab" * 32, "--json")
    assert code == 0 and json.loads(out)["reasonCode"] == "0x" + "ab" * 32
    assert token.balance_of(user) - before == 3 * TKY


def test_cli_token__reward_by_stranger_exits_1_with_the_decoded_error(
    cli: Invoke, accounts: list[LocalAccount]
) -> None:
    code, _, err = cli("token", "reward", accounts[16].address, "1", "--reason", "x", "--account", "19")
    assert code == 1 and "AccessControlUnauthorizedAccount" in err


def test_cli_token__mint_by_the_minter(cli: Invoke, token: Token, accounts: list[LocalAccount]) -> None:
    supply = token.total_supply()
    code, out, _ = cli("token", "mint", accounts[17].address, "5")
    assert code == 0 and out.startswith("minted 5 TKY")
    assert token.total_supply() - supply == 5 * TKY


# ---------------------------------------------------------------------------- compile / node


def test_cli_compile__reports_the_project_contracts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["solcVersion"].startswith("0.8.29") and "TheKeyToken" in data["contracts"]
    assert main(["compile"]) == 0
    assert "project contracts with solc 0.8.29" in capsys.readouterr().out


def test_cli_node__deploys_prints_accounts_and_stops_on_ctrl_c(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from thekey.chain.anvil import free_port

    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    folder = tmp_path / "deployments"
    real_path = deploy_module.manifest_path
    monkeypatch.setattr(deploy_module, "manifest_path", lambda chain, f=None: real_path(chain, f or folder))
    monkeypatch.setattr(cli_chain, "time", types.SimpleNamespace(sleep=interrupted))
    port = free_port()
    assert main(["node", "--port", str(port), "--chain-id", "31338"]) == 0
    out = capsys.readouterr().out
    assert f"Anvil listening on http://127.0.0.1:{port} (chain id 31338)" in out
    assert "TheKey suite on chain 31338" in out and "token (TheKeyToken)" in out
    assert "[19] " in out and "Press Ctrl-C to stop." in out
    (written,) = folder.glob("31338-*.json")  # chain id + genesis hash
    manifest = json.loads(written.read_text())
    assert manifest["chainId"] == 31338 and manifest["contracts"]["token"]["name"] == "TheKeyToken"
