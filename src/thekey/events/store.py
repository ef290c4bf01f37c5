"""Where an index keeps its events: one small interface, SQLite (embedded, the default) and
PostgreSQL (shared by several indexers, readers and report tools).

A store holds the events, the hashes of a window of recent indexed blocks, and a few meta values
(the deployment fingerprint, the start block, the cursor ``last_block``). It changes only through
:meth:`EventStore.apply`, one atomic step made under the database's own lock: the step names the
cursor it was planned from, and a store whose cursor moved meanwhile (another indexer applied the
same blocks) refuses it. Events have the primary key (block, log index) in the database as well —
one event per position on the indexed branch (a rollback deletes the orphans before their
replacements arrive) — so no event is ever counted twice.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thekey.events.decoding import Event

NO_END = 2**63 - 1


@dataclass(frozen=True)
class Change:
    """One step of an index: roll back every event above ``fork`` (``None``: nothing to roll
    back), add ``events``, record ``hashes`` of indexed blocks, move the cursor from ``base`` to
    ``last_block``. ``retracted`` lists the events the rollback removes."""

    base: int
    last_block: int
    events: list[Event] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)
    fork: int | None = None
    retracted: list[Event] = field(default_factory=list)


class EventStore(abc.ABC):
    """The storage of one index (one deployment's events)."""

    location: str

    @abc.abstractmethod
    def init_meta(self, values: dict[str, str]) -> dict[str, str]:
        """Store each of ``values`` not stored yet (atomically); return all meta values."""

    @abc.abstractmethod
    def meta(self, key: str) -> str | None: ...

    @abc.abstractmethod
    def block_hashes(self) -> dict[int, str]:
        """The recorded hashes of recent indexed blocks (the reorganisation window)."""

    @abc.abstractmethod
    def apply(self, change: Change, window: int) -> bool:
        """Make ``change`` in one transaction under the database lock, keeping the hashes of the
        last ``window`` blocks; ``False`` (and nothing changed) if the cursor is no longer
        ``change.base``."""

    @abc.abstractmethod
    def events(
        self,
        name: str | None = None,
        *,
        contract: str | None = None,
        since: int = 0,
        until: int = NO_END,
        from_block: int = 0,
    ) -> list[Event]:
        """Events oldest first, filtered by name, contract key, block time and first block."""

    @abc.abstractmethod
    def count(self) -> int: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def last_block(self) -> int:
        """The cursor: the highest block fully indexed (set when the index is created)."""
        return int(self.meta("last_block") or -1)


COLUMNS = "block_hash, log_index, block, tx_hash, timestamp, contract, address, event, args"


def schema(bigint: str) -> str:
    """The tables of an index, with ``bigint`` the database's 64-bit integer type (SQLite's
    ``INTEGER``, which also makes ``blocks.number`` its rowid; PostgreSQL's ``BIGINT``)."""
    return f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number {bigint} PRIMARY KEY, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    block_hash TEXT NOT NULL,
    log_index  INTEGER NOT NULL,
    block      {bigint} NOT NULL,
    tx_hash    TEXT NOT NULL,
    timestamp  {bigint} NOT NULL,
    contract   TEXT NOT NULL,
    address    TEXT NOT NULL,
    event      TEXT NOT NULL,
    args       TEXT NOT NULL,
    PRIMARY KEY (block, log_index)
);
CREATE INDEX IF NOT EXISTS events_by_name ON events (event, timestamp);
"""


def event_row(e: Event) -> tuple[Any, ...]:
    return (e.block_hash, e.log_index, e.block, e.tx_hash, e.timestamp, e.contract, e.address, e.event,
            json.dumps(e.args, separators=(",", ":")))  # fmt: skip


def row_events(rows: Sequence[Sequence[Any]]) -> list[Event]:
    """Events from rows of ``COLUMNS``. The arguments (JSON objects written by ``event_row``) are
    parsed as one JSON array: half the time of one ``json.loads`` each, over 100,000 events."""
    args = json.loads("[" + ",".join(r[8] for r in rows) + "]")
    return [Event(r[2], r[0], r[1], r[3], r[4], r[5], r[6], r[7], a) for r, a in zip(rows, args, strict=True)]


def select_events(
    mark: str, name: str | None, contract: str | None, since: int, until: int, from_block: int
) -> tuple[str, list[Any]]:
    """The query of :meth:`EventStore.events` with ``mark`` as the parameter placeholder."""
    query = f"SELECT {COLUMNS} FROM events WHERE timestamp BETWEEN {mark} AND {mark}"
    params: list[Any] = [since, until]
    if from_block:
        query += f" AND block >= {mark}"
        params.append(from_block)
    if name is not None:
        query += f" AND event = {mark}"
        params.append(name)
    if contract is not None:
        query += f" AND contract = {mark}"
        params.append(contract)
    return query + " ORDER BY block, log_index", params


def is_postgres(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def open_store(location: str | Path) -> EventStore:
    """A store at ``location``: a ``postgresql://`` URL, else a SQLite file (``:memory:`` too)."""
    if is_postgres(location):
        from thekey.events.postgres import PostgresStore

        return PostgresStore(str(location))
    from thekey.events.sqlite import SqliteStore

    return SqliteStore(location)
