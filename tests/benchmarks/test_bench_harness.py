"""Smoke test of the benchmark harness (``make bench``) at tiny sizes, so it cannot silently rot:
every section measures, every row is well-formed, and the result files are written.
Figures are never asserted against targets here (the benchmark reports; it does not gate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

import benchmarks
from benchmarks.harness import QUICK
from benchmarks.model import FAIL, NOT_MEASURED, PASS, GasRow, ThroughputRow
from benchmarks.report import environment, write_all
from benchmarks.run import SECTIONS, make_bench, measure
from thekey.chain import Chain
from thekey.deploy import Deployment

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results(
    chain: Chain, accounts: list[LocalAccount], deployment: Deployment
) -> tuple[list[GasRow], list[ThroughputRow]]:
    snapshot = chain.snapshot()
    try:
        bench = make_bench(chain, accounts, deployment, QUICK)
        return measure(bench)
    finally:
        chain.revert_to(snapshot)


def test_harness__is_this_projects_package() -> None:
    assert Path(benchmarks.__file__).resolve().parent == Path(__file__).resolve().parents[2] / "benchmarks"


def test_harness__every_section_is_measured(results: tuple[list[GasRow], list[ThroughputRow]]) -> None:
    gas, _ = results
    sections = {name for name, _ in SECTIONS.values()}
    assert {r.section for r in gas} == sections
    missing = [f"{r.section}: {r.operation}: {r.note}" for r in gas if r.status == NOT_MEASURED]
    assert not missing


def test_harness__gas_rows_are_well_formed(results: tuple[list[GasRow], list[ThroughputRow]]) -> None:
    gas, _ = results
    for r in gas:
        assert r.operation and isinstance(r.ours, int) and r.ours > 0, r
        if r.per == 1:
            assert r.ours > 21_000, r
        if r.reference is not None:
            assert r.reference > 0 and r.ratio is not None and r.reference_name, r
        if r.floor is not None:
            assert r.floor_model, r
            assert r.floor <= r.ours, f"the floor must be a lower bound: {r}"
        if r.targets:
            assert r.status in (PASS, FAIL), r
        json.dumps(r.to_json())


def test_harness__covers_the_issue_operations(results: tuple[list[GasRow], list[ThroughputRow]]) -> None:
    ops = {(r.section, r.operation.split(" (")[0].split(",")[0]) for r in results[0]}
    for expected in [("Token", "transfer → fresh holder"), ("Token", "permit"), ("Token", "transferFrom"),
                     ("DID", "changeOwner"), ("DID", "revokeAttribute signed"), ("Credentials", "anchor"),
                     ("Credentials", "revoke"), ("Credentials", "batch anchor"), ("Consent", "grant"),
                     ("Consent", "record use"), ("Data routes", "publish"), ("Escrow", "settle"),
                     ("Escrow", "withdraw")]:  # fmt: skip
        assert expected in ops, expected
    batch = [r for r in results[0] if r.operation.startswith("batch anchor")]
    assert sorted(r.per for r in batch) == sorted(QUICK.batch_ns)


def test_harness__throughput_rows_are_well_formed(results: tuple[list[GasRow], list[ThroughputRow]]) -> None:
    _, rates = results
    assert len(rates) >= 4
    for t in rates:
        assert t.seconds is not None and t.seconds >= 0, t
        assert t.items > 0 and t.samples, t
        if t.targets:
            assert t.status in (PASS, FAIL), t
        json.dumps(t.to_json())


def test_harness__writes_every_result_file(results: tuple[list[GasRow], list[ThroughputRow]], chain: Chain,
                                           tmp_path: Path) -> None:  # fmt: skip
    gas, rates = results
    files = write_all(tmp_path, environment(chain), gas, rates)
    assert [f.name for f in files] == ["gas.json", "throughput.json", "README.md", "gas.png", "batch.png"]
    data = json.loads((tmp_path / "gas.json").read_text())
    assert {"commit", "solc", "anvil", "python", "web3"} <= set(data["environment"])
    assert len(data["rows"]) == len(gas)
    assert len(json.loads((tmp_path / "throughput.json").read_text())["rows"]) == len(rates)
    readme = (tmp_path / "README.md").read_text()
    assert "| operation | ours | reference |" in readme and data["environment"]["commit"] in readme
    for r in gas:
        assert r.operation in readme
    for png in ("gas.png", "batch.png"):
        assert (tmp_path / png).read_bytes()[:8] == PNG_MAGIC
