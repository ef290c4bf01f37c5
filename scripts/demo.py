"""Run the product demo: `python scripts/demo.py [--rpc-url URL] [--json]`, or `ape run demo`.

The same library code as `thekey demo` (see `thekey demo --help`).
"""

from __future__ import annotations

import sys

from thekey.cli.main import main as thekey


def main() -> None:
    sys.exit(thekey(["demo", *sys.argv[1:]]) if __name__ == "__main__" else thekey(["demo"]))


if __name__ == "__main__":
    main()
