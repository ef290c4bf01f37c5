"""Events (docs/events.md): indexing throughput from a local node into SQLite and PostgreSQL,
the audit report over that index, and the watch latency from a mined block to its notice.

The events come from ``contracts/test/EventBurst.sol`` (benchmark-only, never deployed by
scripts): each round of ``burst`` emits five real suite event signatures (consent granted, used,
revoked, a token transfer, a credential anchored), 1,000 events per transaction. The index reads
them through the same decoder as the suite's own contracts (the harness is the only contract of
the benchmark's manifest)."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.harness import Bench, Unavailable, log
from benchmarks.model import Target, ThroughputRow
from benchmarks.throughput import _guard, median, timed
from thekey.deploy import Deployment
from thekey.events import EventIndex, Notice, Watcher
from thekey.events.pg_server import PostgresServer, server_binaries
from thekey.workflow.report import build_report

SECTION = "Events"
SQLITE_TARGETS = (Target("rate", 10_000),)  # issue 15
POSTGRES_TARGETS = (Target("rate", 5_000),)
REPORT_TARGETS = (Target("seconds", 2.0),)
WATCH_TARGETS = (Target("seconds", 1.0),)
ROUNDS = 200  # rounds per transaction: 1,000 events
CHUNK = 10  # blocks per step: 10,000 events per eth_getLogs
WATCH_SAMPLES = 10


def _burst(bench: Bench, events: int) -> Deployment:
    """Deploy the harness and emit ``events`` events (a multiple of 1,000, one block per 1,000)."""
    contract, receipt = bench.chain.deploy("EventBurst", sender=bench.deployer)
    sender = bench.deployer.address
    for n in range(max(1, events // (5 * ROUNDS))):
        data = contract.encode_abi("burst", args=[ROUNDS, n])
        bench.chain.rpc("eth_sendTransaction", [{"from": sender, "to": contract.address, "data": data,
                                                 "gas": hex(5_000_000)}])  # fmt: skip
    bench.chain.nonces.reset()
    manifest = {"contracts": {"burst": {"name": "EventBurst", "address": contract.address,
                                        "blockNumber": receipt.block_number}}}  # fmt: skip
    return Deployment(bench.chain, manifest)


def _index_rate(name: str, deployment: Deployment, events: int, repeats: int, new_store: list[str | Path],
                targets: tuple[Target, ...]) -> ThroughputRow:  # fmt: skip
    stores = iter(new_store)
    counts: list[int] = []

    def sync() -> None:
        index = EventIndex(deployment, next(stores))
        counts.append(index.sync(chunk=CHUNK))
        index.close()

    samples = timed(sync, repeats)
    if set(counts) != {events}:
        raise RuntimeError(f"indexed {sorted(set(counts))} events, not {events}")
    return ThroughputRow(name, events, median(samples), samples, targets=targets,
                         note=f"{CHUNK} blocks of 1,000 events per request")  # fmt: skip


def _report(deployment: Deployment, path: Path, events: int, repeats: int) -> ThroughputRow:
    index = EventIndex(deployment, path)
    samples = timed(lambda: build_report(index), repeats)
    return ThroughputRow(f"audit report over {events:,} indexed events (build_report, SQLite)", events,
                         median(samples), samples, targets=REPORT_TARGETS)  # fmt: skip


def _watch_latency(bench: Bench, deployment: Deployment) -> ThroughputRow:
    """From the return of the transaction (Anvil mines it on arrival) to the watcher's notice of
    its first event, at 0 confirmations and the CLI's poll interval (0.2 s)."""
    seen: dict[str, float] = {}
    stop, ready = threading.Event(), threading.Event()

    def follow() -> None:
        index = EventIndex(deployment, from_block=bench.chain.block_number() + 1)  # SQLite: one thread

        def note(notice: Notice) -> None:
            seen.setdefault(notice.event.tx_hash, time.perf_counter())

        ready.set()
        Watcher(index, poll_interval=0.2).run(note, until=stop.is_set)

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    ready.wait(30)
    contract = bench.chain.contract("EventBurst", deployment.address("burst"))
    samples = []
    try:
        for n in range(WATCH_SAMPLES):
            data = contract.encode_abi("burst", args=[1, 10**6 + n])
            tx = bench.chain.rpc("eth_sendTransaction", [{"from": bench.deployer.address, "to": contract.address,
                                                          "data": data, "gas": hex(1_000_000)}])  # fmt: skip
            mined = time.perf_counter()
            deadline = mined + 10
            while tx not in seen and time.perf_counter() < deadline:
                time.sleep(0.005)
            if tx not in seen:
                raise RuntimeError("the watcher did not deliver an event within 10 s")
            samples.append(seen[tx] - mined)
            time.sleep(0.05 * (n % 4))  # land at different points of the poll cycle
    finally:
        stop.set()
        thread.join(10)
        bench.chain.nonces.reset()
    ordered = sorted(samples)
    return ThroughputRow("watch latency: mined block → notice (0 confirmations, poll 0.2 s)", 1, median(samples),
                         samples, targets=WATCH_TARGETS, p99_ms=round(ordered[-1] * 1000, 1),
                         note=f"median of {len(samples)}; p99 = the slowest")  # fmt: skip


def run(bench: Bench) -> list[ThroughputRow]:
    events, repeats = bench.sizes.events, bench.sizes.repeats
    rows: list[ThroughputRow] = []
    snapshot = bench.chain.snapshot()
    folder = Path(tempfile.mkdtemp(prefix="thekey-bench-events-"))
    try:
        log(f"[events] emitting {events:,} events")
        deployment = _burst(bench, events)
        log(f"[events] indexing into SQLite ({repeats}×)")
        sqlite_paths: list[str | Path] = [folder / f"index-{n}.sqlite" for n in range(repeats)]
        rows += _guard(f"index {events:,} events into SQLite", events, lambda: [
            _index_rate(f"index {events:,} events into SQLite (EventIndex.sync)", deployment, events, repeats,
                        sqlite_paths, SQLITE_TARGETS)], SQLITE_TARGETS)  # fmt: skip
        log("[events] the audit report")
        first = folder / "index-0.sqlite"
        rows += _guard(f"audit report over {events:,} events", events,
                       lambda: [_report(deployment, first, events, repeats)], REPORT_TARGETS)  # fmt: skip
        log(f"[events] indexing into PostgreSQL ({repeats}×)")

        def postgres() -> list[ThroughputRow]:
            if server_binaries() is None:
                raise Unavailable("the PostgreSQL server binaries are not installed (make setup installs them)")
            with PostgresServer(durable=True) as server:
                urls: list[str | Path] = [server.new_database() for _ in range(repeats)]
                return [_index_rate(f"index {events:,} events into PostgreSQL (EventIndex.sync)", deployment, events,
                                    repeats, urls, POSTGRES_TARGETS)]  # fmt: skip

        rows += _guard(f"index {events:,} events into PostgreSQL", events, postgres, POSTGRES_TARGETS)
        log("[events] watch latency")
        rows += _guard("watch latency", 1, lambda: [_watch_latency(bench, deployment)], WATCH_TARGETS)
    finally:
        bench.chain.revert_to(snapshot)
        bench.chain.nonces.reset()
        shutil.rmtree(folder, ignore_errors=True)
    return rows
