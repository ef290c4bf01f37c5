"""Credential verification for many concurrent requests: natural batching over one chain read.

Requests wait in a queue; each worker takes everything queued when it is free and verifies it
with one ``verify_credentials`` call — one ``inspect`` eth_call, one clock read and one schema
record read per distinct schema for the whole batch. An idle gateway adds no delay (a lone
request is a batch of one); under load, batches grow by themselves. Results are exactly the
per-credential ones, since every check is per credential.

Schema documents are cached by schema id: an id is keccak(publisher, type, keccak(document)),
so a document can never change under its id; whether the schema is registered, usable or
deprecated is still read from the chain for every batch.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool

from thekey.credentials.anchoring import CredentialRegistry
from thekey.credentials.vc import view
from thekey.credentials.verify import VerificationResult, verify_credentials
from thekey.errors import BadInput

_Job = tuple[dict[str, Any], "asyncio.Future[VerificationResult]"]


class BatchVerifier:
    """Verify credentials for concurrent callers in batches; start it with ``start()``."""

    def __init__(self, registry: CredentialRegistry, *, workers: int = 2, max_batch: int = 256) -> None:
        self.registry = registry
        self.workers = workers
        self.max_batch = max_batch
        self._documents: dict[bytes, dict[str, Any]] = {}
        self._queue: asyncio.Queue[_Job] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def verify(self, credential: dict[str, Any]) -> VerificationResult:
        if self._queue is None:
            raise RuntimeError("the verifier is not started")
        future: asyncio.Future[VerificationResult] = asyncio.get_running_loop().create_future()
        await self._queue.put((credential, future))
        return await future

    async def _work(self) -> None:
        assert self._queue is not None
        while True:
            jobs = [await self._queue.get()]
            while len(jobs) < self.max_batch and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            try:
                results = await run_in_threadpool(self.verify_now, [c for c, _ in jobs])
            except Exception as exc:  # the node failed: every waiting request learns it
                for _, future in jobs:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(jobs, results, strict=True):
                if not future.done():
                    future.set_result(result)

    def verify_now(self, credentials: Sequence[dict[str, Any]]) -> list[VerificationResult]:
        """One batch, synchronously (the workers run it in a thread)."""
        for credential in credentials:
            try:
                sid = view(credential).schema_id
            except BadInput:
                continue  # verify_credentials reports the format failure
            if sid not in self._documents:
                document = self.registry.schema_document(sid)
                if document is not None:
                    self._documents[sid] = document
        return verify_credentials(self.registry, credentials, schemas=self._documents)
