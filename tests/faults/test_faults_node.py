"""Faults of the node under the SDK: a node killed mid-flow, a node that stops mining, a
wrong chain id. Each test runs its own Anvil (the session node is never killed).

What must hold: the SDK raises a typed error (``ChainError`` / ``TransactionTimeout`` /
``ChainIdMismatch``, all ``TheKeyError``); nothing is half-applied; re-running the step
after a restart re-broadcasts the *same* signed transaction, so it lands exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from thekey.build import Artifacts
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.cli.main import main
from thekey.errors import BadInput, ChainError, ChainIdMismatch, TheKeyError, TransactionTimeout
from thekey.token.tky import Token

TKY = 10**18
ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


@pytest.fixture
def admin() -> LocalAccount:
    return dev_accounts(1)[0]


@pytest.fixture
def alice() -> LocalAccount:
    return dev_accounts(2)[1]


@pytest.fixture
def node() -> Iterator[Anvil]:
    with Anvil(accounts=3) as n:
        yield n


def _token(chain: Chain, admin: LocalAccount) -> Token:
    contract, _ = chain.deploy("TheKeyToken", admin.address, 1000 * TKY, admin.address, 100 * TKY, sender=admin)
    return Token(chain, contract.address)


def test_kill_mid_flow__typed_error_then_resume_rebroadcasts_same_tx_once(
    node: Anvil, artifacts: Artifacts, admin: LocalAccount, alice: LocalAccount
) -> None:
    chain = Chain.connect(node.url, artifacts=artifacts, receipt_timeout=10, poll_interval=0.02)
    token = _token(chain, admin)
    token.transfer(admin, alice.address, 1 * TKY)  # step 1 of the flow: done before the crash
    state = chain.rpc("anvil_dumpState")  # what survives the crash (a persisted node)
    chain.rpc("evm_setAutomine", [False])  # step 2 will be pending when the node dies

    # step 2: sign and broadcast, then the node dies while the SDK waits for the receipt
    raw, tx_hash = chain.sign(
        {
            "to": token.address,
            "data": token.contract.functions.transfer(alice.address, 2 * TKY)._encode_transaction_data(),
        },
        admin,
    )
    killer = threading.Timer(0.3, node.kill)
    killer.start()
    with pytest.raises(ChainError) as crash:
        chain.wait(tx_hash, timeout=10)
    killer.join()
    assert isinstance(crash.value, TheKeyError)
    assert "did not answer" in str(crash.value)
    with pytest.raises(ChainError):  # every call fails the same typed way while it is down
        token.balance_of(alice.address)

    # restart on the same port from the persisted state: step 1 is there, step 2 is not
    with Anvil(port=node.port, accounts=3) as restarted:
        chain.rpc("anvil_loadState", [state])
        assert token.balance_of(alice.address) == 1 * TKY, "nothing half-applied"
        nonce_before = int(chain.rpc("eth_getTransactionCount", [admin.address, "latest"]), 16)

        # re-run step 2: re-broadcast the very same signed transaction (twice: idempotent)
        assert chain.broadcast(raw) == tx_hash
        assert chain.broadcast(raw) == tx_hash  # "already known" is not an error
        receipt = chain.wait(tx_hash)
        assert receipt.tx_hash == tx_hash
        # and once more after it is mined ("nonce too low" but ours): still no duplicate
        assert chain.broadcast(raw) == tx_hash
        assert token.balance_of(alice.address) == 3 * TKY
        assert int(chain.rpc("eth_getTransactionCount", [admin.address, "latest"]), 16) == nonce_before + 1
        assert restarted.running


def test_node_that_stops_mining__receipt_wait_times_out_with_a_clear_error(
    artifacts: Artifacts, admin: LocalAccount, alice: LocalAccount
) -> None:
    with Anvil(accounts=3) as n:
        chain = Chain.connect(n.url, artifacts=artifacts, receipt_timeout=0.5, poll_interval=0.02)
        token = _token(chain, admin)
        chain.rpc("evm_setAutomine", [False])  # the node accepts transactions but mines none
        before = chain.block_number()
        with pytest.raises(TransactionTimeout) as timeout:
            token.transfer(admin, alice.address, TKY)
        err = timeout.value
        assert isinstance(err, ChainError)
        assert f"transaction {err.tx_hash} not mined within 0.5s" == str(err)
        assert err.raw_transaction is not None
        assert chain.block_number() == before and token.balance_of(alice.address) == 0
        # the caller can resume with the same signed transaction once mining is back
        assert chain.broadcast(err.raw_transaction) == err.tx_hash
        chain.mine()
        assert chain.wait(err.tx_hash).tx_hash == err.tx_hash
        assert token.balance_of(alice.address) == TKY


def test_node_down__connect_and_rpc_raise_chain_error(artifacts: Artifacts) -> None:
    with Anvil(accounts=1) as n:
        url = n.url
    with pytest.raises(ChainError, match="cannot reach the node"):
        Chain.connect(url, artifacts=artifacts)


def test_wrong_chain_id__refused_before_signing(node: Anvil, artifacts: Artifacts, admin: LocalAccount) -> None:
    with pytest.raises(ChainIdMismatch) as mismatch:
        Chain.connect(node.url, expected_chain_id=1, artifacts=artifacts)
    assert isinstance(mismatch.value, BadInput)
    assert (mismatch.value.expected, mismatch.value.actual) == (1, node.chain_id)
    chain = Chain.connect(node.url, artifacts=artifacts)
    assert int(chain.rpc("eth_getTransactionCount", [admin.address, "pending"]), 16) == 0


def test_wrong_chain_id__cli_exits_2_and_sends_nothing(
    node: Anvil, artifacts: Artifacts, alice: LocalAccount, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = Chain.connect(node.url, artifacts=artifacts)
    block = chain.block_number()
    code = main(["token", "transfer", alice.address, "1", "--rpc-url", node.url, "--chain-id", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0 and "chain id mismatch" in err and "Traceback" not in err
    assert chain.block_number() == block


def test_threads__1000_transactions_from_8_threads_through_one_account_have_contiguous_nonces(
    chain: Chain, accounts: list[LocalAccount]
) -> None:
    sender, to = accounts[17], accounts[16].address
    start = int(chain.rpc("eth_getTransactionCount", [sender.address, "latest"]), 16)
    hashes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        try:
            for _ in range(n):
                _raw, tx_hash = chain.sign({"to": to, "value": 1, "gas": 21_000}, sender)
                with lock:
                    hashes.append(tx_hash)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(125,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert len(hashes) == len(set(hashes)) == 1000
    nonces = sorted(int(chain.w3.eth.get_transaction(h)["nonce"]) for h in hashes)
    assert nonces == list(range(start, start + 1000)), "nonces contiguous, none lost or duplicated"
    for h in hashes[-8:]:
        chain.wait(h)
    assert int(chain.rpc("eth_getTransactionCount", [sender.address, "latest"]), 16) == start + 1000


# -- the CLI tells the truth about the node --------------------------------------------------


def test_frozen_node__a_command_fails_within_the_rpc_timeout_naming_the_endpoint(node: Anvil) -> None:
    """SIGSTOP: the kernel still accepts the connection, nobody answers. Without a bound (and
    with web3's retries) a command hung 153 s; with one it fails in one line after the bound."""
    import os
    import signal
    import subprocess
    import sys

    assert node._proc is not None
    os.kill(node._proc.pid, signal.SIGSTOP)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "thekey.cli.main", "--rpc-timeout", "1", "token", "info", "--rpc-url", node.url],
            capture_output=True,
            text=True,
            timeout=30,  # the bound under test is 1 s; 30 s means it hung
        )
        env_bound = subprocess.run(
            [sys.executable, "-m", "thekey.cli.main", "token", "balance", ADMIN, "--rpc-url", node.url],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "THEKEY_RPC_TIMEOUT": "1.5"},
        )
    finally:
        os.kill(node._proc.pid, signal.SIGCONT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"error: eth_chainId: the node at {node.url} did not answer within 1s (frozen or overloaded?; "
        "raise the bound with --rpc-timeout or THEKEY_RPC_TIMEOUT)"
    )
    assert env_bound.returncode == 1 and f"{node.url} did not answer within 1.5s" in env_bound.stderr


def test_frozen_node__the_sdk_raises_node_timeout(node: Anvil, artifacts: Artifacts) -> None:
    import os
    import signal

    from thekey.errors import NodeTimeout

    chain = Chain.connect(node.url, artifacts=artifacts, rpc_timeout=0.5)
    assert node._proc is not None
    os.kill(node._proc.pid, signal.SIGSTOP)
    try:
        with pytest.raises(NodeTimeout, match=r"eth_blockNumber: the node at .* did not answer within 0.5s"):
            chain.block_number()
    finally:
        os.kill(node._proc.pid, signal.SIGCONT)
    assert chain.block_number() >= 0  # and it answers again once thawed


def test_node_killed_during_deploy__one_line_exit_1(
    node: Anvil, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    """The node dies right after the first contract is deployed, while the suite is being wired
    (a role check): before, ~150 lines of `requests` traceback."""
    import thekey.deploy as deploy_module

    real_deploy = Chain.deploy

    def deploy_then_die(self: Chain, *args: Any, **kwargs: Any) -> Any:
        result = real_deploy(self, *args, **kwargs)
        node.kill()
        return result

    monkeypatch.setattr(Chain, "deploy", deploy_then_die)
    real_path = deploy_module.manifest_path
    monkeypatch.setattr(deploy_module, "manifest_path", lambda chain, f=None: real_path(chain, f or tmp_path))
    code = main(["deploy", "--rpc-url", node.url])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1 and "the node did not answer" in err


def test_cli_node__a_taken_port_is_one_line_exit_1_not_the_other_nodes_suite(
    node: Anvil, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["node", "--port", str(node.port)])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == f"error: port {node.port} is already in use on 127.0.0.1 (another node?): pick another port"
    assert "Anvil listening" not in out and "Press Ctrl-C" not in out
    assert node.running  # the other node is untouched


def test_cli_node__its_anvil_dying_is_exit_1_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    import types

    import thekey.cli.chain as cli_chain
    import thekey.deploy as deploy_module

    started: list[Anvil] = []

    class Recorded(Anvil):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            started.append(self)

    def kill_the_node(_seconds: float) -> None:
        assert started[0]._proc is not None
        started[0]._proc.kill()  # dies under `thekey node`, which is waiting for Ctrl-C
        started[0]._proc.wait()

    real_path = deploy_module.manifest_path
    monkeypatch.setattr(deploy_module, "manifest_path", lambda chain, f=None: real_path(chain, f or tmp_path))
    monkeypatch.setattr(cli_chain, "Anvil", Recorded)
    monkeypatch.setattr(cli_chain, "time", types.SimpleNamespace(sleep=kill_the_node))
    from thekey.chain.anvil import free_port

    code = main(["--quiet", "node", "--port", str(free_port()), "--chain-id", "31339"])
    out, err = capsys.readouterr()
    assert "Press Ctrl-C to stop." in out
    assert code == 1 and len(err.strip().splitlines()) == 1  # --quiet: no progress lines, the error alone
    assert "stopped unexpectedly (exit status -9)" in err and "Traceback" not in err
