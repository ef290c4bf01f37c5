"""One JSON-RPC batch for many view calls: the invariant machines read dozens of values after
every step, and one HTTP round trip instead of one (or three) per value keeps them fast."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from web3.contract.contract import ContractFunction

from thekey.chain import Chain


def read_many(chain: Chain, calls: Sequence[ContractFunction]) -> list[Any]:
    """The decoded results of ``calls`` (view functions), in order, at the latest block."""
    if not calls:
        return []
    with chain.w3.batch_requests() as batch:
        for fn in calls:
            batch.add(fn)
        return list(batch.execute())
