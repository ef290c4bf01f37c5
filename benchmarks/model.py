"""The records a benchmark run produces: gas rows, throughput rows, and their targets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

PASS = "PASS"
FAIL = "FAIL"
NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Target:
    """A bound on a ratio: ``kind`` "reference" (ours / reference), "floor" (ours / floor),
    "speedup" (baseline time / ours), "rate" (items per second), "p99" (99th-percentile
    latency, milliseconds) or "seconds" (the median wall-clock time of the whole workload)."""

    kind: Literal["reference", "floor", "speedup", "rate", "p99", "seconds"]
    bound: float

    @property
    def upper(self) -> bool:
        return self.kind in ("reference", "floor", "p99", "seconds")

    def text(self) -> str:
        if self.kind == "reference":
            return f"≤ {self.bound:.2f}× ref"
        if self.kind == "floor":
            return f"≤ {self.bound:.2f}× floor"
        if self.kind == "speedup":
            return f"≥ {self.bound:g}× baseline"
        if self.kind == "p99":
            return f"p99 ≤ {self.bound:g} ms"
        if self.kind == "seconds":
            return f"median ≤ {self.bound:g} s"
        return f"≥ {self.bound:,.0f}/s"

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value <= self.bound if self.upper else value >= self.bound


def _status(checks: list[bool | None]) -> str:
    if not checks:
        return ""
    if any(c is None for c in checks):
        return NOT_MEASURED
    return PASS if all(checks) else FAIL


@dataclass
class GasRow:
    """One operation: our gasUsed beside a reference's and the analytic floor.

    For a batch row ``per`` is the batch size and every figure is per item (gas / per)."""

    section: str
    operation: str
    ours: int | None
    reference_name: str = ""
    reference: int | None = None
    floor: int | None = None
    floor_model: str = ""
    targets: tuple[Target, ...] = ()
    per: int = 1
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.reference:
            return None
        return self.ours / self.reference

    @property
    def floor_ratio(self) -> float | None:
        if self.ours is None or not self.floor:
            return None
        return self.ours / self.floor

    @property
    def status(self) -> str:
        if self.ours is None:
            return NOT_MEASURED
        values = {"reference": self.ratio, "floor": self.floor_ratio}
        return _status([t.met(values.get(t.kind)) for t in self.targets])

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["targets"] = [t.text() for t in self.targets]
        d["ratio"] = None if self.ratio is None else round(self.ratio, 4)
        d["floor_ratio"] = None if self.floor_ratio is None else round(self.floor_ratio, 4)
        d["status"] = self.status
        return d


def not_measured(section: str, operation: str, reason: str, targets: tuple[Target, ...] = ()) -> GasRow:
    return GasRow(section, operation, None, targets=targets, note=f"not measured: {reason}")


@dataclass
class ThroughputRow:
    """One SDK workload: ``items`` handled in ``seconds`` (median of ``samples``), optionally
    beside a baseline workload doing the same items another way."""

    name: str
    items: int
    seconds: float | None
    samples: list[float] = field(default_factory=list)
    baseline_name: str = ""
    baseline_seconds: float | None = None
    targets: tuple[Target, ...] = ()
    note: str = ""
    p99_ms: float | None = None  # request latency, for the HTTP load rows

    @property
    def rate(self) -> float | None:
        return self.items / self.seconds if self.seconds else None

    @property
    def speedup(self) -> float | None:
        if not self.seconds or not self.baseline_seconds:
            return None
        return self.baseline_seconds / self.seconds

    @property
    def status(self) -> str:
        if self.seconds is None:
            return NOT_MEASURED
        values = {"speedup": self.speedup, "rate": self.rate, "p99": self.p99_ms, "seconds": self.seconds}
        return _status([t.met(values.get(t.kind)) for t in self.targets])

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["targets"] = [t.text() for t in self.targets]
        d["rate_per_s"] = None if self.rate is None else round(self.rate, 1)
        d["speedup"] = None if self.speedup is None else round(self.speedup, 2)
        d["status"] = self.status
        return d
