"""The README stays true: its SDK snippets are the ones docs/sdk.md runs (tests/sdk/test_sdk_docs.py),
and every relative link in the README and the docs points at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_readme__every_sdk_snippet_is_one_that_docs_sdk_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    sdk_page = (ROOT / "docs" / "sdk.md").read_text()
    blocks = FENCED.findall(_section(readme, "The SDK"))
    assert len(blocks) >= 3
    for block in blocks:
        assert block in sdk_page, f"README's SDK snippet is not on docs/sdk.md (so no test runs it):\n{block}"


def test_readme__the_events_example_is_the_one_the_events_tests_run() -> None:
    readme = (ROOT / "README.md").read_text()
    marker = "<!-- tested: tests/events/test_events_watch.py runs this block -->"
    tested = (ROOT / "docs" / "events.md").read_text().split(marker)[1]
    (block,) = FENCED.findall(_section(readme, "Events a backend can build on"))
    assert block in tested


@pytest.mark.parametrize("page", [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))], ids=lambda p: p.name)
def test_docs__relative_links_point_at_files_that_exist(page: Path) -> None:
    text = page.read_text()
    broken = [
        target
        for target in LINK.findall(text)
        if not target.startswith(("http://", "https://", "mailto:")) and not (page.parent / target).exists()
    ]
    assert not broken, f"{page.relative_to(ROOT)}: links to missing files: {broken}"


def test_readme__the_scenario_excerpts_name_steps_the_stories_have() -> None:
    readme = (ROOT / "README.md").read_text()
    sources = "".join((ROOT / "src" / "thekey" / "workflow" / f).read_text() for f in ("graduate.py", "government.py"))
    titles = re.findall(r"^[✔✖] Step \d+ — (.+): ", readme, re.M)
    assert len(titles) >= 15
    missing = [t for t in titles if t not in sources]
    assert not missing, f"README shows steps the stories no longer have: {missing}"
