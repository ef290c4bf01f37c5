"""Progress where people wait, on stderr only: the step being done (compiling, each contract
deployed), a spinner with the transaction hash while a receipt takes more than a second, and a
bar with counts and rate for long batches. Silent with ``--json`` or ``--quiet``; spinners and
bars only on a terminal (a log gets the step lines, never animation), and stdout never."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: set by ``thekey --quiet`` for the rest of the process
QUIET_ENV = "THEKEY_QUIET"

#: the console for errors, notes and progress (stderr); full width off a terminal, so nothing is cut
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 200)


def quiet() -> bool:
    return os.environ.get(QUIET_ENV, "") not in ("", "0")


class Reporter:
    """What one command shows while it works. ``enabled`` is false under --json/--quiet."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and not quiet()
        self.animated = self.enabled and err.is_terminal

    def step(self, message: str) -> None:
        """One line saying what is being done now."""
        if self.enabled:
            err.print(message)

    def spinner(self, message: str) -> AbstractContextManager[object]:
        """A spinner for as long as the block runs (on a terminal; elsewhere nothing)."""
        return err.status(message) if self.animated else nullcontext()

    @contextmanager
    def bar(self, total: int, what: str) -> Iterator[Progress | None]:
        """A bar of ``total`` items with counts and the rate; yields None when not animated
        (call ``advance`` through :meth:`advance` so the caller need not care)."""
        if not self.animated:
            yield None
            return
        columns = (
            TextColumn(f"{what}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            progress.add_task(what, total=total, rate="")
            yield progress

    def compiling(self, sources: int) -> None:
        """The step line for a compilation that has to run (``suite_artifacts(on_build=…)``)."""
        self.step(f"compiling {sources} Solidity sources with the pinned solc (first time: up to a minute)…")

    @staticmethod
    def advance(progress: Progress | None, n: int) -> None:
        if progress is None:
            return
        task = progress.tasks[0]
        progress.update(task.id, advance=n)
        elapsed = task.elapsed or 0.0
        if elapsed > 0:
            progress.update(task.id, rate=f"{task.completed / elapsed:,.0f}/s")
