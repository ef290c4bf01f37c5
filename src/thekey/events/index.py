"""``EventIndex``: every event of one deployment in a store, following the chain through
reorganisations.

A sync plans and applies steps (:class:`~thekey.events.store.Change`). Each step first checks that
the node still holds the last indexed block (its recorded hash). If not, the chain was
reorganised: the index walks back through the hashes it kept of the last ``window`` blocks to the
newest block the node still agrees on (the fork point), and the step rolls back exactly the events
above it (they are the step's ``retracted`` events). Then it indexes the next chunk of blocks up to
``head - confirmations``, recording the hashes of those within the window of the head, and checks
that the chunk's last block kept its hash from before its logs were read until after its headers
were, that every log belongs to those blocks and that the first links to the last indexed one
(a reorganisation during the read makes it try again). A reorganisation deeper than the window
(or another chain with the same genesis) is refused with a clear error. Steps are atomic and
resumable: an interrupted sync loses nothing and counts nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from thekey.chain.connection import Chain
from thekey.deploy import Deployment
from thekey.errors import ConfigError
from thekey.events.decoding import Event, EventDecoder
from thekey.events.store import NO_END, Change, EventStore, open_store

WINDOW = 128  # recent blocks whose hashes are kept: the deepest reorganisation followed
CHUNK = 2_000  # blocks per eth_getLogs request
RETRIES = 5  # attempts at a chunk while the chain keeps moving under the read


class EventIndex:
    """The events of ``deployment`` in ``store`` (a store, a SQLite path, ``:memory:`` or a
    ``postgresql://`` URL). ``from_block`` starts a new index there instead of at the suite's
    deployment; ``confirmations`` indexes only blocks at least that deep below the head."""

    def __init__(
        self,
        deployment: Deployment,
        store: EventStore | Path | str = ":memory:",
        *,
        from_block: int | None = None,
        confirmations: int = 0,
        window: int = WINDOW,
    ) -> None:
        if confirmations < 0 or window < 1:
            raise ConfigError("confirmations must be ≥ 0 and the window ≥ 1")
        self.deployment = deployment
        self.chain: Chain = deployment.chain
        self.store = store if isinstance(store, EventStore) else open_store(store)
        self.confirmations = confirmations
        self.window = max(window, confirmations + 1)
        self.decoder = EventDecoder(deployment)
        self._executor: ThreadPoolExecutor | None = None
        self._prefetch: tuple[int, int, Future[tuple[list[dict[str, Any]], str | None]]] | None = None
        fingerprint = json.dumps(
            {"chainId": self.chain.chain_id, "genesisHash": self.chain.genesis_hash, "contracts": deployment.addresses},
            sort_keys=True,
        )
        start = self._first_block() if from_block is None else from_block
        meta = self.store.init_meta(
            {"deployment": fingerprint, "start_block": str(start), "last_block": str(start - 1)}
        )
        if meta["deployment"] != fingerprint:
            raise ConfigError(f"{self.store.location} indexes another deployment; use a new database")
        self.start_block = int(meta["start_block"])
        if from_block is not None and from_block != self.start_block:
            raise ConfigError(f"{self.store.location} starts at block {self.start_block}, not {from_block}")

    def _first_block(self) -> int:
        blocks = [int(e["blockNumber"]) for e in self.deployment.manifest["contracts"].values()]
        return min(blocks) if blocks else 0

    # -- reading ---------------------------------------------------------------------------

    @property
    def last_block(self) -> int:
        """The highest block fully indexed (start block - 1 before the first sync)."""
        return self.store.last_block()

    def events(
        self, name: str | None = None, *, contract: str | None = None, since: int = 0, until: int = NO_END,
        from_block: int = 0,
    ) -> list[Event]:  # fmt: skip
        """Indexed events, oldest first, filtered by event name, contract key, block time and block."""
        return self.store.events(name, contract=contract, since=since, until=until, from_block=from_block)

    def count(self) -> int:
        return self.store.count()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self.store.close()

    # -- following the chain -------------------------------------------------------------------

    def sync(self, to_block: int | None = None, *, chunk: int = CHUNK, max_chunks: int | None = None) -> int:
        """Index up to ``to_block`` (default: ``head - confirmations``), following reorganisations.
        Returns the number of events added (retracted ones not subtracted)."""
        added = 0
        for change in self.changes(to_block, chunk=chunk, max_chunks=max_chunks):
            if self.apply(change):
                added += len(change.events)
        return added

    def apply(self, change: Change) -> bool:
        """Apply a planned step; ``False`` if another indexer moved the cursor first."""
        return self.store.apply(change, self.window)

    def changes(self, to_block: int | None = None, *, chunk: int = CHUNK, max_chunks: int | None = None
                ) -> Iterator[Change]:  # fmt: skip
        """The steps that bring the index to ``to_block``, planned one at a time: each is planned
        from the store's state after the caller applied the previous one (the iteration ends
        where the caller stops applying)."""
        done = 0
        while max_chunks is None or done < max_chunks:
            change = self._plan(to_block, chunk)
            if change is None:
                return
            yield change
            if self.last_block == change.base:
                return  # the caller did not apply it: planning again would give the same step
            done += 1

    def _plan(self, to_block: int | None, chunk: int) -> Change | None:
        for _ in range(RETRIES):
            base = self.last_block
            head = self.chain.block_number()
            fork = self._fork_point(base)
            if fork is not None:
                return Change(base, fork, fork=fork, retracted=self.events(from_block=fork + 1))
            target = max(head - self.confirmations, -1) if to_block is None else min(to_block, head)
            if base >= target:
                return None
            change = self._read(base, min(target, base + chunk), head, target, chunk)
            if change is not None:
                return change
        raise ConfigError("the chain keeps reorganising while it is read; try again later")

    def _header(self, number: int) -> dict[str, Any] | None:
        block = self.chain.rpc("eth_getBlockByNumber", [hex(number), False])
        return block if block and block.get("hash") else None

    def _fork_point(self, base: int) -> int | None:
        """``None`` if the node still holds block ``base`` as indexed; else the newest recorded
        block it still holds (everything above it was reorganised away)."""
        hashes = self.store.block_hashes()
        if base not in hashes:
            return None
        for number in sorted(hashes, reverse=True):
            header = self._header(number)
            if header is not None and header["hash"] == hashes[number]:
                return None if number == base else number
        oldest = min(hashes)
        if oldest <= self.start_block:
            return self.start_block - 1  # everything indexed was replaced
        raise ConfigError(
            f"the node no longer holds block {base} as indexed, nor any of the {len(hashes)} blocks before it: "
            f"a reorganisation deeper than {self.window} blocks, or another chain; index into a new database"
        )

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thekey-logs")
        return self._executor

    def _logs(self, start: int, end: int) -> tuple[list[dict[str, Any]], str | None]:
        """The logs of blocks ``start … end`` (prefetched if the previous step asked for exactly
        these) and the hash block ``end`` had while they were read."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None and prefetch[:2] == (start, end):
            return prefetch[2].result()
        if prefetch is not None:
            prefetch[2].cancel()
        return self._fetch_logs(start, end)

    def _fetch_logs(self, start: int, end: int) -> tuple[list[dict[str, Any]], str | None]:
        """The logs, and the hash of block ``end`` if it was the same just before and just after
        the read (a block hash commits to every block before it: the logs are then those of that
        one chain), else ``None``."""
        before = self._header(end)
        params = {"address": self.decoder.addresses, "fromBlock": hex(start), "toBlock": hex(end)}
        logs: list[dict[str, Any]] = self.chain.rpc("eth_getLogs", [params])
        after = self._header(end)
        same = before is not None and after is not None and before["hash"] == after["hash"]
        return logs, str(after["hash"]) if same and after is not None else None

    def _read(self, base: int, end: int, head: int, target: int, chunk: int) -> Change | None:
        """The step indexing blocks ``base + 1 … end``; ``None`` if the chain moved while reading."""
        start = base + 1
        logs, end_hash = self._logs(start, end)
        if end < target:  # the node prepares the next chunk while this one is decoded and stored
            following = (end + 1, min(target, end + chunk))
            self._prefetch = (*following, self._pool().submit(self._fetch_logs, *following))
        log_blocks = {int(log["blockNumber"], 16) for log in logs}
        recent = range(max(start, head - self.window + 1), end + 1)
        known = self.store.block_hashes()
        headers: dict[int, dict[str, Any]] = {}
        for number in sorted(log_blocks | set(recent) | {start, end}):
            header = self._header(number)
            if header is None:
                return None  # the chain got shorter meanwhile
            headers[number] = header
        if end_hash != headers[end]["hash"]:
            return None  # the chain changed between the read of the logs and now
        if any(log["blockHash"] != headers[int(log["blockNumber"], 16)]["hash"] for log in logs):
            return None
        if base in known and headers[start]["parentHash"] != known[base]:
            return None  # reorganised since the fork check: the next plan rolls back
        for number in recent[1:]:
            if headers[number]["parentHash"] != headers[number - 1]["hash"]:
                return None
        timestamps = {n: int(h["timestamp"], 16) for n, h in headers.items()}
        events = list(self._decode(logs, timestamps))
        return Change(base, end, events, {n: str(headers[n]["hash"]) for n in recent})

    def _decode(self, logs: list[dict[str, Any]], timestamps: dict[int, int]) -> Iterator[Event]:
        return self.decoder.decode(logs, timestamps)
