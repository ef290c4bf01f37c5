"""A throwaway PostgreSQL server in a temporary folder, on a free loopback port (tests,
benchmarks and local trials of the shared store; like :class:`~thekey.chain.anvil.Anvil` for
nodes). It needs the server binaries (Debian's ``postgresql`` package: ``initdb``, ``pg_ctl``);
as root they run as the ``postgres`` user, which PostgreSQL requires."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from types import TracebackType

from thekey.chain.anvil import free_port
from thekey.errors import ConfigError

USER = "thekey"


def server_binaries() -> tuple[str, str] | None:
    """``(initdb, pg_ctl)`` if installed (on PATH or in Debian's versioned folder)."""
    for folder in [None, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]:
        initdb, pg_ctl = (shutil.which(n, path=None if folder is None else str(folder)) for n in ("initdb", "pg_ctl"))
        if initdb and pg_ctl:
            return initdb, pg_ctl
    return None


class PostgresServer:
    """Started on construction; :meth:`stop` (or ``with``) removes it and its data.
    ``durable=False`` turns fsync off (tests: faster, and nothing to keep)."""

    def __init__(self, *, durable: bool = True) -> None:
        binaries = server_binaries()
        if binaries is None:
            raise ConfigError("the PostgreSQL server is not installed (Debian: apt-get install postgresql)")
        initdb, self._pg_ctl = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="thekey-pg-"))
        self.data, self.sockets = self.folder / "data", self.folder / "sockets"
        self.sockets.mkdir()
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            self._as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, "postgres")
            shutil.chown(self.sockets, "postgres")
        self.port = free_port()
        self.url = f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"
        self._run([initdb, "-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync"])
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets}"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run([self._pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"])

    def _run(self, args: list[str]) -> None:
        done = subprocess.run([*self._as, *args], capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            raise ConfigError(f"{Path(args[0]).name} failed: {(done.stderr or done.stdout).strip()[-500:]}")

    def new_database(self) -> str:
        """The URL of a new empty database on this server."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self._as, self._pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
                           capture_output=True, check=False, timeout=60)  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
