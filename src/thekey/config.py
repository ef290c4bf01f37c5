"""Project location and the pinned compiler settings (read from ``ape-config.yaml``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from thekey.errors import ConfigError

LOCAL_CHAIN_ID = 31337


def _is_checkout(folder: Path) -> bool:
    return (folder / "ape-config.yaml").is_file() and (folder / "contracts").is_dir()


@cache
def find_project_root() -> Path | None:
    """The TheKey source checkout (``ape-config.yaml``, ``contracts/``, ``src/thekey/``), or None.

    ``THEKEY_ROOT`` names it explicitly; otherwise the checkout this package is installed from
    (an editable install), otherwise the nearest parent of the working directory that is one.
    An installed wheel outside a checkout finds none and uses the contracts bundled with it.
    """
    env = os.environ.get("THEKEY_ROOT")
    if env:
        return Path(env) if _is_checkout(Path(env)) else None
    cwd = Path.cwd().resolve()
    for c in [Path(__file__).resolve().parents[2], cwd, *cwd.parents]:
        if _is_checkout(c) and (c / "src" / "thekey" / "__init__.py").is_file():
            return c
    return None


def project_root() -> Path:
    """The checkout, for developer actions (compiling, linting); a ConfigError outside one."""
    root = find_project_root()
    if root is None:
        raise ConfigError(
            "this needs the TheKey source checkout (ape-config.yaml + contracts/): run it there or set THEKEY_ROOT"
        )
    return root


def data_home() -> Path:
    """The per-user folder for manifests and indexes outside a checkout: ``$THEKEY_HOME``, else
    ``$XDG_DATA_HOME/thekey``, else ``~/.local/share/thekey`` (the XDG base directory rule)."""
    env = os.environ.get("THEKEY_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "thekey"


def _checkout_unless_home() -> Path | None:
    """The checkout, unless ``THEKEY_HOME`` asks for the per-user folder even there."""
    return None if os.environ.get("THEKEY_HOME") else find_project_root()


def deployments_dir() -> Path:
    """Where manifests live by default: ``deployments/`` of the checkout, else ``<data home>/deployments``."""
    root = _checkout_unless_home()
    return root / "deployments" if root is not None else data_home() / "deployments"


def state_dir() -> Path:
    """Where local indexes live by default: ``.thekey/`` of the checkout, else the data home."""
    root = _checkout_unless_home()
    return root / ".thekey" if root is not None else data_home()


@dataclass(frozen=True)
class CompilerSettings:
    """The one pinned compiler configuration, shared with ape-solidity."""

    version: str
    evm_version: str
    optimize: bool
    runs: int
    remappings: tuple[str, ...]

    def solc_settings(self) -> dict[str, Any]:
        return {
            "evmVersion": self.evm_version,
            "optimizer": {"enabled": self.optimize, "runs": self.runs},
            "remappings": list(self.remappings),
        }


@cache
def compiler_settings() -> CompilerSettings:
    cfg = yaml.safe_load((project_root() / "ape-config.yaml").read_text())
    sol = cfg.get("solidity") or {}
    try:
        version = str(sol["version"])
    except KeyError as exc:
        raise ConfigError("ape-config.yaml has no solidity.version") from exc
    # ape remaps "@openzeppelin/contracts" to its dependency cache; the SDK resolves the same
    # prefix to the npm package, which is the dependency ape itself reads.
    remappings = []
    for dep in cfg.get("dependencies") or []:
        if "npm" in dep:
            remappings.append(f"{dep['npm']}/=node_modules/{dep['npm']}/")
    return CompilerSettings(
        version=version,
        evm_version=str(sol.get("evm_version", "cancun")),
        optimize=bool(sol.get("optimize", True)),
        runs=int(sol.get("optimization_runs", 200)),
        remappings=tuple(remappings),
    )
