"""placeholder"""

from __future__ import annotations

from benchmarks.harness import Bench
from benchmarks.model import ThroughputRow


def run(bench: Bench) -> list[ThroughputRow]:
    return []
