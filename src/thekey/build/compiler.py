"""Compile Solidity through py-solc-x's standard-JSON path, with a content-addressed cache.

``compile_project()`` builds every ``contracts/**/*.sol`` (OpenZeppelin resolved from npm)
into ``build/``. The cache is keyed by the compiler settings, the set of project sources and
the hash of every source unit the last build read (imports included), so an unchanged tree
costs a few file hashes and no compiler run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError

from thekey.build.artifacts import Artifacts, load_artifacts
from thekey.build.solc import ensure_solc
from thekey.config import CompilerSettings, compiler_settings, find_project_root, project_root
from thekey.errors import CompileError

OUTPUTS = [
    "abi",
    "metadata",
    "devdoc",
    "userdoc",
    "evm.bytecode.object",
    "evm.bytecode.sourceMap",
    "evm.bytecode.linkReferences",
    "evm.deployedBytecode.object",
    "evm.deployedBytecode.sourceMap",
    "evm.deployedBytecode.immutableReferences",
    "evm.methodIdentifiers",
]
INDEX = "index.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settings_key(settings: CompilerSettings, remappings: Iterable[str]) -> str:
    blob = json.dumps({"v": settings.version, "s": settings.solc_settings(), "r": sorted(remappings)}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def _cache_valid(out_dir: Path, root: Path, sources: list[str], key: str) -> bool:
    index_file = out_dir / INDEX
    if not index_file.is_file():
        return False
    try:
        index = json.loads(index_file.read_text())
    except json.JSONDecodeError:
        return False
    if index.get("settings_key") != key or index.get("sources") != sources or "settings" not in index:
        return False
    for unit, digest in index.get("source_hashes", {}).items():
        p = root / unit
        if not p.is_file() or _sha256(p) != digest:
            return False
    return True


def _line_of(root: Path, file: str, offset: int) -> int:
    try:
        return root.joinpath(file).read_bytes()[:offset].count(b"\n") + 1
    except OSError:
        return 0


def _format_errors(root: Path, errors: list[dict[str, Any]]) -> list[str]:
    lines = []
    for e in errors:
        if e.get("severity") != "error":
            continue
        loc = e.get("sourceLocation")
        where = f"{loc['file']}:{_line_of(root, loc['file'], loc.get('start', 0))}: " if loc else ""
        lines.append(f"{where}{e.get('type', 'Error')}: {e.get('message', '').strip()}")
    return lines


def compile_sources(
    sources: list[str],
    out_dir: Path,
    *,
    root: Path | None = None,
    settings: CompilerSettings | None = None,
    remappings: Iterable[str] | None = None,
    force: bool = False,
) -> Artifacts:
    """Compile ``sources`` (paths relative to ``root``) into ``out_dir``; reuse the cache when valid."""
    root = root or project_root()
    settings = settings or compiler_settings()
    remaps = list(settings.remappings if remappings is None else remappings)
    sources = sorted(sources)
    key = _settings_key(settings, remaps)
    if not force and _cache_valid(out_dir, root, sources, key):
        return load_artifacts(out_dir)
    with _build_lock(out_dir):
        # another process (a parallel test worker) may have built the same tree meanwhile
        if not force and _cache_valid(out_dir, root, sources, key):
            return load_artifacts(out_dir)
        _build(sources, out_dir, root, settings, remaps, key)
    return load_artifacts(out_dir)


@contextmanager
def _build_lock(out_dir: Path) -> Iterator[None]:
    """One build of ``out_dir`` at a time: a reader between another build's two renames would
    otherwise find no folder at all."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(sources: list[str], out_dir: Path, root: Path, settings: CompilerSettings, remaps: list[str],
           key: str) -> None:  # fmt: skip
    solc_settings = settings.solc_settings() | {"remappings": remaps}
    solc_settings["outputSelection"] = {"*": {"*": OUTPUTS, "": ["ast"]}}
    std_input = {
        "language": "Solidity",
        "sources": {s: {"content": (root / s).read_text()} for s in sources},
        "settings": solc_settings,
    }
    binary = ensure_solc(settings.version)
    try:
        output = solcx.compile_standard(std_input, solc_binary=binary, base_path=root, allow_paths=[root])
    except SolcError as exc:
        try:
            errors = json.loads(exc.stdout_data or "").get("errors", [])
        except (TypeError, ValueError):
            raise CompileError([str(exc)]) from exc
        raise CompileError(_format_errors(root, errors)) from exc
    errors = _format_errors(root, output.get("errors", []))
    if errors:
        raise CompileError(errors)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    names: dict[str, list[str]] = {}
    for unit, contracts in output.get("contracts", {}).items():
        for name, c in contracts.items():
            fq = f"{unit}:{name}"
            names.setdefault(name, []).append(fq)
            evm = c.get("evm", {})
            artifact = {
                "contractName": name,
                "sourceName": unit,
                "abi": c.get("abi", []),
                "bytecode": "0x" + evm.get("bytecode", {}).get("object", ""),
                "deployedBytecode": "0x" + evm.get("deployedBytecode", {}).get("object", ""),
                "sourceMap": evm.get("bytecode", {}).get("sourceMap", ""),
                "deployedSourceMap": evm.get("deployedBytecode", {}).get("sourceMap", ""),
                "immutableReferences": evm.get("deployedBytecode", {}).get("immutableReferences", {}),
                "linkReferences": evm.get("bytecode", {}).get("linkReferences", {}),
                "methodIdentifiers": evm.get("methodIdentifiers", {}),
                "metadata": c.get("metadata", ""),
                "devdoc": c.get("devdoc", {}),
                "userdoc": c.get("userdoc", {}),
                "solcVersion": settings.version,
            }
            path = tmp / "artifacts" / unit / f"{name}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(artifact))
    units = sorted(output.get("sources", {}))
    index = {
        "solcVersion": settings.version,
        "settings_key": key,
        "settings": settings.solc_settings() | {"remappings": remaps},
        "sources": sources,
        "source_hashes": {u: _sha256(root / u) for u in units if (root / u).is_file()},
        "contracts": names,
        "enums": _enums(output.get("sources", {})),
    }
    (tmp / INDEX).parent.mkdir(parents=True, exist_ok=True)
    (tmp / INDEX).write_text(json.dumps(index, indent=1, sort_keys=True))
    _swap_in(tmp, out_dir)


def _enums(sources: dict[str, Any]) -> dict[str, list[str]]:
    """Every enum of the build by canonical name (``IPaymentEscrow.Status``) → its member names,
    so decoded errors can say ``status=Settled`` instead of ``status=5``."""
    found: dict[str, list[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("nodeType") == "EnumDefinition" and node.get("canonicalName"):
                found[node["canonicalName"]] = [m["name"] for m in node.get("members", [])]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for unit in sources.values():
        walk(unit.get("ast"))
    return dict(sorted(found.items()))


def _swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` with ``new`` so that concurrent builds never see a half-written folder."""
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    try:
        if target.exists():
            os.replace(target, old / "build")
        os.replace(new, target)
    except OSError:
        if not target.exists():  # another process won the race with an equivalent build
            raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(new, ignore_errors=True)


def project_sources(root: Path | None = None) -> list[str]:
    root = root or project_root()
    found = (p.relative_to(root) for p in (root / "contracts").rglob("*.sol"))
    # skip hidden folders such as contracts/.cache, where ape unpacks its dependencies
    return sorted(p.as_posix() for p in found if not any(part.startswith(".") for part in p.parts))


def compile_project(force: bool = False) -> Artifacts:
    """Compile ``contracts/`` into ``build/contracts`` (cached)."""
    root = project_root()
    return compile_sources(project_sources(root), root / "build" / "contracts", root=root, force=force)


def suite_artifacts() -> Artifacts:
    """The artifacts a command deploys: in the checkout, ``contracts/`` compiled (cached; compiling is
    a developer action); outside it, the suite bundled with the package (no Node.js, no solc)."""
    return compile_project() if find_project_root() is not None else load_artifacts()
