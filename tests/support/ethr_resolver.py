"""The real npm ``ethr-did-resolver`` (through Node.js) as the reference for our DID documents."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).parents[1] / "identity" / "resolve_ethr.cjs"


def require_npm_resolver() -> None:
    """Skip (with the reason) where Node.js or the npm packages are missing."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    if not (Path(__file__).parents[2] / "node_modules" / "ethr-did-resolver").is_dir():
        pytest.skip("ethr-did-resolver is not installed (npm ci)")


def npm_resolve(url: str, registry: str, chain_id: int, now: int, dids: list[str]) -> list[dict[str, Any]]:
    """Resolve ``dids`` with ethr-did-resolver against ``registry``, its clock pinned to ``now``."""
    config = {"rpcUrl": url, "registry": registry, "chainId": chain_id, "now": now, "dids": dids}
    out = subprocess.run(
        [shutil.which("node") or "node", str(SCRIPT), json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result: list[dict[str, Any]] = json.loads(out.stdout)
    return result
