"""Deploy the suite: `python scripts/deploy.py [--rpc-url URL]`, or `ape run deploy`.

The same library code as `thekey deploy` (see `thekey deploy --help` for the options).
"""

from __future__ import annotations

import sys

from thekey.cli.main import main as thekey


def main() -> None:
    sys.exit(thekey(["deploy", *sys.argv[1:]]) if __name__ == "__main__" else thekey(["deploy"]))


if __name__ == "__main__":
    main()
