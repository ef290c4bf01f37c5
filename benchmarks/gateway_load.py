"""HTTP load on the gateway (``thekey serve``), from a second process: ``wrk`` (C, keep-alive
connections) drives uvicorn serving the gateway over the bench's suite, on the same 2 cores.

- resolve a DID with a few changes (``GET /1.0/identifiers/{did}``);
- fetch an issuer's status list (``GET /status-lists/…``), as the gateway serves it from its cache
  (re-read from the chain once a second, re-signed only when the bits change);
- verify credentials (``POST /credentials/verify``), each request a different anchored
  credential out of a pool, so no cache of any kind can answer for the verifier.

Each row: requests per second over the run, p99 latency, and zero non-2xx answers required.
``wrk`` comes from Debian's packages (``apt-get install wrk``); without it ``benchmarks.loadgen``
(Python, slower per request) drives the load and the rows say so.

``python -m benchmarks.gateway_load`` measures these rows alone (on a fresh Anvil and suite) and
replaces only the ``gateway:`` rows in ``benchmarks/results``.
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

from eth_account.signers.local import LocalAccount

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


PREFIX = "gateway: "
LIST_TARGETS = (Target("rate", 1_000),)  # issue 19
VERIFY_TARGETS = (Target("rate", 300), Target("p99", 100))  # issue 19


@contextmanager
def _gateway(bench: Bench, status_key: LocalAccount) -> Iterator[str]:
    from thekey.gateway.app import GatewayConfig, create_app
    from thekey.gateway.server import serving
    from thekey.gateway.status_lists import StatusListConfig

    config = GatewayConfig(rate_per_second=1e9, burst=10**9, status=StatusListConfig(key=status_key))
    with serving(create_app(bench.require_deployment("credentials"), config)) as url:
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


def _status_list_path(bench: Bench, issuer: LocalAccount) -> tuple[str, LocalAccount]:
    """The path of ``issuer``'s revocation list, once it authorised a fresh status key in its DID."""
    from thekey.credentials import CredentialRegistry
    from thekey.gateway.status_lists import KEY_ATTRIBUTE, public_key_hex
    from thekey.identity.registry import EIDRegistry

    deployment = bench.require_deployment("credentials")
    key = bench.fresh_account(eth=0)
    value = bytes.fromhex(public_key_hex(key)[2:])
    EIDRegistry.from_deployment(deployment).set_attribute(issuer, issuer.address, KEY_ATTRIBUTE, value, 86_400)
    registry = CredentialRegistry.from_deployment(deployment).address
    return f"/status-lists/{bench.chain.chain_id}/{registry}/{issuer.address}/revocation", key


def run(bench: Bench, credentials: list[dict[str, Any]], issuer: LocalAccount) -> list[ThroughputRow]:
    """The load rows, given anchored ``credentials`` of ``issuer`` (a DID with three changes is made here)."""
    seconds = bench.sizes.load_seconds
    did = _did_with_history(bench)
    list_path, status_key = _status_list_path(bench, issuer)
    rows = []
    with _gateway(bench, status_key) as url:
        log(f"[gateway] resolving {did} for {seconds:g} s")
        figures = load(url, f"/1.0/identifiers/{did}", seconds)
        rows.append(_row(PREFIX + "resolve a DID (GET /1.0/identifiers)", figures, ()))
        log(f"[gateway] fetching {issuer.address}'s status list for {seconds:g} s")
        figures = load(url, list_path, seconds)
        rows.append(_row(PREFIX + "fetch a status list, cached (GET /status-lists/…)", figures, LIST_TARGETS))
        log(f"[gateway] verifying {len(credentials):,} different credentials for {seconds:g} s")
        bodies = [{"verifiableCredential": c} for c in credentials]
        figures = load(url, "/credentials/verify", seconds, bodies)
        rows.append(_row(PREFIX + f"verify credentials, a pool of {len(credentials):,} (POST /credentials/verify)",
                         figures, VERIFY_TARGETS))  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    """Measure the gateway rows alone and replace them in the results (the other rows stay)."""
    import argparse

    from benchmarks.harness import Sizes
    from benchmarks.report import replace_throughput_rows
    from benchmarks.run import BLOCK_GAS_LIMIT, RESULTS, make_bench
    from benchmarks.throughput import _issue
    from thekey.build import compile_project
    from thekey.chain import Anvil, Chain, dev_accounts
    from thekey.credentials import anchor_batch
    from thekey.deploy import deploy_suite

    parser = argparse.ArgumentParser(prog="python -m benchmarks.gateway_load", description=main.__doc__)
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results folder (default {RESULTS})")
    parser.add_argument("--seconds", type=float, default=Sizes().load_seconds, help="each load run, in seconds")
    parser.add_argument("--pool", type=int, default=1_000, help="different credentials to verify")
    args = parser.parse_args(argv)
    artifacts = compile_project()
    with Anvil(accounts=20, extra_args=["--gas-limit", str(BLOCK_GAS_LIMIT)]) as node:
        chain = Chain.connect(node.url, expected_chain_id=node.chain_id, artifacts=artifacts, receipt_timeout=120)
        accounts = dev_accounts(20)
        deployment = deploy_suite(chain, accounts[0], write=False)
        bench = make_bench(chain, accounts, deployment, Sizes(load_seconds=args.seconds))
        log(f"[gateway] issuing and anchoring {args.pool:,} credentials")
        cs = _issue(bench, args.pool)
        credentials = []
        for k in range(0, len(cs.items), 250):
            credentials += [i.credential for i in anchor_batch(cs.registry, cs.issuer, cs.items[k : k + 250])[2]]
        rows = run(bench, credentials, cs.issuer)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    for r in rows:  # the README's header names the commit of the full run, not of these rows
        r.note += f"; measured alone at commit {commit.stdout.strip() or '?'}"
    for path in replace_throughput_rows(args.out, PREFIX, rows):
        log(f"[gateway] wrote {path}")
    from benchmarks.report import headline

    print("\n".join(headline([], rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
