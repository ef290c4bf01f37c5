"""The local SQLite store, keyed by credential hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from thekey.credentials.store import CredentialStore
from thekey.errors import BadInput


def test_store__put_get_find_and_index_high_water_mark(tmp_path: Path) -> None:
    h1, h2 = b"\x01" * 32, b"\x02" * 32
    with CredentialStore(tmp_path / "s.sqlite") as store:
        store.put(
            h1,
            {"a": 1},
            role="issued",
            issuer="0xAbC",
            subject="did:x",
            status_index=3,
        )
        store.put(h2, {"b": 2}, role="held", issuer="0xabc", subject="did:y", status_index=9)
        got = store.get(h1)
        assert got is not None and got.credential == {"a": 1} and not got.anchored
        assert store.max_status_index("0xABC") == 3  # only credentials this issuer issued count
        store.mark_anchored(h1, {"a": 1, "proof": {}})
        got = store.get(h1)
        assert got is not None and got.anchored and got.credential == {"a": 1, "proof": {}}
        assert [c.hash for c in store.find(issuer="0xabc")] == [h1, h2]
        assert [c.hash for c in store.find(subject="did:y")] == [h2]
        store.delete(h1)
        assert store.get(h1) is None
    with CredentialStore(tmp_path / "s.sqlite") as again:  # persisted
        assert again.get(h2) is not None


def test_store__rejects_unknown_role(tmp_path: Path) -> None:
    with CredentialStore(tmp_path / "s.sqlite") as store, pytest.raises(BadInput):
        store.put(b"\x01" * 32, {}, role="other", issuer="0x", subject="")
