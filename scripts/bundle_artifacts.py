"""Write the compiled suite the package ships: ``src/thekey/contracts_data/suite.json``.

    python scripts/bundle_artifacts.py [--check]

Compiles ``contracts/`` (the cached build of ``thekey compile``) and writes the bundle
(:mod:`thekey.build.bundle`). With ``--check`` it writes nothing and exits 1 when the checked-in
bundle differs from the build, so a stale bundle cannot reach a wheel.
"""

from __future__ import annotations

import argparse
import sys

from thekey.build import compile_project
from thekey.build.bundle import BUNDLE_PATH, bundle_text, write_bundle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the checked-in bundle is stale")
    args = parser.parse_args()
    build = compile_project()
    if args.check:
        current = BUNDLE_PATH.read_text(encoding="utf-8") if BUNDLE_PATH.is_file() else ""
        if current != bundle_text(build):
            print(f"{BUNDLE_PATH} is stale: run `make artifacts`", file=sys.stderr)
            return 1
        print(f"{BUNDLE_PATH} matches the build")
        return 0
    path = write_bundle(build)
    print(f"wrote {path} ({path.stat().st_size:,} bytes, {len(build.fully_qualified_names())} contracts built)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
