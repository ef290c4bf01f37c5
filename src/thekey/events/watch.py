"""Live subscriptions: suite events as they are mined, with a durable cursor.

A :class:`Watcher` drives an :class:`~thekey.events.index.EventIndex` whose store is the cursor
(a SQLite file for ``thekey watch --cursor-file``). Each step's notices — retractions of
reorganised-away events first, then the new events, oldest first — are delivered *before* the
step is applied to the store, and the step is applied once all of them were delivered.

Delivery is **at least once**: a consumer that stops (or is killed) after receiving notices of a
step but before the step was applied receives that step's notices again on restart — never an
event it did not receive before, never a gap. Each notice carries ``key`` (the block hash and log
index: an idempotency key that names one event on one branch); a retraction carries the key of the
event it withdraws. A consumer that remembers the keys it processed sees every event exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from thekey.errors import BadInput
from thekey.events.decoding import Event
from thekey.events.index import CHUNK, EventIndex


@dataclass(frozen=True)
class Notice:
    """An event that happened (``retracted`` false) or that a reorganisation took back."""

    event: Event
    retracted: bool = False

    @property
    def key(self) -> str:
        return self.event.key

    def as_json(self) -> dict[str, Any]:
        return {**self.event.as_json(), "retracted": self.retracted}


class Watcher:
    """Notices of ``index``'s deployment, limited to the event names in ``events`` (all if none)."""

    def __init__(
        self, index: EventIndex, *, events: Collection[str] | None = None, poll_interval: float = 0.2,
        chunk: int = CHUNK,
    ) -> None:  # fmt: skip
        unknown = sorted(set(events or ()) - index.decoder.names)
        if unknown:
            raise BadInput(f"not an event of the suite: {', '.join(unknown)}")
        self.index = index
        self.events = frozenset(events or ())
        self.poll_interval = poll_interval
        self.chunk = chunk

    def _wanted(self, event: Event) -> bool:
        return not self.events or event.event in self.events

    def poll(self) -> Iterator[Notice]:
        """The notices of everything not yet delivered, up to the current head (minus the
        confirmations); each step is applied when the consumer asks for the notice after its last."""
        for change in self.index.changes(chunk=self.chunk):
            notices = [Notice(e, True) for e in reversed(change.retracted) if self._wanted(e)]
            notices += [Notice(e) for e in change.events if self._wanted(e)]
            yield from notices
            self.index.apply(change)

    def __iter__(self) -> Iterator[Notice]:
        """Notices forever, polling the node every ``poll_interval`` seconds when idle."""
        while True:
            yield from self.poll()
            time.sleep(self.poll_interval)

    def run(self, callback: Callable[[Notice], None], *, until: Callable[[], bool] = lambda: False) -> None:
        """Call ``callback`` with each notice until ``until()`` is true (checked between polls).
        The cursor moves past a step only after ``callback`` returned for all of its notices."""
        while not until():
            for notice in self.poll():
                callback(notice)
            time.sleep(self.poll_interval)
