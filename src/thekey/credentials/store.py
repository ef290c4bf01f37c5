"""A local store of issued and held credentials: SQLite, keyed by credential hash.

It keeps the full credential JSON, the claim secrets of selective-disclosure credentials, and
which status indexes an issuer has handed out but not anchored yet (so issuing several
credentials before anchoring them as a batch never reuses an index).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thekey.errors import BadInput
from thekey.ids import HexFields

SCHEMA = """
CREATE TABLE IF NOT EXISTS credentials (
    hash TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('issued', 'held')),
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    status_index INTEGER,
    document TEXT NOT NULL,
    secrets TEXT,
    anchored INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS credentials_issuer ON credentials (issuer, status_index);
"""


def default_path() -> Path:
    return Path(os.environ.get("THEKEY_STORE", Path.home() / ".thekey" / "credentials.sqlite"))


@dataclass(frozen=True)
class StoredCredential(HexFields):
    hash: bytes
    role: str
    issuer: str
    subject: str
    status_index: int | None
    credential: dict[str, Any]
    secrets: list[dict[str, Any]] | None
    anchored: bool


class CredentialStore:
    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path))
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> CredentialStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    def put(
        self,
        credential_hash: bytes,
        credential: dict[str, Any],
        *,
        role: str,
        issuer: str,
        subject: str,
        status_index: int | None = None,
        secrets: list[dict[str, Any]] | None = None,
        anchored: bool = False,
    ) -> None:
        """Insert or replace the credential stored under ``credential_hash``."""
        if role not in ("issued", "held"):
            raise BadInput("role is 'issued' or 'held'")
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO credentials VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    "0x" + credential_hash.hex(),
                    role,
                    issuer.lower(),
                    subject,
                    status_index,
                    json.dumps(credential),
                    None if secrets is None else json.dumps(secrets),
                    int(anchored),
                ),
            )

    def mark_anchored(self, credential_hash: bytes, credential: dict[str, Any] | None = None) -> None:
        with self._tx() as db:
            db.execute("UPDATE credentials SET anchored = 1 WHERE hash = ?", ("0x" + credential_hash.hex(),))
            if credential is not None:
                db.execute(
                    "UPDATE credentials SET document = ? WHERE hash = ?",
                    (json.dumps(credential), "0x" + credential_hash.hex()),
                )

    def get(self, credential_hash: bytes) -> StoredCredential | None:
        row = self._db.execute("SELECT * FROM credentials WHERE hash = ?", ("0x" + credential_hash.hex(),)).fetchone()
        return None if row is None else _row(row)

    def find(self, *, issuer: str | None = None, subject: str | None = None) -> list[StoredCredential]:
        sql, args = "SELECT * FROM credentials WHERE 1 = 1", list[str]()
        if issuer is not None:
            sql, args = sql + " AND issuer = ?", [*args, issuer.lower()]
        if subject is not None:
            sql, args = sql + " AND subject = ?", [*args, subject]
        return [_row(r) for r in self._db.execute(sql + " ORDER BY status_index", args).fetchall()]

    def max_status_index(self, issuer: str) -> int | None:
        row = self._db.execute(
            "SELECT MAX(status_index) FROM credentials WHERE issuer = ? AND role = 'issued'", (issuer.lower(),)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def delete(self, credential_hash: bytes) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM credentials WHERE hash = ?", ("0x" + credential_hash.hex(),))


def _row(row: tuple[Any, ...]) -> StoredCredential:
    h, role, issuer, subject, index, document, secrets, anchored = row
    return StoredCredential(
        bytes.fromhex(h[2:]),
        role,
        issuer,
        subject,
        index,
        json.loads(document),
        None if secrets is None else json.loads(secrets),
        bool(anchored),
    )
