"""The exception hierarchy of the SDK.

Every error the SDK raises derives from :class:`TheKeyError`. Errors about the caller's
input also derive from :class:`ValueError` (``BadInput``) so that ordinary Python code that
already catches ``ValueError`` keeps working; the CLI turns them into one line and exit 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TheKeyError(Exception):
    """Root of every error raised by the SDK."""


class BadInput(TheKeyError, ValueError):
    """The caller gave a value the SDK cannot use (a malformed address, amount, DID, file...)."""


class ConfigError(TheKeyError):
    """The project or environment is not set up as required (missing toolchain, keys, deployment)."""


class CompileError(TheKeyError):
    """solc reported errors; ``messages`` holds one ``file:line: message`` string per error."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages) or "compilation failed")


class ChainError(TheKeyError):
    """The node failed, disappeared, or answered something unexpected."""


class NodeTimeout(ChainError):
    """The node accepted the request but sent no answer within the RPC timeout (frozen, overloaded)."""


class InsufficientFunds(ChainError):
    """The sending account holds too little ETH for gas (and value). ``account`` is that account
    when known; ``local`` says the node is a development chain (where it can be funded at will)."""

    def __init__(self, message: str, account: str | None = None, local: bool = False) -> None:
        self.account = account
        self.local = local
        super().__init__(message)


class ChainIdMismatch(ChainError, BadInput):
    """The node's chain id differs from the one the caller expects; nothing was signed."""

    def __init__(self, expected: int, actual: int, where: str | None = None) -> None:
        self.expected = expected
        self.actual = actual
        on = f" on {where}" if where else ""
        super().__init__(f"chain id mismatch{on}: expected {expected}, node reports {actual}; refusing to sign")


class TransactionTimeout(ChainError):
    """No receipt arrived in time. ``raw_transaction`` can be re-broadcast unchanged."""

    def __init__(self, tx_hash: str, timeout: float, raw_transaction: bytes | None = None) -> None:
        self.tx_hash = tx_hash
        self.timeout = timeout
        self.raw_transaction = raw_transaction
        super().__init__(f"transaction {tx_hash} not mined within {timeout:g}s")


class ContractRevert(TheKeyError):
    """A call or transaction reverted.

    ``name`` is the decoded custom error (``"ERC20InsufficientBalance"``), ``"Error"`` for a
    ``require`` message, ``"Panic"`` for a panic, or ``None`` when the data matched no known
    selector; ``args`` maps argument names to decoded values; ``data`` is the raw revert data.
    """

    def __init__(
        self,
        name: str | None,
        args: Mapping[str, Any] | None = None,
        data: bytes = b"",
        tx_hash: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.args_ = dict(args or {})
        #: display names of some arguments (enum members, role names); ``arguments`` keeps the values
        self.labels = dict(labels or {})
        self.data = data
        self.tx_hash = tx_hash
        super().__init__(self.describe())

    @property
    def arguments(self) -> dict[str, Any]:
        """The decoded error arguments by name."""
        return self.args_

    def describe(self) -> str:
        if self.name is None:
            return f"reverted with unknown data 0x{self.data.hex()}" if self.data else "reverted without data"
        inner = ", ".join(f"{k}={self.labels.get(k) or _fmt(v)}" for k, v in self.args_.items())
        return f"reverted: {self.name}({inner})"


def _fmt(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)
