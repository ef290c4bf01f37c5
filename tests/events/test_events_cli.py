"""``thekey audit index --db <SQLite file | postgresql://…> [--confirmations N]`` and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from thekey.chain import Anvil, Chain
from thekey.cli.main import main
from thekey.deploy import Deployment
from thekey.events import EventIndex


def test_audit_index__into_either_store_with_confirmations__then_a_report_from_it(
    suite: Deployment, own_chain: Chain, node: Anvil, store_location: str | Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own_chain.mine(3)
    db = str(store_location)
    code = main(["audit", "index", "--db", db, "--confirmations", "2", "--rpc-url", node.url, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    indexed = json.loads(out)
    assert indexed["lastBlock"] == own_chain.block_number() - 2
    expected = EventIndex(suite)
    expected.sync(to_block=indexed["lastBlock"])
    assert indexed["events"] == expected.count() > 0
    code = main(["audit", "report", "--db", db, "--rpc-url", node.url, "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["requests"] == 0, err


def test_audit_index__an_unreachable_database__is_one_line_and_exit_1(
    suite: Deployment, node: Anvil, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["audit", "index", "--db", "postgresql://nobody:secret@127.0.0.1:1/none", "--rpc-url", node.url])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("error: cannot connect to postgresql://nobody:***@127.0.0.1:1/none")
    assert "secret" not in err and len(err.strip().splitlines()) == 1
