"""``thekey compile``."""

from __future__ import annotations

import time

import typer

from thekey.build import compile_project
from thekey.cli.common import JsonOut, Session


def compile_(
    force: bool = typer.Option(False, "--force", help="Recompile even when the cache is valid."),
    json_out: JsonOut = False,
) -> None:
    """Compile contracts/ with the pinned solc into build/ (cached by content hash)."""
    started = time.perf_counter()
    artifacts = compile_project(force=force)
    elapsed = time.perf_counter() - started
    project = sorted(fq.rpartition(":")[2] for fq in artifacts.fully_qualified_names() if fq.startswith("contracts/"))
    Session(json=json_out).emit(
        {"solcVersion": artifacts.solc_version, "contracts": project, "seconds": round(elapsed, 3)},
        f"compiled {len(project)} project contracts with solc {artifacts.solc_version} "
        f"in {elapsed:.2f}s → {artifacts.folder}",
    )


def register(app: typer.Typer) -> None:
    app.command("compile")(compile_)
