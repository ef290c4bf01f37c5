"""Faults of the node under the SDK: a node killed mid-flow, a node that stops mining, a
wrong chain id. Each test runs its own Anvil (the session node is never killed).

What must hold: the SDK raises a typed error (``ChainError`` / ``TransactionTimeout`` /
``ChainIdMismatch``, all ``TheKeyError``); nothing is half-applied; re-running the step
after a restart re-broadcasts the *same* signed transaction, so it lands exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount

from thekey.build import Artifacts
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.cli.main import main
from thekey.errors import BadInput, ChainError, ChainIdMismatch, TheKeyError, TransactionTimeout
from thekey.token.tky import Token

TKY = 10**18


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
