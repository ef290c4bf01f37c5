"""Writing the results: ``gas.json``, ``throughput.json``, ``README.md`` (tables with PASS/FAIL),
``gas.png`` (gas per operation against the references) and ``batch.png`` (anchoring cost per
credential against the batch size)."""

from __future__ import annotations

import json
import platform
import re
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.floors import MODEL_MARKDOWN
from benchmarks.model import FAIL, NOT_MEASURED, PASS, GasRow, ThroughputRow
from thekey.chain import Chain
from thekey.chain.anvil import anvil_binary
from thekey.config import compiler_settings, project_root

BATCH_PREFIX = "batch anchor"


def _run(args: list[str]) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=20, cwd=project_root())
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def environment(chain: Chain | None = None) -> dict[str, Any]:
    """The commit and tool versions the results came from."""
    commit = _run(["git", "rev-parse", "--short", "HEAD"]) or "unknown"
    dirty = bool(_run(["git", "status", "--porcelain", "--untracked-files=no"]))
    anvil = _run([str(anvil_binary()), "--version"]).splitlines()
    settings = compiler_settings()
    env: dict[str, Any] = {
        "commit": commit + ("-dirty" if dirty else ""),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "solc": f"{settings.version} (evm {settings.evm_version}, optimizer {settings.runs} runs)",
        "anvil": anvil[0].removeprefix("anvil Version: ").strip() if anvil else "unknown",
        "python": platform.python_version(),
        "web3": version("web3"),
        "openzeppelin": _npm_version("@openzeppelin/contracts"),
        "eas": _npm_version("@ethereum-attestation-service/eas-contracts"),
        "ethr-did-registry": _npm_version("ethr-did-registry"),
        "solady": _npm_version("solady"),
        "machine": f"{platform.machine()}, {_cpus()} cores",
    }
    if chain is not None:
        try:
            info = chain.rpc("anvil_nodeInfo")
            env["hardfork"] = str(info.get("hardFork") or info.get("hardfork") or "")
        except Exception:
            env["hardfork"] = ""
    return env


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


def _npm_version(package: str) -> str:
    try:
        return str(json.loads((project_root() / "node_modules" / package / "package.json").read_text())["version"])
    except (OSError, KeyError, ValueError):
        return "missing"


# -- JSON ---------------------------------------------------------------------------------


def write_json(path: Path, env: dict[str, Any], rows: Iterable[GasRow | ThroughputRow]) -> None:
    path.write_text(json.dumps({"environment": env, "rows": [r.to_json() for r in rows]}, indent=1) + "\n")


# -- Markdown -----------------------------------------------------------------------------


def _gas(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}×"


def _status(status: str) -> str:
    return {PASS: "**PASS**", FAIL: "**FAIL**"}.get(status, status)


def gas_table(rows: list[GasRow]) -> str:
    lines = []
    for section in dict.fromkeys(r.section for r in rows):
        lines += [f"### {section}", "",
                  "| operation | ours | reference | ref. gas | ours / ref. | floor | ours / floor | target | result |",
                  "|---|---:|---|---:|---:|---:|---:|---|---|"]  # fmt: skip
        for r in (r for r in rows if r.section == section):
            op = r.operation + (f" ({r.note})" if r.note else "")
            floor = f"{_gas(r.floor)} ({r.floor_model})" if r.floor else "—"
            lines.append(
                f"| {op} | {_gas(r.ours)} | {r.reference_name or '—'} | {_gas(r.reference)} | {_ratio(r.ratio)} "
                f"| {floor} | {_ratio(r.floor_ratio)} | {', '.join(t.text() for t in r.targets) or '—'} "
                f"| {_status(r.status) or '—'} |"
            )
        lines.append("")
    return "\n".join(lines)


def throughput_table(rows: list[ThroughputRow]) -> str:
    lines = ["| workload | items | median s | items/s | baseline | baseline s | speed-up | target | result |",
             "|---|---:|---:|---:|---|---:|---:|---|---|"]  # fmt: skip
    for r in rows:
        note = ", ".join(filter(None, [r.note, f"p99 {r.p99_ms:.1f} ms" if r.p99_ms is not None else ""]))
        name = r.name + (f" ({note})" if note else "")
        rate = "—" if r.rate is None else f"{r.rate:,.0f}"
        secs = "—" if r.seconds is None else f"{r.seconds:.3f}"
        base = "—" if r.baseline_seconds is None else f"{r.baseline_seconds:.3f}"
        speed = "—" if r.speedup is None else f"{r.speedup:.1f}×"
        lines.append(f"| {name} | {r.items:,} | {secs} | {rate} | {r.baseline_name or '—'} | {base} | {speed} "
                     f"| {', '.join(t.text() for t in r.targets) or '—'} | {_status(r.status) or '—'} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def headline(gas: list[GasRow], throughput: list[ThroughputRow]) -> list[str]:
    """One line per target-bearing row: what it measured and whether it met its target."""
    out = []
    for r in gas:
        if r.targets:
            value = ", ".join(filter(None, [f"{_ratio(r.ratio)} {r.reference_name}" if r.reference else "",
                                            f"{_ratio(r.floor_ratio)} floor" if r.floor else ""]))  # fmt: skip
            out.append(f"- {r.section} · {r.operation}: {value or r.note} — {r.status}")
    for t in throughput:
        if t.targets:
            bits = [f"{t.rate:,.0f}/s" if t.rate else "", f"{t.speedup:.1f}× {t.baseline_name}" if t.speedup else "",
                    f"p99 {t.p99_ms:.1f} ms" if t.p99_ms is not None else ""]  # fmt: skip
            if t.seconds is not None and any(x.kind == "seconds" for x in t.targets):
                bits = [f"median {t.seconds:.3f} s"]
            out.append(f"- {t.name}: {', '.join(b for b in bits if b) or t.note} — {t.status}")
    return out


def summary_counts(gas: list[GasRow], throughput: list[ThroughputRow]) -> dict[str, int]:
    statuses = [r.status for r in gas] + [t.status for t in throughput]
    return {s: statuses.count(s) for s in (PASS, FAIL, NOT_MEASURED)}


def markdown(env: dict[str, Any], gas: list[GasRow], throughput: list[ThroughputRow]) -> str:
    counts = summary_counts(gas, throughput)
    run_keys = ("commit", "date", "seconds", "repeats", "baseline_repeats")
    versions = ", ".join(f"{k} {v}" for k, v in env.items() if k not in run_keys)
    return "\n".join([
        "# Benchmark results",
        "",
        f"Generated by `make bench` (`python -m benchmarks`) at commit `{env.get('commit')}` on {env.get('date')}.",
        f"Tools: {versions}. The whole run took {env.get('seconds', '?')} s.",
        "",
        "Gas is the `gasUsed` of the transaction receipt, on one Anvil, in one run, with every reference "
        "compiled by the same solc with the same settings. The benchmark reports; it does not fail the build. "
        f"Targets: {counts[PASS]} PASS, {counts[FAIL]} FAIL, {counts[NOT_MEASURED]} not measured.",
        "",
        "## Headline",
        "",
        *headline(gas, throughput),
        "",
        "## Gas",
        "",
        "Ratios below 1 are cheaper than the reference. Batch rows are per credential (gas ÷ N).",
        "",
        gas_table(gas),
        "![gas per operation](gas.png)",
        "",
        "![batch cost per credential](batch.png)",
        "",
        "## SDK throughput",
        "",
        f"Wall-clock seconds on this machine, median of {env.get('repeats', '?')} repeats; the per-item "
        "baselines (one transaction or one eth_call per credential) are timed "
        f"{env.get('baseline_repeats', '?')} time(s), each sample aggregating thousands of operations. "
        "Timings are reported, never asserted by the tests.",
        "",
        throughput_table(throughput),
        "## The analytic floor",
        "",
        MODEL_MARKDOWN,
    ])  # fmt: skip


# -- charts -------------------------------------------------------------------------------


def _chart_label(r: GasRow) -> str:
    op = r.operation if len(r.operation) <= 44 else r.operation[:43] + "…"
    if not r.reference:
        return f"{r.section}: {op}"
    first = r.reference_name.split(" ")[0]
    ref = f"{first} transfers" if first.isdigit() else first
    return f"{r.section}: {op} vs {ref}"


def gas_chart(path: Path, rows: list[GasRow]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r.ours is not None and r.per == 1 and (r.reference or r.floor)]
    labels = [_chart_label(r) for r in shown]
    height = max(3.0, 0.32 * len(shown) + 1.2)
    fig, ax = plt.subplots(figsize=(13, height))
    ys = list(range(len(shown)))
    ax.barh([y - 0.2 for y in ys], [r.ours or 0 for r in shown], height=0.4, label="TheKey", color="#2b6cb0")
    ax.barh([y + 0.2 for y in ys], [r.reference or 0 for r in shown], height=0.4, label="reference",
            color="#a0aec0")  # fmt: skip
    floors = [(r.floor, y) for r, y in zip(shown, ys, strict=True) if r.floor]
    if floors:
        ax.scatter([f for f, _ in floors], [y for _, y in floors], marker="|", s=200, color="#c53030",
                   label="analytic floor", zorder=3)  # fmt: skip
    ax.set_yticks(ys, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("gasUsed")
    ax.set_title("Gas per operation: TheKey against the references")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def batch_chart(path: Path, rows: list[GasRow]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    batch = sorted((r for r in rows if r.operation.startswith(BATCH_PREFIX) and r.ours is not None),
                   key=lambda r: r.per)  # fmt: skip
    fig, ax = plt.subplots(figsize=(8, 5))
    if batch:
        ns = [r.per for r in batch]
        ax.plot(ns, [r.ours or 0 for r in batch], "o-", label="TheKey anchorBatch, per credential", color="#2b6cb0")
        ref = [(r.per, r.reference) for r in batch if r.reference]
        if ref:
            ax.plot([n for n, _ in ref], [g for _, g in ref], "s-", label="EAS multiAttest, per attestation",
                    color="#718096")  # fmt: skip
        fl = [(r.per, r.floor) for r in batch if r.floor]
        if fl:
            ax.plot([n for n, _ in fl], [g for _, g in fl], ":", label="analytic floor, per credential",
                    color="#c53030")  # fmt: skip
        single = next((r for r in rows if r.operation == "anchor (single)" and r.ours), None)
        if single and single.ours:
            ax.axhline(single.ours, linestyle="--", color="#2f855a", label="TheKey single anchor")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "batch anchoring not measured", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("credentials per batch (N)")
    ax.set_ylabel("gas per credential")
    ax.set_title("Anchoring cost per credential against batch size")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _splice(old: list[Any], new: list[Any], ours: Any) -> list[Any]:
    """``old`` with the items ``ours`` selects replaced by ``new``, where the first of them was."""
    at = next((i for i, item in enumerate(old) if ours(item)), len(old))
    kept = [item for item in old if not ours(item)]
    return kept[:at] + new + kept[at:]


def replace_throughput_rows(out: Path, prefix: str, rows: list[ThroughputRow]) -> list[Path]:
    """Regenerate only the throughput rows named ``prefix…`` in ``out`` (``throughput.json`` and
    the README's headline, table and target counts), keeping every other row as measured."""
    json_path, readme = out / "throughput.json", out / "README.md"
    data = json.loads(json_path.read_text())
    data["rows"] = _splice(data["rows"], [r.to_json() for r in rows], lambda r: r["name"].startswith(prefix))
    json_path.write_text(json.dumps(data, indent=1) + "\n")
    lines = readme.read_text().splitlines()
    lines = _splice(lines, headline([], rows), lambda line: line.startswith("- " + prefix))
    table = throughput_table(rows).splitlines()[2:]
    lines = _splice(lines, table, lambda line: line.startswith("| " + prefix))
    gas = json.loads((out / "gas.json").read_text())["rows"]
    statuses = [r["status"] for r in gas + data["rows"]]
    counts = (f"Targets: {statuses.count(PASS)} PASS, {statuses.count(FAIL)} FAIL, "
              f"{statuses.count(NOT_MEASURED)} not measured.")  # fmt: skip
    lines = [re.sub(r"Targets: \d+ PASS, \d+ FAIL, \d+ not measured\.", counts, line) for line in lines]
    readme.write_text("\n".join(lines) + "\n")
    return [json_path, readme]


def write_all(out: Path, env: dict[str, Any], gas: list[GasRow], throughput: list[ThroughputRow]) -> list[Path]:
    """Write every result file into ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    files = [out / n for n in ("gas.json", "throughput.json", "README.md", "gas.png", "batch.png")]
    write_json(files[0], env, gas)
    write_json(files[1], env, throughput)
    files[2].write_text(markdown(env, gas, throughput))
    gas_chart(files[3], gas)
    batch_chart(files[4], gas)
    return files
