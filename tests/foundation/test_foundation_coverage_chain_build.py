"""Failure paths of the one sending path and of the toolchain: a mined revert is replayed into its
decoded error, a re-broadcast of a mined transaction is not a second transaction, a dead node is
a ChainError, a failed snapshot revert is reported; Anvil and solc are found where documented."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

import thekey.build.solc as solc_module
from thekey.build.solc import SHIM_MARKER, ensure_solc
from thekey.chain import Anvil, Chain
from thekey.chain.anvil import anvil_binary, free_port
from thekey.chain.connection import _revert_data
from thekey.config import compiler_settings
from thekey.deploy import TKY, Deployment
from thekey.errors import BadInput, ChainError, ConfigError, ContractRevert
from thekey.token.tky import Token

VERSION = compiler_settings().version


# ---------------------------------------------------------------------------- connection


def test_connect__refuses_a_non_http_url() -> None:
    with pytest.raises(BadInput, match="not an HTTP"):
        Chain.connect("ws://127.0.0.1:8545")


def test_client_version__names_anvil(chain: Chain) -> None:
    assert chain.client_version.lower().startswith("anvil/")
    assert chain.is_local


def test_mined_revert__is_replayed_into_the_decoded_custom_error(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    token = Token.from_deployment(deployment)
    poor = accounts[18]
    fn = token.contract.functions.transfer(accounts[1].address, 10**30)
    # an explicit gas limit skips estimation, so the transaction is mined and fails on chain
    tx = {"to": token.address, "data": fn._encode_transaction_data(), "gas": 100_000}
    block = chain.block_number()
    with pytest.raises(ContractRevert) as info:
        chain.send_raw(tx, poor)  # type: ignore[arg-type]
    assert info.value.name == "ERC20InsufficientBalance"
    assert info.value.arguments["sender"] == poor.address
    assert info.value.tx_hash is not None and info.value.tx_hash.startswith("0x")
    assert chain.block_number() == block + 1  # it was mined (and paid for)


def test_rebroadcast_of_a_mined_transaction__returns_its_hash_without_a_second_transaction(
    chain: Chain, deployment: Deployment, accounts: list[LocalAccount]
) -> None:
    sender = accounts[17]
    raw, tx_hash = chain.sign({"to": accounts[1].address, "value": 1}, sender)  # type: ignore[typeddict-item]
    chain.wait(tx_hash)
    nonce, block = chain.rpc("eth_getTransactionCount", [sender.address, "latest"]), chain.block_number()
    assert chain.broadcast(raw, sender.address) == tx_hash  # the node says "nonce too low": already mined
    assert chain.rpc("eth_getTransactionCount", [sender.address, "latest"]) == nonce
    assert chain.block_number() == block


def test_broadcast__a_rejected_transaction_raises_and_resets_the_sender_nonce(
    chain: Chain, accounts: list[LocalAccount]
) -> None:
    sender = accounts[17]
    for _ in range(2):  # the local counter runs ahead of the node
        chain.nonces.peek(sender.address)
        chain.nonces.consume(sender.address)
    with pytest.raises(ChainError, match="eth_sendRawTransaction"):
        chain.broadcast(b"\x02\x00", sender.address)
    expected = int(chain.rpc("eth_getTransactionCount", [sender.address, "pending"]), 16)
    assert chain.nonces.peek(sender.address) == expected


def test_revert_to__an_unknown_snapshot_is_a_chain_error(chain: Chain) -> None:
    with pytest.raises(ChainError, match="evm_revert to 0x4242 failed"):
        chain.revert_to("0x4242")


def test_rpc__a_dead_node_is_a_chain_error_naming_the_method(artifacts: object) -> None:
    with Anvil(accounts=1) as node:
        chain = Chain.connect(node.url, receipt_timeout=2)
        assert chain.block_number() == 0
    with pytest.raises(ChainError, match="eth_blockNumber failed: the node did not answer"):
        chain.block_number()


def test_revert_data__nested_and_missing_forms() -> None:
    assert _revert_data({"data": {"data": "0x1234"}}) == b"\x12\x34"
    assert _revert_data({"data": "0xab"}) == b"\xab"
    assert _revert_data({"message": "boom"}) is None
    assert _revert_data({"data": {"message": "no hex"}}) is None


def test_token_amounts__tky_is_18_decimals() -> None:
    assert TKY == 10**18


# ---------------------------------------------------------------------------- anvil


def test_anvil_binary__env_override_then_package_then_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("THEKEY_ANVIL", "/opt/custom/anvil")
    assert anvil_binary() == Path("/opt/custom/anvil")
    monkeypatch.delenv("THEKEY_ANVIL")
    assert anvil_binary().is_file() and "@foundry-rs" in str(anvil_binary())
    monkeypatch.setattr("thekey.chain.anvil.platform.machine", lambda: "sparc")
    fake = tmp_path / "anvil"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert anvil_binary() == fake
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.foundry/bin/anvil either
    with pytest.raises(ConfigError, match=r"^no Anvil binary found: `npm install @foundry-rs/anvil`") as caught:
        anvil_binary()
    assert "\n" not in str(caught.value) and "--rpc-url" in str(caught.value)


def test_anvil__exits_during_startup_with_its_log(tmp_path: Path) -> None:
    with pytest.raises(ChainError, match="anvil exited during startup"):
        Anvil(accounts=1, extra_args=["--no-such-flag"])


def test_anvil__interval_mining_and_log(tmp_path: Path) -> None:
    with Anvil(accounts=1, block_time=1) as node:
        assert node.running
        assert "Listening on" in node.log()
    assert not node.running
    node.log_path.unlink()
    assert node.log() == ""


def test_anvil__silent_port_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setattr("thekey.chain.anvil._rpc", lambda url, method: (_ for _ in ()).throw(OSError("refused")))
    with pytest.raises(ChainError, match=f"did not answer on http://127.0.0.1:{port} within 0.3s"):
        Anvil(port=port, accounts=1, startup_timeout=0.3)


# ---------------------------------------------------------------------------- solc


def _fake_solc(path: Path, version: str) -> Path:
    path.write_text(f"#!/bin/sh\necho 'solc, the solidity compiler'\necho 'Version: {version}+commit.0.Linux.g++'\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def solcx_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "solcx"
    monkeypatch.setattr(solc_module.solcx, "get_solcx_install_folder", lambda: folder)
    return folder


def _which_with(monkeypatch: pytest.MonkeyPatch, solc: Path | None, node: str | None = "real") -> None:
    real = shutil.which

    def which(name: str) -> str | None:
        if name == "solc":
            return None if solc is None else str(solc)
        if name == "node":
            return real("node") if node == "real" else node
        return real(name)

    monkeypatch.setattr(solc_module.shutil, "which", which)


def test_ensure_solc__a_native_solc_on_path_is_preferred_and_then_kept(
    solcx_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    native = _fake_solc(tmp_path / "solc", VERSION)
    _which_with(monkeypatch, native)
    solcx_folder.mkdir()
    (solcx_folder / f"solc-v{VERSION}").write_text(f"#!/bin/sh\n{SHIM_MARKER}\n")  # an old launcher is replaced
    target = ensure_solc()
    assert target.is_symlink() and target.resolve() == native.resolve()
    _which_with(monkeypatch, None)
    assert ensure_solc() == target  # already registered native compiler: kept as it is


def test_ensure_solc__native_of_another_version_is_ignored_and_the_launcher_written(
    solcx_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _which_with(monkeypatch, _fake_solc(tmp_path / "solc", "0.4.26"))
    target = ensure_solc()
    text = target.read_text()
    assert SHIM_MARKER in text and "solc_native.cjs" in text and os.access(target, os.X_OK)
    mtime = target.stat().st_mtime_ns
    assert ensure_solc() == target and target.stat().st_mtime_ns == mtime  # up to date: not rewritten


def test_ensure_solc__no_node_is_a_config_error(solcx_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _which_with(monkeypatch, None, node=None)
    with pytest.raises(ConfigError, match="node is not on PATH"):
        ensure_solc()


def test_ensure_solc__missing_solc_js_is_a_config_error(
    solcx_folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _which_with(monkeypatch, None)
    monkeypatch.setattr(solc_module, "project_root", lambda: tmp_path)
    with pytest.raises(ConfigError, match="solc-js is missing"):
        ensure_solc()


def test_ensure_solc__a_launcher_reporting_another_version_is_a_config_error(
    solcx_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _which_with(monkeypatch, None)
    monkeypatch.setattr(solc_module, "_reports_version", lambda exe, version: False)
    with pytest.raises(ConfigError, match=r"does not report version 0\.8\.1"):
        ensure_solc("0.8.1")


def test_reports_version__an_unrunnable_file_is_not_a_compiler(tmp_path: Path) -> None:
    path = tmp_path / "solc"
    path.write_text("not executable")
    assert solc_module._reports_version(path, VERSION) is False
    assert solc_module._is_shim(tmp_path / "missing") is False
