"""Named networks: where a node is, which chain it must be, how to pay and when to trust a receipt.

Two TOML files name networks, in the same format::

    [networks.sepolia]
    rpc_url = "https://sepolia.example.org/v3/${SEPOLIA_KEY}"   # ${VAR} read from the environment
    chain_id = 11155111          # expected: any other chain id is refused before anything is signed
    confirmations = 2            # blocks deep (its own block counts) before a receipt is returned
    max_fee_gwei = 40            # EIP-1559 cap on maxFeePerGas
    max_priority_fee_gwei = 1.5  # cap on maxPriorityFeePerGas
    manifest = "deployments/sepolia.json"  # relative to the file that names the network

* the project's ``thekey.toml``: in the working directory or its nearest parent that has one;
* the user's ``networks.toml``: ``$XDG_CONFIG_HOME/thekey/networks.toml``, by default
  ``~/.config/thekey/networks.toml``.

A network named in both comes from the project file, whole (the entries are not merged): the
project is what the code next to it was written against. ``local`` is built in (the embedded Anvil
for ``deploy`` and ``demo``, otherwise ``http://127.0.0.1:8545``) unless a file names it too.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from thekey.chain.connection import Chain
from thekey.chain.transactions import GWEI, GasPolicy
from thekey.errors import BadInput, ChainIdMismatch, ConfigError

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
PROJECT_FILE = "thekey.toml"
USER_FILE = "networks.toml"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = {"rpc_url", "chain_id", "confirmations", "max_fee_gwei", "max_priority_fee_gwei", "manifest"}


@dataclass(frozen=True)
class Network:
    """One network. ``rpc_url`` None is the built-in ``local`` (an embedded Anvil where the command
    starts one, else ``DEFAULT_RPC_URL``); ``name`` None is a bare URL given on the command line."""

    name: str | None
    rpc_url: str | None
    chain_id: int | None = None
    confirmations: int = 1
    gas: GasPolicy = field(default_factory=GasPolicy)
    manifest: Path | None = None
    defined_in: Path | None = None

    @property
    def label(self) -> str:
        return f"network {self.name!r}" if self.name else (self.rpc_url or DEFAULT_RPC_URL)

    def connect(self, url: str | None = None, *, expected_chain_id: int | None = None) -> Chain:
        """A Chain for this network (``url`` overrides where the node is, e.g. an embedded Anvil),
        refusing a node of another chain id than ``expected_chain_id`` or the network's."""
        expected = expected_chain_id if expected_chain_id is not None else self.chain_id
        try:
            return Chain.connect(
                url or self.rpc_url or DEFAULT_RPC_URL,
                expected_chain_id=expected,
                confirmations=self.confirmations,
                gas_policy=self.gas,
            )
        except ChainIdMismatch as exc:
            raise ChainIdMismatch(exc.expected, exc.actual, where=self.label) from None


LOCAL = Network("local", None)


def user_config_file() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".config") / "thekey" / USER_FILE


def project_config_file(start: Path | None = None) -> Path | None:
    """``thekey.toml`` in ``start`` (default: the working directory) or its nearest parent."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / PROJECT_FILE).is_file():
            return folder / PROJECT_FILE
    return None


def load_networks(path: Path) -> dict[str, Network]:
    """The ``[networks.NAME]`` tables of one TOML file; a malformed entry is a one-line ConfigError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML file ({exc})") from None
    tables = data.get("networks", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{path}: `networks` must be a table of [networks.NAME] tables")
    return {name: _network(path, name, entry) for name, entry in tables.items()}


def _network(path: Path, name: str, entry: Any) -> Network:
    where = f"{path}: network {name!r}"
    if not _NAME.match(name):
        raise ConfigError(f"{where}: a network name is letters, digits, '.', '_' and '-'")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    url = entry.get("rpc_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: rpc_url must be an http(s):// JSON-RPC URL")
    chain_id = _integer(where, entry, "chain_id", minimum=1)
    confirmations = _integer(where, entry, "confirmations", minimum=1)
    manifest = entry.get("manifest")
    if manifest is not None and not isinstance(manifest, str):
        raise ConfigError(f"{where}: manifest must be a file path")
    return Network(
        name=name,
        rpc_url=url,
        chain_id=chain_id,
        confirmations=confirmations or 1,
        gas=GasPolicy(_gwei(where, entry, "max_fee_gwei"), _gwei(where, entry, "max_priority_fee_gwei")),
        manifest=(path.parent / Path(manifest).expanduser()).resolve() if manifest else None,
        defined_in=path,
    )


def _integer(where: str, entry: dict[str, Any], key: str, *, minimum: int) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{where}: {key} must be an integer ≥ {minimum}, not {value!r}")
    return value


def _gwei(where: str, entry: dict[str, Any], key: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        wei = Decimal(str(value)) * GWEI
    except InvalidOperation:
        wei = Decimal(-1)
    if isinstance(value, bool) or not isinstance(value, int | float) or wei <= 0 or wei != int(wei):
        raise ConfigError(f"{where}: {key} must be a positive number of gwei (at most 9 decimals), not {value!r}")
    return int(wei)


def known_networks(start: Path | None = None) -> dict[str, Network]:
    """Every named network: ``local``, then the user's file, then the project's (which wins)."""
    found: dict[str, Network] = {"local": LOCAL}
    user = user_config_file()
    if user.is_file():
        found.update(load_networks(user))
    project = project_config_file(start)
    if project is not None:
        found.update(load_networks(project))
    return found


def resolve_network(value: str | None, start: Path | None = None) -> Network:
    """A ``--network`` / ``--rpc-url`` value: an http(s) URL, a network name, or None (``local``)."""
    if value is None:
        return LOCAL
    if value.startswith(("http://", "https://")):
        return Network(None, value)
    if "://" in value:
        raise BadInput(f"not an HTTP(S) JSON-RPC URL: {value!r}")
    networks = known_networks(start)
    network = networks.get(value)
    if network is None:
        files = [str(p) for p in (project_config_file(start), user_config_file()) if p is not None]
        raise BadInput(
            f"unknown network {value!r}: known are {', '.join(sorted(networks))} "
            f"(from {' and '.join(files)}; give a URL for an unnamed node)"
        )
    if network.rpc_url is not None:
        return _with_environment(network)
    return network


def _with_environment(network: Network) -> Network:
    """``${VAR}`` in the URL replaced from the environment (API keys stay out of the file)."""
    assert network.rpc_url is not None
    missing = [v for v in _VAR.findall(network.rpc_url) if v not in os.environ]
    if missing:
        raise ConfigError(f"{network.label}: its rpc_url needs the environment variable {missing[0]}, which is not set")
    url = _VAR.sub(lambda m: os.environ[m.group(1)], network.rpc_url)
    return replace(network, rpc_url=url)
