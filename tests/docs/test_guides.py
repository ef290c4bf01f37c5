"""Every guide in docs/ runs as written: each command and snippet against a fresh local node,
its output compared with the guide's (normalised; see tests/docs/guides.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.guides import DOCS, failures, guides, matches, normalise, parse, run


@pytest.mark.parametrize("guide", guides(), ids=lambda p: str(p.relative_to(DOCS)))
def test_guide__runs_as_written(guide: Path) -> None:
    problems = failures(run(guide))
    assert not problems, f"{guide.name}: {len(problems)} step(s) differ from the guide\n\n" + "\n\n".join(problems)


def test_guides__cover_the_quick_start_and_every_role() -> None:
    names = {p.relative_to(DOCS).as_posix() for p in guides()}
    roles = {"insurer", "hospital", "verifier", "resident", "registrar", "auditor"}
    assert "quickstart.md" in names
    assert {f"guides/{r}.md" for r in roles} <= names


def test_parse__reads_commands_outputs_exit_codes_files_and_snippets() -> None:
    text = "\n".join(
        [
            "```json file=a.json",
            '{"x": 1}',
            "```",
            "```console",
            "$ echo one \\",
            "  two",
            "one two",
            "$ false  # exit 1",
            "```",
            "```python",
            "print(2)",
            "```",
            "```output",
            "2",
            "```",
        ]
    )
    steps = parse(text)
    assert [s.kind for s in steps] == ["file", "console", "console", "python"]
    assert steps[0].name == "a.json" and steps[0].code == '{"x": 1}\n'
    assert steps[1].code == "echo one \\\n  two" and steps[1].expected == ["one two"]
    assert steps[2].exit_code == 1 and steps[2].expected == []
    assert steps[3].expected == ["2"]


def test_matches__normalises_volatile_values_and_expands_ellipsis() -> None:
    tx = "0x" + "ab" * 32
    assert normalise([f"tx {tx} (block 12, gas 50,000) at 2026-12-07T01:11:35Z  "]) == [
        "tx 0xHASH (block N, gas N) at TIME"
    ]
    assert matches(["first", "...", "last"], ["first", "a", "b", "last"])
    assert matches(["first", "...", "last"], ["first", "last"])
    assert not matches(["first", "last"], ["first", "other"])
    assert not matches(["0x" + "1" * 40], ["0x" + "2" * 64])
