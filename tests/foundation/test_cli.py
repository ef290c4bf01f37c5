"""The CLI: help, one-line errors with exit 2 for bad input, JSON output, deploy and token commands."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_help__lists_the_command_groups(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for group in ("compile", "deploy", "node", "demo", "token"):
        assert group in out


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("route", "link-account", "--help"), "[default: $THEKEY_ACCOUNT_SECRET, hex]"),
        (("route", "publish", "--help"), "[default: the signer's own]"),
        (("consent", "grant", "--help"), "[default: now]"),
    ],
)
def test_help__keeps_the_defaults_written_in_brackets(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], shown: str
) -> None:
    """Help text is plain, not rich markup: a ``[default: …]`` is printed, not swallowed as a tag."""
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert shown in " ".join(out.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "balance", "0x1234"], "not an address"),
        (["token", "transfer", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "ten"], "not an amount"),
        (
            ["token", "transfer", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "-5"],
            "negative numbers are not accepted",
        ),
        (["token", "transfer", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "--", "-1"], "must not be negative"),
        (["token", "transfer", "0x70997970c51812dc3A010C7d01b50e0d17dc79C8", "1"], "checksum"),
        (
            ["token", "permit", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "1", "--valid-for", "soon"],
            "not a duration",
        ),
    ],
)
def test_bad_input__one_line_exit_2_before_any_connection(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_usage_error__exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "token", "balance")
    assert code == 2
    assert "Missing argument" in err


def test_no_node__one_line_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    from thekey.chain.anvil import free_port

    code, _, err = run(capsys, "token", "info", "--rpc-url", f"http://127.0.0.1:{free_port()}")
    assert code == 1
    assert err.startswith("error: no node answers at")


def test_deploy_and_token_commands__against_an_rpc_url(
    capsys: pytest.CaptureFixture[str], chain: Chain, anvil: Anvil, accounts: list[LocalAccount]
) -> None:
    code, out, _ = run(capsys, "deploy", "--rpc-url", anvil.url, "--json")
    assert code == 0
    manifest = json.loads(out)
    assert manifest["chainId"] == chain.chain_id and "token" in manifest["contracts"]

    code, out, _ = run(capsys, "deploy", "--rpc-url", anvil.url)  # the table, off a terminal
    assert code == 0 and manifest["contracts"]["credentials"]["address"] in out  # printed whole, not cut

    bob = accounts[5].address
    code, out, _ = run(capsys, "token", "transfer", bob, "1.5", "--rpc-url", anvil.url, "--json")
    assert code == 0 and json.loads(out)["gasUsed"] > 21000
    code, out, _ = run(capsys, "token", "balance", bob, "--rpc-url", anvil.url, "--json")
    assert json.loads(out)["balance"] == str(15 * 10**17)
    # a party may be named by its DID wherever an address is accepted
    code, out, _ = run(capsys, "token", "balance", f"did:ethr:0x7a69:{bob}", "--rpc-url", anvil.url, "--json")
    assert code == 0 and json.loads(out)["balance"] == str(15 * 10**17)

    code, _, err = run(capsys, "token", "mint", bob, "1", "--account", "19", "--rpc-url", anvil.url)
    assert code == 1
    assert "AccessControlUnauthorizedAccount" in err

    code, _, err = run(capsys, "token", "info", "--rpc-url", anvil.url, "--chain-id", "1")
    assert code == 2 and "chain id mismatch" in err


def test_console_script__is_installed_and_prints_version() -> None:
    out = subprocess.run([sys.executable, "-m", "thekey.cli.main", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("thekey ")


def test_unfunded_key__says_to_fund_it(chain: Chain) -> None:
    from eth_account import Account

    from thekey.errors import ChainError

    with pytest.raises(ChainError) as exc:
        chain.send_eth(chain.w3.eth.accounts[0], 1, Account.create())
    assert "too little ETH to pay for gas: fund it first" in str(exc.value)
