"""Questions that arrive while the model is busy go through it together, as one batch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 16  # questions in one pass: beyond this a batch's slowest member waits too long


class Batcher(Generic[T, R]):
    """Runs ``work`` on lists of items: the first item alone at once, then whatever arrived
    meanwhile as the next list, so a lone asker never waits for company and a crowd shares
    passes through the model. ``work`` returns one result per item, or an exception in an
    item's place for that item's asker alone."""

    def __init__(
        self, work: Callable[[list[T]], Awaitable[list[R | Exception]]], max_batch: int = MAX_BATCH
    ) -> None:
        self._work = work
        self._max = max_batch
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.sizes: list[int] = []  # every batch's size, for logs and tests

    async def submit(self, item: T) -> R:
        """``work``'s result for ``item``, computed in a batch with the items queued beside it."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max], self._queue[self._max :]
            batch = [(item, future) for item, future in batch if not future.done()]  # askers gone
            if not batch:
                continue
            self.sizes.append(len(batch))
            try:
                results = await self._work([item for item, _ in batch])
            except asyncio.CancelledError:  # stopping: nobody is left waiting forever
                for _, future in batch + self._queue:
                    future.cancel()
                self._queue = []
                raise
            except Exception as exc:  # the askers hear of it
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, Exception):  # work may fail one item and not the rest
                    future.set_exception(result)
                else:
                    future.set_result(result)
