"""Progress where people wait (issue 20): step lines on stderr, a spinner with the transaction
hash while a receipt takes over a second, nothing under --json or --quiet, never on stdout."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from thekey.build import compile_sources
from thekey.chain import Anvil, Chain, dev_accounts
from thekey.cli.main import main
from thekey.cli.progress import QUIET_ENV, Reporter


def _deploy(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with Anvil() as node:
        code = main(["deploy", "--rpc-url", node.url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_deploy__says_each_contract_on_stderr_and_nothing_of_it_on_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("THEKEY_HOME", str(tmp_path))
    code, out, err = _deploy(capsys)
    assert code == 0
    for key in ("token", "escrow", "identity", "binding", "consent", "routes", "credentials"):
        assert any(line.startswith(f"{key}: deployed ") for line in err.splitlines()), err
    assert "deployed" not in out and "TheKey suite" in out


@pytest.mark.parametrize("flag", ["--json", "--quiet"])
def test_deploy__is_silent_on_stderr_with_json_or_quiet(
    flag: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("THEKEY_HOME", str(tmp_path))
    monkeypatch.delenv(QUIET_ENV, raising=False)
    with Anvil() as node:
        args = ["--quiet", "deploy", "--rpc-url", node.url] if flag == "--quiet" else ["deploy", "--rpc-url", node.url]
        code = main(args + (["--json"] if flag == "--json" else []))
    _out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert QUIET_ENV not in os.environ  # --quiet holds for that command only


def test_compile__calls_on_build_only_when_the_compiler_has_to_run(tmp_path: Path) -> None:
    (tmp_path / "A.sol").write_text("// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract A {}\n")
    seen: list[int] = []
    compile_sources(["A.sol"], tmp_path / "out", root=tmp_path, remappings=[], on_build=seen.append)
    compile_sources(["A.sol"], tmp_path / "out", root=tmp_path, remappings=[], on_build=seen.append)
    assert seen == [1]


def test_wait__shows_the_slow_wait_hook_with_the_tx_hash_only_after_a_second() -> None:
    shown: list[tuple[str, str]] = []

    @contextmanager
    def spinner(tx: str) -> Iterator[None]:
        shown.append(("start", tx))
        yield
        shown.append(("stop", tx))

    with Anvil() as node:
        chain = Chain.connect(node.url)
        chain.on_slow_wait = spinner
        sender, receiver = dev_accounts(2)
        chain.send_eth(receiver.address, 1, sender)
        assert shown == []  # an instant receipt shows nothing
        chain.rpc("evm_setAutomine", [False])
        raw, tx_hash = chain.sign({"to": receiver.address, "value": 1}, sender)
        chain.broadcast(raw, sender.address)
        threading.Timer(1.6, lambda: chain.rpc("evm_mine", [])).start()
        started = time.monotonic()
        chain.wait(tx_hash)
        assert time.monotonic() - started >= 1.5
    assert shown == [("start", tx_hash), ("stop", tx_hash)]


def test_reporter__animates_only_on_a_terminal_and_is_silenced_by_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Reporter(enabled=True).enabled and not Reporter(enabled=True).animated  # pytest's stderr is no tty
    assert not Reporter(enabled=False).enabled
    monkeypatch.setenv(QUIET_ENV, "1")
    assert not Reporter(enabled=True).enabled


def test_reporter__a_bar_on_a_terminal_shows_counts_and_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from thekey.cli import progress

    screen = io.StringIO()
    monkeypatch.setattr(progress, "err", Console(file=screen, force_terminal=True, width=100))
    shown = Reporter(enabled=True)
    assert shown.animated
    with shown.bar(3, "writing proofs") as bar:
        for _ in range(3):
            time.sleep(0.01)
            shown.advance(bar, 1)
        assert bar is not None and bar.tasks[0].completed == 3
        assert bar.tasks[0].fields["rate"].endswith("/s")
    assert "writing proofs" in screen.getvalue()
