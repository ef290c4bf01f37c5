"""The chain layer: chain-id guard, revert decoding, nonces under concurrency, timeouts, Anvil lifecycle."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract

from thekey.build import Artifacts
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.errors import ChainError, ChainIdMismatch, ContractRevert, TransactionTimeout


@pytest.fixture
def harness(chain: Chain, deployer: LocalAccount) -> Contract:
    contract, _ = chain.deploy("RevertHarness", sender=deployer)
    return contract


def test_connect__refuses_a_chain_id_mismatch_before_signing(anvil: Anvil) -> None:
    with pytest.raises(ChainIdMismatch) as exc:
        Chain.connect(anvil.url, expected_chain_id=1)
    assert (exc.value.expected, exc.value.actual) == (1, anvil.chain_id)
    assert isinstance(exc.value, ValueError)


def test_connect__unreachable_node_raises_chain_error() -> None:
    from thekey.chain.anvil import free_port

    with pytest.raises(ChainError):
        Chain.connect(f"http://127.0.0.1:{free_port()}")


def test_revert__custom_error_decoded_with_named_arguments(
    chain: Chain, harness: Contract, accounts: list[LocalAccount]
) -> None:
    with pytest.raises(ContractRevert) as exc:
        chain.transact(harness.functions.failWithCustomError(42), accounts[3])
    assert exc.value.name == "HarnessFailed"
    assert exc.value.arguments == {"who": accounts[3].address, "amount": 42, "tag": keccak(text="tag")}
    assert "HarnessFailed(who=" in str(exc.value)


def test_revert__error_string_and_panic_are_decoded(chain: Chain, harness: Contract) -> None:
    with pytest.raises(ContractRevert) as exc:
        chain.call(harness.functions.failWithMessage())
    assert (exc.value.name, exc.value.arguments) == ("Error", {"message": "harness: plain message"})
    with pytest.raises(ContractRevert) as exc:
        chain.call(harness.functions.failWithPanic(0))
    assert exc.value.name == "Panic"
    assert exc.value.arguments["code"] == 0x12
    assert exc.value.arguments["reason"] == "division or modulo by zero"


def test_revert__unknown_selector_keeps_the_raw_data(chain: Chain, harness: Contract, deployer: LocalAccount) -> None:
    with pytest.raises(ContractRevert) as exc:
        chain.transact(harness.functions.failWithUnknownData(), deployer)
    assert exc.value.name is None
    assert exc.value.data == bytes.fromhex("deadbeef")


def test_revert__at_estimation_consumes_no_nonce(chain: Chain, harness: Contract, deployer: LocalAccount) -> None:
    before = chain.w3.eth.get_transaction_count(deployer.address)
    with pytest.raises(ContractRevert):
        chain.transact(harness.functions.failWithCustomError(1), deployer)
    chain.transact(harness.functions.increment(), deployer)
    assert chain.w3.eth.get_transaction_count(deployer.address) == before + 1


def test_nonces__concurrent_senders_on_one_account_get_contiguous_nonces(
    chain: Chain, harness: Contract, accounts: list[LocalAccount]
) -> None:
    sender = accounts[4]
    start = chain.w3.eth.get_transaction_count(sender.address)
    with ThreadPoolExecutor(max_workers=8) as pool:
        receipts = list(pool.map(lambda _: chain.transact(harness.functions.increment(), sender), range(80)))
    nonces = sorted(chain.w3.eth.get_transaction(r.tx_hash)["nonce"] for r in receipts)
    assert nonces == list(range(start, start + 80))
    assert chain.call(harness.functions.counter()) == 80


def test_wait__times_out_on_a_node_that_does_not_mine(artifacts: Artifacts) -> None:
    with Anvil(extra_args=["--no-mining"]) as node:
        chain = Chain.connect(node.url, artifacts=artifacts, receipt_timeout=0.5)
        alice, bob = dev_accounts(2)
        with pytest.raises(TransactionTimeout) as exc:
            chain.send_eth(bob.address, 1, alice)
        assert exc.value.raw_transaction
        # re-broadcasting the very same signed transaction is not an error and adds nothing
        assert chain.broadcast(exc.value.raw_transaction) == exc.value.tx_hash
        chain.mine()
        assert chain.wait(exc.value.tx_hash).block_number == 1


def test_anvil__stop_leaves_no_process() -> None:
    node = Anvil()
    pid = node._proc.pid if node._proc else -1
    node.stop()
    assert not node.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
