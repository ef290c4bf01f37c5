"""HTTP load on the gateway (``thekey serve``), from a second process: ``wrk`` (C, keep-alive
connections) drives uvicorn serving the gateway over the bench's suite, on the same 2 cores.

- resolve a DID with a few changes (``GET /1.0/identifiers/{did}``);
- verify credentials (``POST /credentials/verify``), each request a different anchored
  credential out of a pool, so no cache of any kind can answer for the verifier.

Each row: requests per second over the run, p99 latency, and zero non-2xx answers required.
``wrk`` comes from Debian's packages (``apt-get install wrk``); without it the rows say so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.harness import Bench, Unavailable, log
from benchmarks.model import Target, ThroughputRow

CONNECTIONS = 16
# Lua run by wrk when the test ends: the figures as one JSON line on stdout.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"duration_us":%d,"p99_us":%d,"failed":%d}\\n',
    summary.requests, summary.duration, latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


@contextmanager
def _gateway(bench: Bench) -> Iterator[str]:
    from thekey.gateway.app import GatewayConfig, create_app
    from thekey.gateway.server import serving

    app = create_app(bench.require_deployment("credentials"), GatewayConfig(rate_per_second=1e9, burst=10**9))
    with serving(app) as url:
        yield url


def _wrk(url: str, seconds: float, script: str) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise Unavailable("wrk is not installed (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + DONE)
    try:
        out = subprocess.run(
            [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "-s", f.name, url],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        )  # fmt: skip
    finally:
        Path(f.name).unlink()
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if figures["failed"]:
        raise RuntimeError(f"{figures['failed']} of {figures['requests']} requests failed or were not 2xx")
    return figures


def _row(name: str, figures: dict[str, Any], targets: tuple[Target, ...]) -> ThroughputRow:
    seconds = figures["duration_us"] / 1e6
    return ThroughputRow(name, figures["requests"], seconds, [seconds], targets=targets,
                         note=f"{CONNECTIONS} connections", p99_ms=figures["p99_us"] / 1000)  # fmt: skip


def _lua_string(text: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def verification_script(credentials: list[dict[str, Any]]) -> str:
    bodies = ",\n".join(_lua_string(json.dumps({"verifiableCredential": c})) for c in credentials)
    return (
        f"local bodies = {{\n{bodies}\n}}\nlocal i = 0\n"
        'local headers = {["Content-Type"] = "application/json"}\n'
        "request = function()\n  i = i % #bodies + 1\n"
        '  return wrk.format("POST", "/credentials/verify", headers, bodies[i])\nend\n'
    )


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
        figures = _wrk(f"{url}/1.0/identifiers/{did}", seconds, "")
        rows.append(_row("gateway: resolve a DID (GET /1.0/identifiers)", figures, ()))
        log(f"[gateway] verifying {len(credentials):,} different credentials for {seconds:g} s")
        figures = _wrk(url, seconds, verification_script(credentials))
        rows.append(_row(f"gateway: verify credentials, a pool of {len(credentials):,} (POST /credentials/verify)",
                         figures, (Target("rate", 300), Target("p99", 100))))  # fmt: skip
    return rows
