"""HTTP load on the gateway (``thekey serve``), from a second process: ``wrk`` (C, keep-alive
connections) drives uvicorn serving the gateway over the bench's suite, on the same 2 cores.

- resolve a DID with a few changes (``GET /1.0/identifiers/{did}``);
- verify credentials (``POST /credentials/verify``), each request a different anchored
  credential out of a pool, so no cache of any kind can answer for the verifier.

Each row: requests per second over the run, p99 latency, and zero non-2xx answers required.
``wrk`` comes from Debian's packages (``apt-get install wrk``); without it ``benchmarks.loadgen``
(Python, slower per request) drives the load and the rows say so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.harness import Bench, log
from benchmarks.model import Target, ThroughputRow

CONNECTIONS = 16
# Lua run by wrk when the test ends: the figures as one JSON line on stdout.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\n{"requests":%d,"duration_us":%d,"p99_us":%d,"failed":%d,' ..
    '"errors":"connect %d, read %d, write %d, timeout %d, non-2xx %d"}\\n',
    summary.requests, summary.duration, latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status, e.connect, e.read, e.write, e.timeout, e.status))
end
"""


@contextmanager
def _gateway(bench: Bench) -> Iterator[str]:
    from thekey.gateway.app import GatewayConfig, create_app
    from thekey.gateway.server import serving

    app = create_app(bench.require_deployment("credentials"), GatewayConfig(rate_per_second=1e9, burst=10**9))
    with serving(app) as url:
        yield url


def _wrk_script(path: str, bodies: list[dict[str, Any]] | None) -> str:
    if bodies is None:
        return DONE
    lua = ",\n".join(_lua_string(json.dumps(b)) for b in bodies)
    return (
        f"local bodies = {{\n{lua}\n}}\nlocal i = 0\n"
        'local headers = {["Content-Type"] = "application/json"}\n'
        "request = function()\n  i = i % #bodies + 1\n"
        f'  return wrk.format("POST", "{path}", headers, bodies[i])\nend\n' + DONE
    )


def _lua_string(text: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def load(url: str, path: str, seconds: float, bodies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Drive ``url + path`` for ``seconds`` from another process: GETs, or POSTs of ``bodies`` in turn.
    wrk when installed, else ``benchmarks.loadgen``; ``generator`` in the result says which."""
    wrk = shutil.which("wrk")
    with tempfile.TemporaryDirectory(prefix="thekey-load-") as tmp:
        if wrk is not None:
            script = Path(tmp) / "load.lua"
            script.write_text(_wrk_script(path, bodies))
            cmd = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                   "-s", str(script), url + path]  # fmt: skip
        else:
            cmd = [sys.executable, "-m", "benchmarks.loadgen", url + path, "--seconds", str(seconds),
                   "--connections", str(CONNECTIONS)]  # fmt: skip
            if bodies is not None:
                (Path(tmp) / "bodies.json").write_text(json.dumps(bodies))
                cmd += ["--bodies", str(Path(tmp) / "bodies.json")]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True,
                             cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if figures["failed"]:
        raise RuntimeError(f"{figures['failed']} of {figures['requests']} requests failed ({figures['errors']})")
    figures["generator"] = "wrk" if wrk else "benchmarks.loadgen (no wrk)"
    return figures


def _row(name: str, figures: dict[str, Any], targets: tuple[Target, ...]) -> ThroughputRow:
    seconds = figures["duration_us"] / 1e6
    note = f"{figures['generator']}, {CONNECTIONS} connections"
    return ThroughputRow(name, figures["requests"], seconds, [seconds], targets=targets, note=note,
                         p99_ms=figures["p99_us"] / 1000)  # fmt: skip


def _did_with_history(bench: Bench) -> str:
    from thekey.identity.did import did_for
    from thekey.identity.registry import EIDRegistry

    registry = EIDRegistry.from_deployment(bench.require_deployment("identity"))
    owner = bench.fresh_account()
    registry.add_delegate(owner, owner.address, "veriKey", bench.fresh_address(), 86_400)
    registry.set_attribute(owner, owner.address, "did/svc/Hub", b"https://hub.example/", 86_400)
    registry.add_delegate(owner, owner.address, "sigAuth", bench.fresh_address(), 86_400)
    return did_for(bench.chain.chain_id, owner.address)


def run(bench: Bench, credentials: list[dict[str, Any]]) -> list[ThroughputRow]:
    """The load rows, given anchored ``credentials`` (a DID with three changes is made here)."""
    seconds = bench.sizes.load_seconds
    did = _did_with_history(bench)
    rows = []
    with _gateway(bench) as url:
        log(f"[gateway] resolving {did} for {seconds:g} s")
        figures = load(url, f"/1.0/identifiers/{did}", seconds)
        rows.append(_row("gateway: resolve a DID (GET /1.0/identifiers)", figures, ()))
        log(f"[gateway] verifying {len(credentials):,} different credentials for {seconds:g} s")
        bodies = [{"verifiableCredential": c} for c in credentials]
        figures = load(url, "/credentials/verify", seconds, bodies)
        rows.append(_row(f"gateway: verify credentials, a pool of {len(credentials):,} (POST /credentials/verify)",
                         figures, (Target("rate", 300), Target("p99", 100))))  # fmt: skip
    return rows
