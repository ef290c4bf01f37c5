"""Step 8: index every event of the suite into SQLite, incrementally and resumably.

``AuditIndex.sync()`` reads logs of all suite contracts in block chunks; each chunk's events
and the new high-water mark commit in one SQLite transaction, so an interrupted sync loses
nothing and re-running it resumes at the first block not yet indexed, with no double counting
(``(tx_hash, log_index)`` is the primary key as well).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import event_abi_to_log_topic
from web3._utils.events import get_event_data

from thekey.chain.connection import Chain
from thekey.deploy import Deployment
from thekey.errors import ConfigError
from thekey.hashing import to_checksum_address

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    tx_hash   TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    block     INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    contract  TEXT NOT NULL,
    address   TEXT NOT NULL,
    event     TEXT NOT NULL,
    args      TEXT NOT NULL,
    PRIMARY KEY (tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS events_by_name ON events (event, timestamp);
CREATE INDEX IF NOT EXISTS events_by_block ON events (block, log_index);
"""


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**53 else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Event:
    block: int
    log_index: int
    tx_hash: str
    timestamp: int
    contract: str
    event: str
    args: dict[str, Any]


class AuditIndex:
    """A SQLite index of one deployment's events."""

    def __init__(self, deployment: Deployment, path: Path | str = ":memory:", *, from_block: int | None = None) -> None:
        """``from_block`` starts a new index there instead of at the suite's deployment (the demo
        audits its own run this way on a chain that already has history)."""
        self.deployment = deployment
        self.chain: Chain = deployment.chain
        self.db = sqlite3.connect(str(path))
        self.db.executescript(SCHEMA)
        fingerprint = json.dumps(
            {"chainId": self.chain.chain_id, "genesisHash": self.chain.genesis_hash, "contracts": deployment.addresses},
            sort_keys=True,
        )
        stored = self._meta("deployment")
        if stored is None:
            with self.db:
                self._set_meta("deployment", fingerprint)
                self._set_meta("start_block", str(self._first_block() if from_block is None else from_block))
        elif stored != fingerprint:
            raise ConfigError(f"{path} indexes another deployment; use a new database file")
        self._topics: dict[tuple[str, bytes], tuple[str, dict[str, Any]]] = {}
        for key, entry in deployment.manifest["contracts"].items():
            address = to_checksum_address(entry["address"])
            for item in self.chain.artifacts.get(entry["name"]).abi:
                if item.get("type") == "event" and not item.get("anonymous"):
                    self._topics[(address, event_abi_to_log_topic(item))] = (key, item)  # type: ignore[arg-type]

    def _first_block(self) -> int:
        blocks = [int(e["blockNumber"]) for e in self.deployment.manifest["contracts"].values()]
        return min(blocks) if blocks else 0

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def last_block(self) -> int:
        """The highest block fully indexed (start block - 1 before the first sync)."""
        value = self._meta("last_block")
        return int(value) if value is not None else int(self._meta("start_block") or 0) - 1

    def sync(self, to_block: int | None = None, *, chunk: int = 2_000, max_chunks: int | None = None) -> int:
        """Index new blocks up to ``to_block`` (default: the head). Returns the events added."""
        head = self.chain.block_number() if to_block is None else to_block
        added, done = 0, 0
        start = self.last_block + 1
        self._check_continuity()
        addresses = sorted({a for a, _ in self._topics})
        while start <= head and (max_chunks is None or done < max_chunks):
            end = min(head, start + chunk - 1)
            logs = self.chain.rpc("eth_getLogs", [{"address": addresses, "fromBlock": hex(start), "toBlock": hex(end)}])
            rows = list(self._decode(logs))
            with self.db:
                cur = self.db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                self._set_meta("last_block", str(end))
                self._set_meta("last_block_hash", self._block_hash(end))
            added += cur.rowcount if cur.rowcount > 0 else 0
            start, done = end + 1, done + 1
        return added

    def _block_hash(self, number: int) -> str:
        block = self.chain.rpc("eth_getBlockByNumber", [hex(number), False])
        return str(block["hash"]) if block else ""

    def _check_continuity(self) -> None:
        """The chain must still hold the block this index ended at: otherwise it is another chain
        (same id and genesis, e.g. two nodes started in the same second) or a reorganisation."""
        stored = self._meta("last_block_hash")
        if stored is not None and self._block_hash(self.last_block) != stored:
            raise ConfigError(
                f"the node's block {self.last_block} is not the one this index ended at ({stored[:18]}…): "
                "another chain or a reorganisation; index into a new database file"
            )

    def _decode(self, logs: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        timestamps: dict[int, int] = {}
        for log in logs:
            topics = log.get("topics") or []
            if not topics:
                continue
            address = to_checksum_address(log["address"])
            match = self._topics.get((address, bytes.fromhex(topics[0][2:])))
            if match is None:
                continue
            key, abi = match
            block = int(log["blockNumber"], 16)
            if block not in timestamps:
                timestamps[block] = self.chain.timestamp(block)
            web3_log = {
                "address": address,
                "topics": [bytes.fromhex(t[2:]) for t in topics],
                "data": bytes.fromhex(log["data"][2:]),
                "logIndex": int(log["logIndex"], 16),
                "transactionIndex": int(log["transactionIndex"], 16),
                "transactionHash": bytes.fromhex(log["transactionHash"][2:]),
                "blockHash": bytes.fromhex(log["blockHash"][2:]),
                "blockNumber": block,
            }
            decoded = get_event_data(self.chain.w3.codec, abi, web3_log)  # type: ignore[arg-type,unused-ignore]
            yield (log["transactionHash"], int(log["logIndex"], 16), block, timestamps[block], key, address,
                   abi["name"], json.dumps(_plain(dict(decoded["args"])), sort_keys=True))  # fmt: skip

    def events(
        self, name: str | None = None, *, contract: str | None = None, since: int = 0, until: int = 2**63 - 1
    ) -> list[Event]:
        """Indexed events, oldest first, filtered by event name, contract key and time window."""
        query = (
            "SELECT block, log_index, tx_hash, timestamp, contract, event, args FROM events"
            " WHERE timestamp BETWEEN ? AND ?"
        )
        params: list[Any] = [since, until]
        if name is not None:
            query += " AND event = ?"
            params.append(name)
        if contract is not None:
            query += " AND contract = ?"
            params.append(contract)
        rows = self.db.execute(query + " ORDER BY block, log_index", params).fetchall()
        return [Event(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0])
