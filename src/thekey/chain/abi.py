"""ABI type strings as solc and the 4-byte selectors spell them."""

from __future__ import annotations

from typing import Any


def canonical_type(item: dict[str, Any]) -> str:
    """The canonical type of an ABI input or output: tuples as ``(t1,t2,…)`` with array suffixes."""
    t = str(item["type"])
    if t.startswith("tuple"):
        return "(" + ",".join(canonical_type(c) for c in item["components"]) + ")" + t[len("tuple") :]
    return t
