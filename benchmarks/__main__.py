"""``python -m benchmarks`` (``make bench``): gas against the references, SDK throughput, charts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.harness import QUICK, Sizes
from benchmarks.report import headline
from benchmarks.run import RATE_SECTIONS, RESULTS, SECTIONS, main


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results folder (default {RESULTS})")
    parser.add_argument("--quick", action="store_true", help="tiny workloads (a smoke run, not for publishing)")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted([*SECTIONS, *RATE_SECTIONS]),
        help="measure only this section (a gas section, or events)",
    )
    parser.add_argument("--no-throughput", action="store_true", help="skip the SDK throughput workloads")
    args = parser.parse_args(argv)
    result = main(args.out, QUICK if args.quick else Sizes(), args.only, not args.no_throughput)
    print("\n".join(headline(result["gas"], result["throughput"])))
    return 0


if __name__ == "__main__":
    sys.exit(cli())
