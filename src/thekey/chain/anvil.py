"""An embedded Anvil node from the project's ``node_modules``.

The real binary (``@foundry-rs/anvil-linux-amd64``) is started directly — not through npm's
Node wrapper — on a free loopback port, with its log captured to a file. On Linux the child
is asked to die with its parent (``PR_SET_PDEATHSIG``), so even a killed Python process
leaves no orphan node; a normal exit stops it through ``stop()``, ``atexit`` or ``with``.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import platform
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from thekey.config import LOCAL_CHAIN_ID, find_project_root
from thekey.errors import ChainError, ConfigError

DEV_MNEMONIC = "test test test test test test test test test test test junk"


#: The one line shown when no Anvil is found (the embedded node is a convenience; any node will do).
NO_ANVIL = (
    "no Anvil binary found: `npm install @foundry-rs/anvil` (or install Foundry with foundryup), "
    "or set THEKEY_ANVIL=/path/to/anvil, or pass --rpc-url / --network to use a running node"
)


def anvil_binary() -> Path:
    """The Anvil executable: ``THEKEY_ANVIL``, else the npm package's binary (in the checkout's or
    the working directory's ``node_modules``), else ``anvil`` on PATH, else ``~/.foundry/bin/anvil``."""
    env = os.environ.get("THEKEY_ANVIL")
    if env:
        return Path(env)
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), platform.machine())
    package = Path("node_modules") / "@foundry-rs" / f"anvil-{platform.system().lower()}-{arch}" / "bin" / "anvil"
    root = find_project_root()
    for folder in [root, Path.cwd()] if root is not None else [Path.cwd()]:
        if (folder / package).is_file():
            return folder / package
    from shutil import which

    found = which("anvil")
    if found:
        return Path(found)
    foundry = Path.home() / ".foundry" / "bin" / "anvil"
    if foundry.is_file():
        return foundry
    raise ConfigError(NO_ANVIL)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _check_port_free(port: int) -> None:
    """Refuse a port another process listens on: Anvil would exit, but the *other* node would
    answer our readiness probe and we would report it as ours."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a listener conflicts; TIME_WAIT does not
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise ChainError(f"port {port} is already in use on 127.0.0.1 (another node?): pick another port") from None


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if platform.system() == "Linux":
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _rpc(url: str, method: str, params: list[object] | None = None, timeout: float = 2.0) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())["result"]


class Anvil:
    """A running Anvil process. Use as a context manager or call :meth:`stop`."""

    def __init__(
        self,
        *,
        chain_id: int = LOCAL_CHAIN_ID,
        port: int | None = None,
        accounts: int = 10,
        balance_eth: int = 10_000,
        block_time: float | None = None,
        extra_args: list[str] | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.chain_id = chain_id
        if port:
            _check_port_free(port)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mnemonic = DEV_MNEMONIC
        self.accounts = accounts
        log = tempfile.NamedTemporaryFile(prefix=f"anvil-{self.port}-", suffix=".log", delete=False)  # noqa: SIM115
        self.log_path = Path(log.name)
        args = [
            str(anvil_binary()),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chain-id", str(chain_id),
            "--accounts", str(accounts),
            "--balance", str(balance_eth),
            "--mnemonic", DEV_MNEMONIC,
        ]  # fmt: skip
        if block_time:
            args += ["--block-time", str(block_time)]
        args += extra_args or []
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent
        )
        log.close()
        atexit.register(self.stop)
        self._wait_ready(startup_timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = None
                raise ChainError(f"anvil exited during startup: {self.last_log_line()} (log: {self.log_path})")
            try:
                _rpc(self.url, "eth_chainId")
            except OSError:
                time.sleep(0.05)
                continue
            if self._proc.poll() is None:  # the answer came from our process, not a squatter
                return
        self.stop()
        raise ChainError(f"anvil did not answer on {self.url} within {timeout:g}s")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def exit_code(self) -> int | None:
        """The process's exit status once it has ended (negative: killed by that signal)."""
        return None if self._proc is None else self._proc.poll()

    def last_log_line(self) -> str:
        lines = [line.strip() for line in self.log().splitlines() if line.strip()]
        return lines[-1] if lines else "no output"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 5.0) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        atexit.unregister(self.stop)

    def kill(self) -> None:
        """Kill the node abruptly (fault-injection tests)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def __enter__(self) -> Anvil:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
