"""Every custom error declared in ``contracts/`` is triggered and asserted by name in at least
one test, and every event is asserted in at least one test.

The lists come from the compiled ABIs of the deployed suite, restricted to what the project's
own sources declare (OpenZeppelin's errors are OpenZeppelin's to test); "asserted" means the
name appears as a string literal in a test module (``exc.value.name == "X"``,
``events(receipt, "X")``) or as an expected error in ``access_matrix.yaml``. A new error or
event without a test fails here, listing the uncovered ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from thekey.build import Artifacts
from thekey.config import project_root
from thekey.deploy import SUITE

ROOT = project_root()
HERE = Path(__file__).resolve()


def _declared(kind: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "contracts").rglob("*.sol"):
        if "/test/" not in path.as_posix() and "/.cache/" not in path.as_posix():
            names |= set(re.findall(rf"^\s*{kind}\s+(\w+)\s*\(", path.read_text(), re.M))
    return names


def _in_suite_abis(artifacts: Artifacts, kind: str) -> set[str]:
    return {i["name"] for spec in SUITE for i in artifacts.get(spec.artifact).abi if i["type"] == kind}


def _test_sources() -> str:
    texts = [p.read_text() for p in (ROOT / "tests").rglob("*.py") if p.resolve() != HERE]
    texts.append((HERE.parent / "access_matrix.yaml").read_text())
    return "\n".join(texts)


def _quoted(name: str, text: str) -> bool:
    return re.search(rf"""["']{name}["']|:\s*{name}\b""", text) is not None


def test_coverage__every_declared_custom_error_is_asserted_by_name(artifacts: Artifacts) -> None:
    errors = _declared("error") & _in_suite_abis(artifacts, "error")
    unreachable_in_suite = _declared("error") - _in_suite_abis(artifacts, "error")
    text = _test_sources()
    uncovered = sorted(e for e in errors if not _quoted(e, text))
    assert not uncovered, f"custom errors no test triggers and asserts by name: {uncovered}"
    assert not unreachable_in_suite, f"errors declared but in no deployed contract's ABI: {unreachable_in_suite}"


def test_coverage__every_event_is_asserted(artifacts: Artifacts) -> None:
    events = _declared("event") & _in_suite_abis(artifacts, "event")
    text = _test_sources()
    uncovered = sorted(e for e in events if not _quoted(e, text))
    assert not uncovered, f"events no test asserts: {uncovered}"


@pytest.mark.parametrize("kind", ["error", "event"])
def test_coverage__the_scan_finds_the_declarations(kind: str, artifacts: Artifacts) -> None:
    assert len(_declared(kind) & _in_suite_abis(artifacts, kind)) >= 10
