"""The embedded store: one SQLite file (or ``:memory:``). Each step is one ``BEGIN IMMEDIATE``
transaction, which takes SQLite's write lock before the cursor is checked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from thekey.events.decoding import Event
from thekey.events.store import NO_END, Change, EventStore, event_row, row_events, schema, select_events

SCHEMA = schema("INTEGER")


class SqliteStore(EventStore):
    def __init__(self, path: Path | str = ":memory:") -> None:
        self.location = str(path)
        self.db = sqlite3.connect(self.location, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL" if self.location != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def init_meta(self, values: dict[str, str]) -> dict[str, str]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT OR IGNORE INTO meta VALUES (?, ?)", values.items())
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return {str(k): str(v) for k, v in self.db.execute("SELECT key, value FROM meta")}

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def block_hashes(self) -> dict[int, str]:
        return {int(n): str(h) for n, h in self.db.execute("SELECT number, hash FROM blocks")}

    def apply(self, change: Change, window: int) -> bool:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if self.last_block() != change.base:
                db.execute("ROLLBACK")
                return False
            if change.fork is not None:
                db.execute("DELETE FROM events WHERE block > ?", (change.fork,))
                db.execute("DELETE FROM blocks WHERE number > ?", (change.fork,))
            db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", map(event_row, change.events))
            db.executemany("INSERT OR REPLACE INTO blocks VALUES (?, ?)", change.hashes.items())
            db.execute("DELETE FROM blocks WHERE number <= ?", (change.last_block - window,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('last_block', ?)", (str(change.last_block),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return True

    def events(
        self, name: str | None = None, *, contract: str | None = None, since: int = 0, until: int = NO_END,
        from_block: int = 0,
    ) -> list[Event]:  # fmt: skip
        query, params = select_events("?", name, contract, since, until, from_block)
        return row_events(self.db.execute(query, params).fetchall())

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def close(self) -> None:
        self.db.close()
