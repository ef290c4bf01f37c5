"""The suite's events for backends: decoding, stores (SQLite, PostgreSQL), the reorg-safe index
and live subscriptions (docs/events.md)."""

from thekey.events.decoding import Event, EventDecoder
from thekey.events.index import EventIndex
from thekey.events.store import Change, EventStore, open_store
from thekey.events.watch import Notice, Watcher

__all__ = ["Change", "Event", "EventDecoder", "EventIndex", "EventStore", "Notice", "Watcher", "open_store"]
