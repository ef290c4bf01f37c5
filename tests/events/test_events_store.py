"""The store interface, run against SQLite and PostgreSQL alike: a sync holds exactly what a
fresh index holds; a step planned from a moved cursor is refused; the database itself rejects an
event stored twice; one database indexes one deployment; only a window of block hashes is kept;
two real indexer processes on one database never double count."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from eth_account.signers.local import LocalAccount

from thekey.chain import Anvil, Chain
from thekey.deploy import Deployment
from thekey.errors import ConfigError
from thekey.events import Change, EventIndex
from thekey.token.tky import Token


def transfers(deployment: Deployment, sender: LocalAccount, to: str, count: int) -> None:
    token = Token.from_deployment(deployment).contract
    for n in range(count):
        data = token.encode_abi("transfer", args=[to, n + 1])
        deployment.chain.rpc("eth_sendTransaction", [{"from": sender.address, "to": token.address, "data": data}])


def fresh(deployment: Deployment) -> EventIndex:
    index = EventIndex(deployment)
    index.sync()
    return index


def test_store__a_sync_in_small_steps_holds_exactly_the_events_of_a_fresh_index(
    suite: Deployment, people: list[LocalAccount], store_location: str | Path
) -> None:
    transfers(suite, people[0], people[1].address, 5)
    index = EventIndex(suite, store_location)
    assert index.sync(chunk=3) == fresh(suite).count() > 0
    assert index.events() == fresh(suite).events()  # every field, arguments included
    assert index.events("Transfer", contract="token")[-1].args["value"] == 5
    assert index.sync() == 0 and index.last_block == suite.chain.block_number()


def test_store__a_step_planned_from_a_cursor_that_moved_meanwhile_is_refused_and_changes_nothing(
    suite: Deployment, people: list[LocalAccount], store_location: str | Path
) -> None:
    one, other = EventIndex(suite, store_location), EventIndex(suite, store_location)
    stale = next(one.changes())
    assert other.sync() > 0  # the other indexer applies the same blocks first
    before = (other.count(), other.last_block)
    assert one.apply(stale) is False
    assert (one.count(), one.last_block) == before


def test_store__the_database_rejects_an_event_stored_twice(suite: Deployment, store_location: str | Path) -> None:
    index = EventIndex(suite, store_location)
    change = next(index.changes())
    assert index.apply(change) and change.events
    again = Change(index.last_block, index.last_block, change.events[:1])  # a bypass of the cursor rule
    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
        index.apply(again)
    assert index.count() == len(change.events) and index.last_block == change.last_block


def test_store__a_database_of_another_deployment_is_refused(suite: Deployment, store_location: str | Path) -> None:
    EventIndex(suite, store_location).close()
    other = copy.deepcopy(suite.manifest)
    other["contracts"]["token"]["address"] = "0x" + "12" * 20
    with pytest.raises(ConfigError, match="indexes another deployment"):
        EventIndex(Deployment(suite.chain, other), store_location)
    with pytest.raises(ConfigError, match="starts at block"):
        EventIndex(suite, store_location, from_block=10_000)


def test_store__keeps_the_hashes_of_the_last_window_blocks_only(
    suite: Deployment, own_chain: Chain, store_location: str | Path
) -> None:
    own_chain.mine(6)
    index = EventIndex(suite, store_location, window=3)
    index.sync()
    head = own_chain.block_number()
    assert sorted(index.store.block_hashes()) == [head - 2, head - 1, head]
    assert index.store.block_hashes()[head] == own_chain.rpc("eth_getBlockByNumber", [hex(head), False])["hash"]


INDEXER = """
import json, sys
from thekey.chain import Chain
from thekey.deploy import Deployment
from thekey.events import EventIndex
chain = Chain.connect(sys.argv[1])
index = EventIndex(Deployment.load(chain), sys.argv[2])
print(json.dumps({"added": index.sync(chunk=2)}))
"""


def test_store__two_indexer_processes_on_one_database_never_double_count(
    suite: Deployment, node: Anvil, people: list[LocalAccount], store_location: str | Path
) -> None:
    transfers(suite, people[0], people[1].address, 120)
    EventIndex(suite, store_location).close()  # created once: both processes open an existing index
    procs = [subprocess.Popen([sys.executable, "-c", INDEXER, node.url, str(store_location)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    results = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    added = [json.loads(out)["added"] for out, _ in results]
    expected = fresh(suite)
    index = EventIndex(suite, store_location)
    assert sum(added) == index.count() == expected.count()  # each event added by exactly one of them
    assert [e.key for e in index.events()] == [e.key for e in expected.events()]
