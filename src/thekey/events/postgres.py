"""The shared store: a PostgreSQL database (psycopg 3; ``pip install 'thekey[postgres]'``).

One database (or one ``search_path`` schema) holds one index. Every step runs in one transaction
that first takes a transaction-scoped advisory lock, so indexers on the same database take turns:
a step planned from a cursor another indexer has moved since is refused and planned again, and the
primary key (block, log index) rejects a duplicate even if that rule were bypassed.
"""

from __future__ import annotations

from typing import Any

from thekey.errors import ConfigError
from thekey.events.decoding import Event
from thekey.events.store import COLUMNS, NO_END, Change, EventStore, event_row, row_events, schema, select_events

#: the advisory lock of an index (an arbitrary 64-bit constant: "thekey-e" in ASCII)
LOCK = 0x7468656B65792D65

SCHEMA = schema("BIGINT")


def _redact(url: str) -> str:
    """The URL without a password (for messages)."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, creds = head.partition("//")
    return f"{scheme}//{creds.split(':', 1)[0]}:***@{tail}"


class PostgresStore(EventStore):
    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise ConfigError("PostgreSQL needs psycopg 3: pip install 'thekey[postgres]'") from None
        self.location = _redact(url)
        try:
            self.db: Any = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"cannot connect to {self.location}: {reason}") from None
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            self.db.execute(SCHEMA)

    def init_meta(self, values: dict[str, str]) -> dict[str, str]:
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            with self.db.cursor() as cur:
                cur.executemany("INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO NOTHING", list(values.items()))
            return {str(k): str(v) for k, v in self.db.execute("SELECT key, value FROM meta").fetchall()}

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return None if row is None else str(row[0])

    def block_hashes(self) -> dict[int, str]:
        return {int(n): str(h) for n, h in self.db.execute("SELECT number, hash FROM blocks").fetchall()}

    def apply(self, change: Change, window: int) -> bool:
        with self.db.transaction(), self.db.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            if self.last_block() != change.base:
                return False
            if change.fork is not None:
                cur.execute("DELETE FROM events WHERE block > %s", (change.fork,))
                cur.execute("DELETE FROM blocks WHERE number > %s", (change.fork,))
            if change.events:
                with cur.copy(f"COPY events ({COLUMNS}) FROM STDIN") as copy:
                    for e in change.events:
                        copy.write_row(event_row(e))
            if change.hashes:
                cur.executemany(
                    "INSERT INTO blocks VALUES (%s, %s) ON CONFLICT (number) DO UPDATE SET hash = excluded.hash",
                    list(change.hashes.items()),
                )
            cur.execute("DELETE FROM blocks WHERE number <= %s", (change.last_block - window,))
            cur.execute(
                "INSERT INTO meta VALUES ('last_block', %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(change.last_block),),
            )
        return True

    def events(
        self, name: str | None = None, *, contract: str | None = None, since: int = 0, until: int = NO_END,
        from_block: int = 0,
    ) -> list[Event]:  # fmt: skip
        query, params = select_events("%s", name, contract, since, until, from_block)
        with self.db.cursor() as cur:
            cur.execute(query, params)
            return row_events(cur.fetchall())

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def close(self) -> None:
        self.db.close()
