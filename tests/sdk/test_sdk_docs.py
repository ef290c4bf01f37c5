"""Every code block of docs/sdk.md runs: the project ``thekey.toml`` is written (pointed at the test's
Anvil), the other TOML profiles are parsed, the ``thekey`` command lines are run, and the Python
blocks are executed in order in one namespace, in a temporary working directory."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from thekey.chain import Anvil, Chain
from thekey.cli.main import main
from thekey.networks import load_networks

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)
DOC_URL = "http://127.0.0.1:8545"


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))]


def test_docs__sdk_page_has_the_blocks_it_promises() -> None:
    kinds = [kind for kind, _ in blocks()]
    assert kinds[0] == "bash" and "pip install" in blocks()[0][1]  # it starts from pip install
    assert kinds.count("python") >= 4 and kinds.count("toml") >= 3


def test_docs__every_block_of_the_sdk_page_runs_against_a_local_node(
    anvil: Anvil, chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("INFURA_KEY", "unused")
    namespace: dict[str, object] = {"__name__": "docs_sdk"}
    ran = {"python": 0, "thekey": 0, "profiles": 0}
    for n, (kind, code) in enumerate(blocks()):
        if kind == "toml":
            if code.startswith("# thekey.toml\n"):  # the project file of the page: point it at our node
                assert DOC_URL in code
                (tmp_path / "thekey.toml").write_text(code.replace(DOC_URL, anvil.url))
            else:
                profile = tmp_path / f"profile-{n}.toml"
                profile.write_text(code)
                assert load_networks(profile), f"block {n} names no network"
                ran["profiles"] += 1
        elif kind == "bash":
            for line in code.splitlines():
                if line.startswith("pip install"):
                    continue  # tests/sdk/test_sdk_wheel.py installs the built wheel this way
                args = shlex.split(line, comments=True)
                assert args[0] == "thekey", line
                assert main(args[1:]) == 0, capsys.readouterr().err
                ran["thekey"] += 1
        elif kind == "python":
            exec(compile(code, f"{DOC.name} block {n}", "exec"), namespace)
            ran["python"] += 1
        else:
            raise AssertionError(f"block {n}: no runner for {kind!r}")
    out = capsys.readouterr().out
    assert "schema 0x" in out and "consent_id=0x" in out and "True" in out
    assert ran["thekey"] >= 1 and ran["profiles"] >= 2 and ran["python"] >= 4
