"""What every command shares: connection and key options, the session, and output."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from eth_account.signers.local import LocalAccount
from rich.console import Console

from thekey.chain import Anvil, Chain, Receipt, dev_accounts, signer_from_env
from thekey.chain.keys import ManagedKey, find_key, list_keys
from thekey.cli import progress
from thekey.client import ContractClient
from thekey.deploy import Deployment
from thekey.errors import BadInput, ChainError, ChainIdMismatch, ConfigError, NodeTimeout
from thekey.networks import DEFAULT_RPC_URL, Network, resolve_network
from thekey.parsing import is_digits, parse_address

#: seconds the node's latest block may lag the clock before commands say so
CLOCK_LAG_NOTE = 600
C = TypeVar("C", bound=ContractClient)

# Off a terminal (logs, pipes) rich would assume 80 columns and cut table cells ("0x5FbDB…"):
# give it room so addresses and hashes are printed whole.
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(soft_wrap=True, width=_WIDTH)
err_console = progress.err

RpcUrl = Annotated[
    str | None,
    typer.Option(
        "--rpc-url", "--network",
        envvar=["THEKEY_RPC_URL", "THEKEY_NETWORK"],
        help="JSON-RPC URL of the node, or the name of a network in thekey.toml / ~/.config/thekey/networks.toml "
        f"(chain id, confirmations, fee caps, manifest) [default: `local`: {DEFAULT_RPC_URL}, as `thekey node` "
        "serves].",
        show_default=False,
    ),
]  # fmt: skip
ChainId = Annotated[
    int | None,
    typer.Option("--chain-id", envvar="THEKEY_CHAIN_ID", help="Refuse to sign unless the node reports this chain id."),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of text.")]
AccountOpt = Annotated[
    str | None,
    typer.Option(
        "--account", "-a",
        help="The key to sign with: a managed key by alias or address (`thekey account list`), or on a "
        "local chain a dev account by index (0-19) or address [default: dev account 0].",
    ),
]  # fmt: skip
KeystoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--keystore",
        help="Encrypted keystore to sign with (password from THEKEY_KEYSTORE_PASSWORD or a prompt). "
        "Otherwise THEKEY_PRIVATE_KEY, or a dev account on a local chain.",
        dir_okay=False,
    ),
]


@dataclass
class Session:
    """A command's connection, keys and output mode."""

    rpc_url: str | None = None
    chain_id: int | None = None
    account: str | None = None
    keystore: Path | None = None
    json: bool = False
    _chain: Chain | None = field(default=None, repr=False)
    _anvil: Anvil | None = field(default=None, repr=False)

    @cached_property
    def network(self) -> Network:
        """The ``--rpc-url`` / ``--network`` value resolved: a URL, a named network, or ``local``."""
        return resolve_network(self.rpc_url)

    def chain(self, *, embedded_by_default: bool = False) -> Chain:
        """Connect to the network; for ``local`` start an embedded Anvil when the command allows it,
        else connect to the default local node."""
        if self._chain is None:
            network = self.network
            if network.rpc_url is None and embedded_by_default:
                self._anvil = Anvil()
                self._chain = network.connect(self._anvil.url, expected_chain_id=self.chain_id)
            else:
                url = network.rpc_url or DEFAULT_RPC_URL
                try:
                    self._chain = network.connect(expected_chain_id=self.chain_id)
                except (ChainIdMismatch, NodeTimeout):
                    raise
                except ChainError:
                    hint = "" if network.rpc_url else " (start one with `thekey node`, or pass --rpc-url / --network)"
                    raise ChainError(f"no node answers at {url}{hint}") from None
            if self.progress.animated:
                self._chain.on_slow_wait = lambda tx: self.progress.spinner(f"waiting for {tx} to be mined…")
        return self._chain

    @cached_property
    def progress(self) -> progress.Reporter:
        """Progress on stderr for this command (silent with --json or --quiet)."""
        return progress.Reporter(enabled=not self.json)

    def signer(self, chain: Chain | None = None) -> LocalAccount:
        """The one key the options name: --keystore, THEKEY_PRIVATE_KEY, --account (a managed key,
        or a dev account on a local chain), else dev account 0 on a local chain. Two at once: an error."""
        named = named_key(self.account, self.keystore)
        if named is not None:
            return named
        chain = chain or self.chain()
        if not chain.is_local:
            raise ConfigError(
                "no signing key for a non-local chain: pass --account ALIAS (a managed key), --keystore FILE, "
                "or set THEKEY_PRIVATE_KEY"
            )
        return dev_account(self.account)

    def now(self) -> int:
        """What deadlines and ``--valid-for`` count from: :meth:`Chain.now` (the later of the wall
        clock and the node's latest block), with a note on stderr when the node is far behind."""
        chain = self.chain()
        block_time, wall = chain.timestamp(), int(time.time())
        if wall - block_time > CLOCK_LAG_NOTE:
            err_console.print(
                f"note: the node's latest block is {wall - block_time} s behind the clock (an idle dev chain?); "
                "deadlines count from the clock",
                highlight=False,
            )
        return max(wall, block_time)

    def deployment(self, chain: Chain | None = None) -> Deployment:
        return Deployment.load(chain or self.chain(), manifest=self.network.manifest)

    def client(self, cls: type[C]) -> C:
        """The client ``cls`` bound to its contract in this chain's deployment manifest."""
        return cls.from_deployment(self.deployment())

    def emit_tx(self, what: str, receipt: Receipt, extra: dict[str, Any] | None = None) -> None:
        """Report a mined transaction: hash, block and gas (plus ``extra`` fields in --json)."""
        data = {"txHash": receipt.tx_hash, "block": receipt.block_number, "gasUsed": receipt.gas_used, **(extra or {})}
        self.emit(data, f"{what} — tx {receipt.tx_hash} (block {receipt.block_number}, gas {receipt.gas_used})")

    def close(self) -> None:
        if self._anvil is not None:
            self._anvil.stop()
            self._anvil = None

    def emit(self, data: Any, human: Callable[[], None] | str | None = None) -> None:
        """Print ``data`` as JSON in --json mode, else the human rendering."""
        if self.json or human is None:
            typer.echo(json.dumps(data, indent=2, default=_json_default))
        elif isinstance(human, str):
            console.print(human, highlight=False)
        else:
            human()


def named_key(account: str | None, keystore: Path | None) -> LocalAccount | None:
    """The key --keystore, THEKEY_PRIVATE_KEY or a managed --account names (no chain needed); None
    when none does (a dev account, or no option). Two at once: an error."""
    env_key = os.environ.get("THEKEY_PRIVATE_KEY")
    named = [n for n, v in (("--keystore", keystore), ("THEKEY_PRIVATE_KEY", env_key), ("--account", account)) if v]
    if len(named) > 1:
        raise BadInput(f"{' and '.join(named)} both name a signing key: give only one")
    if keystore is not None or env_key:
        return signer_from_env(keystore)
    managed = managed_key(account)
    return None if managed is None else managed.unlock()


def managed_key(selector: str | None) -> ManagedKey | None:
    """The managed key ``--account`` names: an alias, or an address one of them holds; None for a
    dev-account index or an address no managed key holds."""
    if selector is None or is_digits(selector):
        return None
    if selector.lower().startswith("0x"):
        address = parse_address(selector)
        return next((k for k in list_keys() if k.address == address), None)
    return find_key(selector)


def dev_account(selector: str | None) -> LocalAccount:
    accounts = dev_accounts(20)
    if selector is None:
        return accounts[0]
    if is_digits(selector):
        i = int(selector)
        if i >= len(accounts):
            raise BadInput(f"--account index {i} is out of range (0-{len(accounts) - 1})")
        return accounts[i]
    address = parse_address(selector)
    for a in accounts:
        if a.address == address:
            return a
    raise BadInput(f"{address} is not one of the local dev accounts")


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def open_client(
    cls: type[C], rpc_url: str | None, chain_id: int | None, account: str | None, keystore: Path | None,
    json_out: bool,
) -> tuple[Session, C]:  # fmt: skip
    """A session from the shared options, and the deployed contract client ``cls``."""
    session = Session(rpc_url=rpc_url, chain_id=chain_id, account=account, keystore=keystore, json=json_out)
    return session, session.client(cls)
