"""Nonces, fee policy and receipts: the parts of the one sending path that keep state or rules."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from web3.types import TxReceipt

from thekey.errors import ChainError

GWEI = 10**9


def gwei(wei: int) -> str:
    return f"{wei / GWEI:.9f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class GasPolicy:
    """EIP-1559 fee caps of a network (wei; None: no cap). The node's suggestion (twice the base
    fee plus its tip) is cut to the caps; a base fee above ``max_fee_per_gas`` refuses to sign
    rather than send a transaction that would wait unmined."""

    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None

    def fees(self, base_fee: int, tip: int) -> tuple[int, int]:
        """(maxFeePerGas, maxPriorityFeePerGas) for a block whose base fee is ``base_fee``."""
        if self.max_priority_fee_per_gas is not None:
            tip = min(tip, self.max_priority_fee_per_gas)
        max_fee = 2 * base_fee + tip
        if self.max_fee_per_gas is not None:
            if base_fee > self.max_fee_per_gas:
                raise ChainError(
                    f"the base fee is {gwei(base_fee)} gwei, above this network's cap of "
                    f"{gwei(self.max_fee_per_gas)} gwei (max_fee_gwei): nothing was sent; raise the cap or wait"
                )
            max_fee = min(max_fee, self.max_fee_per_gas)
            tip = min(tip, max_fee)
        return max_fee, tip


class NonceManager:
    """Hands out contiguous nonces per account, safe under concurrent use.

    The first nonce of an account comes from the node (``pending`` count); later ones are
    counted locally while the caller holds the account's lock, so threads sharing one key
    never collide. ``reset`` forgets an account (after a failed broadcast or a chain revert).
    """

    def __init__(self, fetch: Callable[[str], int]) -> None:
        self._fetch = fetch
        self._next: dict[str, int] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, address: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(address.lower(), threading.Lock())

    def peek(self, address: str) -> int:
        """The next nonce for ``address``; call with ``lock(address)`` held."""
        key = address.lower()
        if key not in self._next:
            self._next[key] = self._fetch(address)
        return self._next[key]

    def consume(self, address: str) -> None:
        """Mark the peeked nonce as broadcast; call with ``lock(address)`` held."""
        self._next[address.lower()] += 1

    def reset(self, address: str | None = None) -> None:
        with self._guard:
            if address is None:
                self._next.clear()
            else:
                self._next.pop(address.lower(), None)


@dataclass(frozen=True)
class Receipt:
    """A mined, successful transaction."""

    tx_hash: str
    block_number: int
    gas_used: int
    contract_address: str | None
    raw: TxReceipt = field(repr=False)

    def events(self, contract: Any, name: str) -> list[dict[str, Any]]:
        """Decoded ``name`` events that ``contract`` emitted in this transaction (args as dicts)."""
        from web3.logs import DISCARD

        event = getattr(contract.events, name)()
        return [dict(e["args"]) for e in event.process_receipt(self.raw, errors=DISCARD)]
