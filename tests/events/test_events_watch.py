"""Live subscriptions: ``thekey watch`` killed (SIGKILL) mid-stream and restarted delivers every
event at least once, in order, repeating only its unfinished step; reorganised-away events come as
retractions; the docs' consent-guard example works against a real chain."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount

from tests.events.conftest import reorg
from thekey.chain import Anvil, Chain
from thekey.cli.main import main
from thekey.config import project_root
from thekey.consent.ids import purpose_id, scope_id
from thekey.consent.registry import ConsentRegistry, GrantRequest
from thekey.deploy import Deployment
from thekey.events import EventIndex, Watcher
from thekey.token.tky import Token

DOCS = project_root() / "docs" / "events.md"


def send_transfers(chain: Chain, deployment: Deployment, sender: LocalAccount, to: str, count: int) -> None:
    """``count`` TKY transfers, one block each (Anvil signs for its dev account: fast)."""
    token = Token.from_deployment(deployment).contract
    for n in range(count):
        data = token.encode_abi("transfer", args=[to, n + 1])
        chain.rpc("eth_sendTransaction", [{"from": sender.address, "to": token.address, "data": data}])
    chain.nonces.reset()


def watch_process(url: str, cursor: Path, *extra: str) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "thekey.cli.main", "watch", "--rpc-url", url, "--cursor-file", str(cursor),
            "--chunk", "5", "--json", *extra]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def test_watch__killed_mid_stream_and_restarted__every_event_arrives_in_order_only_the_unfinished_step_repeats(
    suite: Deployment, own_chain: Chain, node: Anvil, people: list[LocalAccount], tmp_path: Path
) -> None:
    send_transfers(own_chain, suite, people[0], people[1].address, 400)
    expected = [e.key for e in _fresh(suite).events()]
    cursor = tmp_path / "watch.cursor"

    first = watch_process(node.url, cursor, "--once")
    assert first.stdout is not None
    seen = [json.loads(first.stdout.readline())["key"] for _ in range(60)]
    first.send_signal(signal.SIGKILL)  # no chance to clean up
    seen += [json.loads(line)["key"] for line in first.stdout]  # what it wrote before it died
    assert first.wait() == -signal.SIGKILL
    assert len(seen) < len(expected), "the consumer was not killed mid-stream"

    second = watch_process(node.url, cursor, "--once")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    again = [json.loads(line)["key"] for line in out.splitlines()]

    repeated = [k for k in again if k in set(seen)]
    assert again[: len(repeated)] == repeated == seen[len(seen) - len(repeated) :]  # only the unfinished step
    assert seen + again[len(repeated) :] == expected  # nothing missed, nothing out of order
    third = watch_process(node.url, cursor, "--once")
    assert third.communicate(timeout=120)[0] == ""  # caught up: the cursor is durable


def test_watch__a_reorganisation_is_announced_as_retractions_of_the_same_keys_then_the_new_branch(
    suite: Deployment, own_chain: Chain, people: list[LocalAccount]
) -> None:
    watcher = Watcher(EventIndex(suite), events={"Transfer"})
    send_transfers(own_chain, suite, people[0], people[1].address, 3)
    delivered = list(watcher.poll())
    assert [n.retracted for n in delivered][-3:] == [False] * 3
    token = Token.from_deployment(suite).contract
    replacement = {"from": people[0].address, "to": token.address,
                   "data": token.encode_abi("transfer", args=[people[2].address, 99])}  # fmt: skip
    reorg(own_chain, 2, [(replacement, 0)])
    notices = list(watcher.poll())
    assert [(n.retracted, n.event.args["value"]) for n in notices] == [(True, 3), (True, 2), (False, 99)]
    assert [n.key for n in notices[:2]] == [n.key for n in delivered[-1:-3:-1]]
    assert notices[0].as_json()["retracted"] is True and notices[0].as_json()["key"] == delivered[-1].key
    assert list(watcher.poll()) == []


def test_watch_cli__prints_only_the_named_events_as_json_lines_and_refuses_an_unknown_name(
    suite: Deployment, own_chain: Chain, node: Anvil, people: list[LocalAccount],
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    send_transfers(own_chain, suite, people[0], people[1].address, 2)
    code = main(["watch", "--once", "--events", "Transfer", "--from", str(own_chain.block_number() - 1),
                 "--rpc-url", node.url, "--json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["event"], x["args"]["value"], x["retracted"]) for x in lines] == [("Transfer", 1, False),
                                                                                  ("Transfer", 2, False)]  # fmt: skip
    assert lines[0]["key"] == f"{lines[0]['blockHash']}:{lines[0]['logIndex']}"
    code = main(["watch", "--once", "--events", "ConsentRevokd", "--rpc-url", node.url])
    _, err = capsys.readouterr()
    assert code == 2 and err.strip() == "error: not an event of the suite: ConsentRevokd"


def docs_example() -> dict[str, Any]:
    """The Python block of docs/events.md that is marked as tested, run as a module."""
    text = DOCS.read_text()
    match = re.search(r"<!-- tested: [^>]*-->\n```python\n(.*?)```", text, re.S)
    assert match, "docs/events.md lost its tested example"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), str(DOCS), "exec"), namespace)  # our own documentation
    return namespace


def test_docs_example__a_backend_stops_using_a_consent_as_soon_as_its_revocation_arrives(
    suite: Deployment, own_chain: Chain, people: list[LocalAccount], tmp_path: Path
) -> None:
    guard = docs_example()["ConsentGuard"](suite, tmp_path / "guard.cursor")
    consents = ConsentRegistry.from_deployment(suite)
    resident, insurer = people[3], people[4]
    receipt = consents.grant(resident, GrantRequest(resident.address, insurer.address, scope_id("health.record"),
                                                    purpose_id("insurance-claim")))  # fmt: skip
    consent = "0x" + receipt.consent_id.hex()
    assert guard.may_use(consent)
    consents.revoke(resident, receipt.consent_id)
    assert not guard.may_use(consent)  # the very next check after the revocation was mined
    reorg(own_chain, 1)  # the revocation is reorganised away: the chain says the consent is live again
    assert guard.may_use(consent)
    del guard  # the backend restarts: a new process, the same cursor file
    restarted = docs_example()["ConsentGuard"](suite, tmp_path / "guard.cursor")
    assert restarted.may_use(consent)
    consents.revoke(resident, receipt.consent_id)
    assert not restarted.may_use(consent)


def _fresh(deployment: Deployment) -> EventIndex:
    index = EventIndex(deployment)
    index.sync()
    return index


def test_watch_sdk__run_calls_back_for_each_notice_and_a_failed_callback_gets_the_step_again(
    suite: Deployment, own_chain: Chain, people: list[LocalAccount], tmp_path: Path
) -> None:
    cursor = tmp_path / "callback.cursor"
    start = own_chain.block_number() + 1

    def watcher() -> Watcher:
        return Watcher(EventIndex(suite, cursor, from_block=start), events={"Transfer"}, poll_interval=0.01)

    def one_poll() -> Any:
        polls = iter([False, True])
        return lambda: next(polls)

    send_transfers(own_chain, suite, people[0], people[1].address, 2)
    got: list[Any] = []
    watcher().run(got.append, until=one_poll())
    assert [n.event.args["value"] for n in got] == [1, 2]

    send_transfers(own_chain, suite, people[0], people[2].address, 1)

    def crash(notice: Any) -> None:
        raise RuntimeError("the backend failed")

    with pytest.raises(RuntimeError):
        watcher().run(crash, until=one_poll())
    again: list[Any] = []
    watcher().run(again.append, until=one_poll())
    assert [(n.event.args["to"], n.event.args["value"]) for n in again] == [(people[2].address, 1)]
