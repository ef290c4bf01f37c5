"""Provide the pinned solc to py-solc-x (and so to ape-solidity) without any download.

py-solc-x looks for compilers named ``solc-v<version>`` in its install folder
(``SOLCX_BINARY_PATH``, default ``~/.solcx``). When no native solc of the pinned version is
there or on ``PATH``, a small launcher is written there that runs ``solc_native.cjs`` — a
native-compatible command line over solc-js from the project's ``node_modules``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import solcx

from thekey.config import compiler_settings, project_root
from thekey.errors import ConfigError

SHIM_MARKER = "# thekey: solc-js launcher"
SHIM_SCRIPT = Path(__file__).with_name("solc_native.cjs")


def _reports_version(executable: Path | str, version: str) -> bool:
    try:
        out = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return f"Version: {version}+" in out


def _is_shim(path: Path) -> bool:
    try:
        return SHIM_MARKER in path.read_text(errors="ignore")[:400]
    except OSError:
        return False


def _write_shim(target: Path) -> None:
    node = shutil.which("node")
    if node is None:
        raise ConfigError("node is not on PATH: install Node.js 20 (solc runs as solc-js under node)")
    node_modules = project_root() / "node_modules"
    if not (node_modules / "solc" / "package.json").is_file():
        raise ConfigError("solc-js is missing from node_modules: run `npm ci` (or `make setup`)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(
        f'#!/bin/sh\n{SHIM_MARKER}\nTHEKEY_NODE_MODULES="{node_modules}" exec "{node}" "{SHIM_SCRIPT}" "$@"\n'
    )
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(tmp, target)


def ensure_solc(version: str | None = None) -> Path:
    """Return the solc executable for ``version`` (default: the pinned one), registering it
    with py-solc-x. A native solc of that version (already registered, or on ``PATH``) wins
    over the solc-js launcher."""
    version = version or compiler_settings().version
    target = Path(solcx.get_solcx_install_folder()) / f"solc-v{version}"
    if target.exists() and not _is_shim(target) and _reports_version(target, version):
        return target  # a native compiler py-solc-x installed or someone placed there
    native = shutil.which("solc")
    if native and _reports_version(native, version):
        if target.exists() or target.is_symlink():
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(native)
        return target
    expected_line = f'exec "{shutil.which("node")}" "{SHIM_SCRIPT}"'
    if not (target.exists() and expected_line in target.read_text(errors="ignore")):
        _write_shim(target)
    if not _reports_version(target, version):
        raise ConfigError(f"the solc-js launcher at {target} does not report version {version}: run `npm ci`")
    return target
