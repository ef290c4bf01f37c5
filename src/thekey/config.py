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


@cache
def project_root() -> Path:
    """The folder holding ``ape-config.yaml``, ``contracts/`` and ``node_modules/``.

    ``THEKEY_ROOT`` overrides; otherwise the source checkout this package is installed from
    (editable install), otherwise the nearest parent of the working directory that has one.
    """
    env = os.environ.get("THEKEY_ROOT")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2])
    cwd = Path.cwd().resolve()
    candidates.extend([cwd, *cwd.parents])
    for c in candidates:
        if (c / "ape-config.yaml").is_file() and (c / "contracts").is_dir():
            return c
    raise ConfigError("cannot find the TheKey project folder (ape-config.yaml + contracts/); set THEKEY_ROOT")


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
