"""Questions that arrive while the model is busy go through it together, as one batch.

The wait is bounded and shared fairly: each server (or DMs) has its own queue, batches take
from the queues in turn, and a full wait tells the next asker at once that citebot is busy.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 16  # questions in one pass: beyond this a batch's slowest member waits too long
QUEUE_LIMIT = 64  # questions waiting, in all: past it an asker is told to come back


class Busy(Exception):
    """The wait is full: the asker is told to try again later rather than wait for minutes."""


class Batcher(Generic[T, R]):
    """Runs ``work`` on lists of items: the first item alone at once, then whatever arrived
    meanwhile as the next list, so a lone asker never waits for company and a crowd shares
    passes through the model. ``work`` returns one result per item, or an exception in an
    item's place for that item's asker alone.

    Items are queued by key (a server): each batch takes one item of each waiting key in
    turn, so a flood from one key delays another by at most one batch. At most ``limit`` items
    wait; when the wait is full, a newcomer whose key holds less than an even share takes the
    place of the newest item of the key holding most (whose asker is told it is busy), and any
    other newcomer is told so itself.
    """

    def __init__(
        self,
        work: Callable[[list[T]], Awaitable[list[R | Exception]]],
        max_batch: int = MAX_BATCH,
        limit: int = QUEUE_LIMIT,
    ) -> None:
        self._work = work
        self._max = max_batch
        self._limit = max(1, limit)
        self._queues: dict[Hashable, deque[tuple[T, asyncio.Future[R]]]] = {}  # in turn order
        self._runner: asyncio.Task[None] | None = None
        self.sizes: list[int] = []  # every batch's size, for logs and tests

    @property
    def waiting(self) -> int:
        """Items queued and not yet in a batch."""
        return sum(len(q) for q in self._queues.values())

    async def submit(self, item: T, key: Hashable = None) -> R:
        """``work``'s result for ``item``, computed in a batch with the items queued beside it.

        Raises:
            Busy: the wait is full (at once, not after waiting).
        """
        self._make_room(key)
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(key, deque()).append((item, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain())
        return await future

    def _make_room(self, key: Hashable) -> None:
        if self.waiting < self._limit:
            return
        share = self._limit / (len(self._queues) + (key not in self._queues))
        largest = max(self._queues, key=lambda k: len(self._queues[k]))
        if len(self._queues.get(key, ())) >= share or largest == key:
            raise Busy
        _, bumped = self._queues[largest].pop()
        if not bumped.done():
            bumped.set_exception(Busy())

    def _next_batch(self) -> list[tuple[T, asyncio.Future[R]]]:
        """Up to ``max_batch`` items, one of each key in turn; a key served goes to the back."""
        batch: list[tuple[T, asyncio.Future[R]]] = []
        while self._queues and len(batch) < self._max:
            key = next(iter(self._queues))
            queue = self._queues.pop(key)
            batch.append(queue.popleft())
            if queue:
                self._queues[key] = queue
        return [(item, future) for item, future in batch if not future.done()]  # askers gone

    def _abandon(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        for _, future in batch + [entry for q in self._queues.values() for entry in q]:
            future.cancel()
        self._queues.clear()

    async def _drain(self) -> None:
        while self._queues:
            batch = self._next_batch()
            if not batch:
                continue
            self.sizes.append(len(batch))
            try:
                results = await self._work([item for item, _ in batch])
            except asyncio.CancelledError:  # stopping: nobody is left waiting forever
                self._abandon(batch)
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
