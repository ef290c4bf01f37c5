"""The compiled suite shipped inside the package (``thekey/contracts_data/suite.json``).

An installed wheel talks to deployed contracts without Node.js, solc or this repository: the
bundle holds, for every contract the suite's sources reach (OpenZeppelin's included, so errors
decode by name), its ABI and bytecode, and the compiler settings and source hashes it came from.
Harness contracts (``contracts/test/``) are left out. ``make artifacts`` writes it from a build
of ``contracts/``; a test checks that a fresh build gives the same bytes.

The JSON is deterministic: keys sorted, one-space indent, a final newline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from thekey.build.artifacts import BUNDLE_PATH, Artifacts

HARNESS_PREFIX = "contracts/test/"
FORMAT = 1


def _suite_units(build: Artifacts) -> set[str]:
    """Every source unit a non-harness project contract was compiled from (from its metadata)."""
    units: set[str] = set()
    for fq in build.fully_qualified_names():
        unit = fq.rpartition(":")[0]
        if unit.startswith("contracts/") and not unit.startswith(HARNESS_PREFIX):
            units.add(unit)
            units.update(json.loads(build.get(fq).data["metadata"])["sources"])
    return units


def bundle_of(build: Artifacts) -> dict[str, Any]:
    """The bundle of a build folder (see the module docstring)."""
    units = _suite_units(build)
    contracts: dict[str, Any] = {}
    for fq in build.fully_qualified_names():
        if fq.rpartition(":")[0] not in units:
            continue
        d = build.get(fq).data
        entry = {key: d[key] for key in ("abi", "bytecode", "deployedBytecode", "linkReferences",
                                         "immutableReferences")}  # fmt: skip
        if d["bytecode"] != "0x":
            # the solc metadata: exact settings and the keccak256 of every source, for verification
            entry["metadata"] = json.loads(d["metadata"])
        contracts[fq] = entry
    index = build.index
    return {
        "format": FORMAT,
        "compiler": {"version": index["solcVersion"], "settings": index.get("settings", {})},
        "sourceHashes": {u: h for u, h in index["source_hashes"].items() if u in units},
        "enums": index.get("enums", {}),
        "contracts": contracts,
    }


def bundle_text(build: Artifacts) -> str:
    return json.dumps(bundle_of(build), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_bundle(build: Artifacts, path: Path = BUNDLE_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(bundle_text(build), encoding="utf-8")
    return path
