"""The floor model and the row arithmetic of the benchmark report (pure, no chain)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.floors import CLEAR_REFUND, SSTORE_NEW, SSTORE_UPDATE, TX, Floor, LogShape, calldata_cost
from benchmarks.model import FAIL, NOT_MEASURED, PASS, GasRow, Target, ThroughputRow
from benchmarks.report import headline, replace_throughput_rows, write_all


def test_floor__calldata_costs_4_per_zero_and_16_per_nonzero_byte() -> None:
    assert calldata_cost(b"\x00\x00\x01\xff") == 4 + 4 + 16 + 16


def test_floor__adds_writes_and_logs_to_the_transaction_cost() -> None:
    log = LogShape(topics=3, data=32)
    assert log.gas == 375 + 3 * 375 + 8 * 32
    floor = Floor(new=1, updates=1, logs=(log,))
    assert floor.gas(b"") == TX + SSTORE_NEW + SSTORE_UPDATE + log.gas
    assert floor.describe() == "1 new, 1 upd, LOG3+32B"


def test_floor__subtracts_clear_refunds_capped_at_a_fifth() -> None:
    assert Floor(clears=1).gas(b"") == TX + 5_000 - CLEAR_REFUND
    assert Floor(clears=3).gas(b"") == TX + 15_000 - (TX + 15_000) // 5  # the cap binds


def test_floor__never_below_the_eip7623_calldata_floor() -> None:
    data = b"\xff" * 1_000
    assert Floor().gas(data) == TX + 10 * 4 * 1_000


def test_row__ratios_and_status_follow_the_targets() -> None:
    row = GasRow("S", "op", 30_000, "ref", 100_000, floor=25_000,
                 targets=(Target("reference", 0.30), Target("floor", 1.15)))  # fmt: skip
    assert row.ratio == 0.3 and row.floor_ratio == 1.2
    assert row.status == FAIL
    row.floor = 27_000
    assert row.status == PASS
    assert GasRow("S", "op", None, note="not measured: x").status == NOT_MEASURED
    assert GasRow("S", "op", 1).status == ""


def test_throughput_row__rate_speedup_and_status() -> None:
    row = ThroughputRow("verify", 2_000, 0.5, [0.5], "per credential", 10.0,
                        targets=(Target("speedup", 10), Target("rate", 3_000)))  # fmt: skip
    assert row.rate == 4_000 and row.speedup == 20
    assert row.status == PASS
    row.seconds = 1.0
    assert row.status == FAIL
    assert Target("rate", 3_000).text() == "≥ 3,000/s"


def test_throughput_row__a_seconds_target_bounds_the_median() -> None:
    target = Target("seconds", 1.0)
    row = ThroughputRow("resolve a DID with 1,000 changes", 1, 0.4, [0.4, 0.5, 0.3], targets=(target,))
    assert row.status == PASS and target.upper and target.text() == "median ≤ 1 s"
    assert headline([], [row]) == ["- resolve a DID with 1,000 changes: median 0.400 s — PASS"]
    row.seconds = 1.2
    assert row.status == FAIL
    assert ThroughputRow("resolve", 1, None, targets=(target,)).status == NOT_MEASURED


def test_report__replacing_one_sections_rows_keeps_the_others_and_recounts(tmp_path: Path) -> None:
    gas = [GasRow("S", "op", 30_000, "ref", 100_000, targets=(Target("reference", 0.5),))]
    keep = ThroughputRow("verify N", 10, 1.0, [1.0], targets=(Target("rate", 5),))
    old = ThroughputRow("gateway: fetch", 10, 1.0, [1.0], targets=(Target("rate", 1_000),), p99_ms=3.0)
    last = ThroughputRow("resolve", 1, 0.5, [0.5])
    write_all(tmp_path, {"commit": "abc"}, gas, [keep, old, last])
    assert "Targets: 2 PASS, 1 FAIL, 0 not measured." in (tmp_path / "README.md").read_text()
    new = ThroughputRow("gateway: fetch", 5_000, 1.0, [1.0], targets=(Target("rate", 1_000),), p99_ms=2.0)
    replace_throughput_rows(tmp_path, "gateway: ", [new])
    rows = json.loads((tmp_path / "throughput.json").read_text())["rows"]
    assert [(r["name"], r["items"]) for r in rows] == [("verify N", 10), ("gateway: fetch", 5_000), ("resolve", 1)]
    readme = (tmp_path / "README.md").read_text()
    assert "Targets: 3 PASS, 0 FAIL, 0 not measured." in readme
    assert "- gateway: fetch: 5,000/s, p99 2.0 ms — PASS" in readme
    assert readme.count("| gateway: fetch") == 1 and "| 5,000 |" in readme
