"""``Chain``: one connection to a node and the one path for calls and transactions.

Every transaction is signed locally (EIP-1559), nonce-managed, gas-estimated (a revert at
estimation is raised before anything is broadcast), and awaited with a timeout; reverts
surface as :class:`~thekey.errors.ContractRevert` with the decoded custom error.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import Any, cast

import requests
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TimeExhausted, Web3Exception
from web3.types import RPCEndpoint, TxParams, TxReceipt

from thekey.build.artifacts import Artifacts, load_artifacts
from thekey.chain.revert import ErrorDecoder
from thekey.chain.transactions import GasPolicy, NonceManager, Receipt
from thekey.config import LOCAL_CHAIN_ID
from thekey.errors import (
    BadInput,
    ChainError,
    ChainIdMismatch,
    ContractRevert,
    InsufficientFunds,
    NodeTimeout,
    TransactionTimeout,
)
from thekey.hashing import keccak, to_checksum_address

GAS_MARGIN = 1.25
#: Seconds to wait for any one answer of the node, unless ``THEKEY_RPC_TIMEOUT`` or the caller says otherwise.
DEFAULT_RPC_TIMEOUT = 10.0
RPC_TIMEOUT_ENV = "THEKEY_RPC_TIMEOUT"


def rpc_timeout_from_env() -> float:
    """``THEKEY_RPC_TIMEOUT`` in seconds, else :data:`DEFAULT_RPC_TIMEOUT`."""
    text = os.environ.get(RPC_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_RPC_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 86_400:
        raise BadInput(f"{RPC_TIMEOUT_ENV}={text!r} is not a number of seconds (e.g. 10 or 2.5)")
    return value


def _revert_data(error: Any) -> bytes | None:
    """Revert data out of a JSON-RPC error object or a web3 exception, if present."""
    data = error.get("data") if isinstance(error, dict) else getattr(error, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    if isinstance(data, str) and data.startswith("0x"):
        return bytes.fromhex(data[2:])
    return None


#: seconds a receipt may take before ``Chain.on_slow_wait`` is shown
SLOW_WAIT = 1.0


@contextmanager
def _after(delay: float, show: Callable[[str], AbstractContextManager[object]] | None, what: str) -> Iterator[None]:
    """Run the block; if it lasts longer than ``delay``, enter ``show(what)`` until it ends."""
    if show is None:
        yield
        return
    lock = threading.Lock()
    shown: list[AbstractContextManager[object]] = []
    done = False

    def start() -> None:
        with lock:
            if not done:
                shown.append(show(what))
                shown[0].__enter__()

    timer = threading.Timer(delay, start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            done = True
            if shown:
                shown[0].__exit__(None, None, None)


class Chain:
    """A connected node, the build's artifacts, and the transaction path."""

    def __init__(
        self,
        w3: Web3,
        *,
        expected_chain_id: int | None = None,
        artifacts: Artifacts | None = None,
        receipt_timeout: float = 120.0,
        poll_interval: float = 0.05,
        rpc_timeout: float | None = None,
        confirmations: int = 1,
        gas_policy: GasPolicy | None = None,
    ) -> None:
        if confirmations < 1:
            raise BadInput(f"confirmations is at least 1 (the block that mines the transaction), not {confirmations}")
        self.w3 = w3
        #: seconds each JSON-RPC request may take (``None``: whatever the caller's provider does)
        self.rpc_timeout = rpc_timeout
        #: where the node is (named in every error about it)
        self.endpoint = str(getattr(w3.provider, "endpoint_uri", None) or "the node")
        try:
            self.chain_id = int(w3.eth.chain_id)
        except requests.Timeout as exc:
            raise self._unreachable("eth_chainId", exc) from None
        except (requests.RequestException, Web3Exception, OSError) as exc:
            raise ChainError(f"cannot reach the node: {exc}") from None
        if expected_chain_id is not None and self.chain_id != expected_chain_id:
            raise ChainIdMismatch(expected_chain_id, self.chain_id)
        self._artifacts = artifacts
        self.receipt_timeout = receipt_timeout
        self.poll_interval = poll_interval
        #: blocks a receipt must be deep (its own block counts) before ``wait`` returns it
        self.confirmations = confirmations
        self.gas_policy = gas_policy or GasPolicy()
        #: shown while a receipt takes longer than SLOW_WAIT seconds (the CLI's spinner); None: nothing
        self.on_slow_wait: Callable[[str], AbstractContextManager[object]] | None = None
        self.nonces = NonceManager(lambda a: int(self.rpc("eth_getTransactionCount", [a, "pending"]), 16))

    @classmethod
    def connect(
        cls, rpc_url: str, *, expected_chain_id: int | None = None, rpc_timeout: float | None = None, **kwargs: Any
    ) -> Chain:
        """Connect over HTTP(S). Each JSON-RPC request waits at most ``rpc_timeout`` seconds
        (default ``THEKEY_RPC_TIMEOUT``, else 10) and is not retried: a frozen node fails fast."""
        if not rpc_url.startswith(("http://", "https://")):
            raise BadInput(f"not an HTTP(S) JSON-RPC URL: {rpc_url!r}")
        timeout = rpc_timeout if rpc_timeout is not None else rpc_timeout_from_env()
        # An endpoint's chain id never changes: cache it, or web3's validation middleware asks the
        # node for it twice before every eth_call (three round trips for one contract read).
        provider = Web3.HTTPProvider(
            rpc_url,
            request_kwargs={"timeout": timeout},
            exception_retry_configuration=None,
            cache_allowed_requests=True,
            cacheable_requests={RPCEndpoint("eth_chainId")},
        )
        return cls(Web3(provider), expected_chain_id=expected_chain_id, rpc_timeout=timeout, **kwargs)

    def _unreachable(self, what: str, exc: BaseException) -> ChainError:
        """The typed error for a request the node did not answer: a timeout names its bound."""
        if isinstance(exc, requests.Timeout):
            bound = f" within {self.rpc_timeout:g}s" if self.rpc_timeout is not None else " in time"
            return NodeTimeout(
                f"{what}: the node at {self.endpoint} did not answer{bound} (frozen or overloaded?; "
                f"raise the bound with --rpc-timeout or {RPC_TIMEOUT_ENV})"
            )
        return ChainError(f"{what} failed: the node did not answer ({type(exc).__name__})")

    # -- what is on the other side -------------------------------------------------------

    @cached_property
    def client_version(self) -> str:
        return str(self.rpc("web3_clientVersion"))

    @cached_property
    def genesis_hash(self) -> str:
        """The hash of block 0: with the chain id, what tells two chains apart (two local nodes
        both say chain 31337; their genesis blocks differ)."""
        block = self.rpc("eth_getBlockByNumber", ["0x0", False])
        if not block or not block.get("hash"):
            raise ChainError("the node does not return its genesis block")
        return str(block["hash"])

    @property
    def chain_key(self) -> str:
        """``<chainId>-<first 8 bytes of the genesis hash>``: names per-chain files (manifests, indexes)."""
        return f"{self.chain_id}-{self.genesis_hash[2:18]}"

    @property
    def is_local(self) -> bool:
        """A development node (Anvil) whose dev accounts may sign."""
        return self.chain_id == LOCAL_CHAIN_ID or self.client_version.lower().startswith("anvil")

    @property
    def artifacts(self) -> Artifacts:
        if self._artifacts is None:
            self._artifacts = load_artifacts()
        return self._artifacts

    @cached_property
    def decoder(self) -> ErrorDecoder:
        return ErrorDecoder(self.artifacts.all_abi_items, self.artifacts.enums)

    # -- raw JSON-RPC ---------------------------------------------------------------------

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        """A raw JSON-RPC request. A revert becomes ContractRevert; other errors ChainError."""
        try:
            response = self.w3.provider.make_request(RPCEndpoint(method), params or [])
        except (requests.RequestException, Web3Exception, OSError) as exc:
            raise self._unreachable(method, exc) from exc
        if "error" in response:
            error = response["error"]
            data = _revert_data(error)
            if data is not None or "revert" in str(error.get("message", "")).lower():
                raise self.decoder.decode(data or b"")
            message = str(error.get("message", error))
            if "insufficient funds" in message.lower():
                raise InsufficientFunds(f"{method}: {message}")
            raise ChainError(f"{method}: {message}")
        return response["result"]

    # -- contracts ------------------------------------------------------------------------

    def contract(self, name: str, address: str) -> Contract:
        """A web3 contract object for the compiled contract ``name`` at ``address``."""
        return self.w3.eth.contract(address=to_checksum_address(address), abi=self.artifacts.get(name).abi)

    def call(self, fn: ContractFunction, block: int | str = "latest") -> Any:
        """Call a view (or simulate a function); reverts raise the decoded ContractRevert."""
        try:
            return fn.call(block_identifier=cast(Any, block))
        except ContractLogicError as exc:
            raise self.decoder.decode(_revert_data(exc) or b"") from None
        except (requests.RequestException, OSError) as exc:
            raise self._unreachable("call", exc) from exc

    def deploy(self, name: str, *args: Any, sender: LocalAccount) -> tuple[Contract, Receipt]:
        artifact = self.artifacts.get(name)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        data = factory.constructor(*args).data_in_transaction
        receipt = self.send_raw({"data": data}, sender)
        if receipt.contract_address is None:
            raise ChainError(f"deploying {name} produced no contract address")
        return self.contract(name, receipt.contract_address), receipt

    def transact(self, fn: ContractFunction, sender: LocalAccount, *, value: int = 0) -> Receipt:
        """Send ``fn`` as a transaction signed by ``sender`` and wait for its receipt."""
        data = fn._encode_transaction_data()
        return self.send_raw(cast(TxParams, {"to": fn.address, "data": data, "value": value}), sender)

    # -- the one sending path -------------------------------------------------------------

    def _fees(self) -> tuple[int, int]:
        block = self.rpc("eth_getBlockByNumber", ["latest", False])
        base = int(block.get("baseFeePerGas", "0x0"), 16)
        try:
            tip = int(self.rpc("eth_maxPriorityFeePerGas"), 16)
        except ChainError:
            tip = 10**9
        return self.gas_policy.fees(base, tip)

    def sign(self, tx: TxParams, sender: LocalAccount) -> tuple[bytes, str]:
        """Estimate, fill in fees and nonce, and sign; consumes the nonce. Returns (raw, hash).

        Estimation runs first, so a call that would revert raises ContractRevert and uses no nonce.
        """
        try:
            return self._sign(tx, sender)
        except InsufficientFunds as exc:
            raise InsufficientFunds(
                f"the sending account {sender.address} has too little ETH to pay for gas: fund it first ({exc})",
                account=sender.address,
                local=self.is_local,
            ) from None

    def _sign(self, tx: TxParams, sender: LocalAccount) -> tuple[bytes, str]:
        fields: dict[str, Any] = dict(tx)
        fields.setdefault("value", 0)
        fields["from"] = sender.address
        fields["chainId"] = self.chain_id
        estimate_params = {k: (hex(v) if isinstance(v, int) else v) for k, v in fields.items() if k != "chainId"}
        if "gas" not in fields:
            fields["gas"] = int(int(self.rpc("eth_estimateGas", [estimate_params]), 16) * GAS_MARGIN)
        max_fee, tip = self._fees()
        fields.setdefault("maxFeePerGas", max_fee)
        fields.setdefault("maxPriorityFeePerGas", tip)
        fields["type"] = 2
        lock = self.nonces.lock(sender.address)
        with lock:
            fields["nonce"] = self.nonces.peek(sender.address)
            signed = sender.sign_transaction(fields)
            raw = bytes(signed.raw_transaction)
            tx_hash = self.broadcast(raw, sender.address)
            self.nonces.consume(sender.address)
        return raw, tx_hash

    def broadcast(self, raw: bytes, sender: str | None = None) -> str:
        """Send a signed transaction. Re-sending one the node already has is not an error."""
        tx_hash = "0x" + keccak(raw).hex()
        try:
            self.rpc("eth_sendRawTransaction", ["0x" + raw.hex()])
        except ChainError as exc:
            msg = str(exc).lower()
            if "already known" in msg or "already imported" in msg:
                return tx_hash
            if "nonce too low" in msg and self.receipt_or_none(tx_hash) is not None:
                return tx_hash
            if sender is not None:
                self.nonces.reset(sender)
            raise
        return tx_hash

    def receipt_or_none(self, tx_hash: str) -> dict[str, Any] | None:
        result = self.rpc("eth_getTransactionReceipt", [tx_hash])
        return cast(dict[str, Any] | None, result)

    def wait(self, tx_hash: str, *, timeout: float | None = None, raw: bytes | None = None) -> Receipt:
        """Wait for ``tx_hash`` to be mined and ``confirmations`` deep; raise TransactionTimeout or
        the decoded revert. A receipt that moves to another block meanwhile (a reorg) is waited for
        again."""
        timeout = self.receipt_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        with _after(SLOW_WAIT, self.on_slow_wait, tx_hash):
            receipt = self._confirmed(tx_hash, deadline, timeout, raw)
        address = receipt.get("contractAddress")
        return Receipt(
            tx_hash=tx_hash,
            block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            contract_address=to_checksum_address(address) if address else None,
            raw=receipt,
        )

    def _confirmed(self, tx_hash: str, deadline: float, timeout: float, raw: bytes | None) -> TxReceipt:
        receipt = self._mined(tx_hash, deadline, timeout, raw)
        while self.confirmations > 1:
            if self.block_number() >= int(receipt["blockNumber"]) + self.confirmations - 1:
                again = self.receipt_or_none(tx_hash)
                if again is not None and again["blockHash"] == HexBytes(receipt["blockHash"]).to_0x_hex():
                    break
                receipt = self._mined(tx_hash, deadline, timeout, raw)
                continue
            if time.monotonic() >= deadline:
                raise TransactionTimeout(tx_hash, timeout, raw)
            time.sleep(self.poll_interval)
        return receipt

    def _mined(self, tx_hash: str, deadline: float, timeout: float, raw: bytes | None) -> TxReceipt:
        """The receipt once the transaction is in a block; its revert decoded if it failed."""
        while True:
            try:
                receipt = self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
                break
            except TimeExhausted:
                pass
            except Web3Exception as exc:
                if "not found" not in str(exc).lower():
                    raise ChainError(f"waiting for {tx_hash}: {exc}") from exc
            except (requests.RequestException, OSError) as exc:
                raise self._unreachable(f"waiting for {tx_hash}", exc) from exc
            if time.monotonic() >= deadline:
                raise TransactionTimeout(tx_hash, timeout, raw)
            time.sleep(self.poll_interval)
        if receipt["status"] != 1:
            raise self._replay_failure(tx_hash, receipt)
        return receipt

    def _replay_failure(self, tx_hash: str, receipt: Any) -> ContractRevert:
        tx = self.w3.eth.get_transaction(HexBytes(tx_hash))
        params = {"from": tx["from"], "to": tx.get("to"), "data": HexBytes(tx["input"]).to_0x_hex(),
                  "value": hex(tx["value"]), "gas": hex(tx["gas"])}  # fmt: skip
        try:
            self.rpc("eth_call", [params, hex(int(receipt["blockNumber"]) - 1)])
        except ContractRevert as revert:
            revert.tx_hash = tx_hash
            return revert
        return ContractRevert(None, tx_hash=tx_hash)

    def send_raw(self, tx: TxParams, sender: LocalAccount, *, timeout: float | None = None) -> Receipt:
        raw, tx_hash = self.sign(tx, sender)
        return self.wait(tx_hash, timeout=timeout, raw=raw)

    def send_eth(self, to: str, value: int, sender: LocalAccount) -> Receipt:
        return self.send_raw(cast(TxParams, {"to": to_checksum_address(to), "value": value}), sender)

    # -- time and state (development nodes) ----------------------------------------------

    def timestamp(self, block: int | str = "latest") -> int:
        return int(
            self.rpc("eth_getBlockByNumber", [block if isinstance(block, str) else hex(block), False])["timestamp"], 16
        )

    def now(self) -> int:
        """The time a deadline or a validity counts from: the wall clock, or the latest block's
        timestamp when the node is ahead of it (a development chain moved forward). An idle dev
        chain's latest block can be hours old; counting from it would make signatures born expired."""
        return max(int(time.time()), self.timestamp())

    def block_number(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def snapshot(self) -> str:
        return str(self.rpc("evm_snapshot"))

    def revert_to(self, snapshot_id: str) -> None:
        if not self.rpc("evm_revert", [snapshot_id]):
            raise ChainError(f"evm_revert to {snapshot_id} failed")
        self.nonces.reset()

    def increase_time(self, seconds: int) -> None:
        self.rpc("evm_increaseTime", [seconds])
        self.mine()

    def set_next_block_timestamp(self, timestamp: int) -> None:
        self.rpc("anvil_setNextBlockTimestamp", [timestamp])

    def mine(self, blocks: int = 1) -> None:
        self.rpc("anvil_mine", [hex(blocks)])
