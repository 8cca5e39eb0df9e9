"""Batching: what arrives while a batch is worked on goes into the next one, in order."""

from __future__ import annotations

import asyncio

import pytest

from bot.batching import Batcher, Busy

pytestmark = pytest.mark.anyio  # async tests run on asyncio (tests/conftest.py)


class Doubler:
    """Work that doubles numbers, taking a little time per batch and noting each batch."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.batches: list[list[int]] = []
        self.fail_on = fail_on

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(items)
        await asyncio.sleep(0.05)
        if self.fail_on in items:
            raise ValueError("bad item")
        return [2 * n for n in items]


async def test_a_lone_item_goes_at_once_and_a_crowd_shares_the_next_batch():
    work = Doubler()
    batcher = Batcher(work)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0)  # one turn of the loop: the first one starts alone
    rest = [asyncio.create_task(batcher.submit(n)) for n in range(2, 7)]
    assert [await first] + [await t for t in rest] == [2, 4, 6, 8, 10, 12]
    assert work.batches == [[1], [2, 3, 4, 5, 6]]


async def test_batches_are_capped():
    work = Doubler()
    batcher = Batcher(work, max_batch=2)
    assert list(await asyncio.gather(*(batcher.submit(n) for n in range(5)))) == [0, 2, 4, 6, 8]
    assert work.batches == [[0, 1], [2, 3], [4]]


async def test_a_failed_batch_fails_its_own_askers_only():
    work = Doubler(fail_on=3)
    batcher = Batcher(work, max_batch=2)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(1, 6)), return_exceptions=True)
    assert results[:2] == [2, 4] and results[4] == 10
    assert all(isinstance(r, ValueError) for r in results[2:4])
    assert batcher.sizes == [2, 2, 1]


async def test_an_asker_who_leaves_is_dropped_from_the_batch():
    work = Doubler()
    batcher = Batcher(work)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.sleep(0)
    gone = asyncio.create_task(batcher.submit(2))
    kept = asyncio.create_task(batcher.submit(3))
    await asyncio.sleep(0)
    gone.cancel()
    await first
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert await kept == 6
    assert work.batches == [[1], [3]]


async def test_work_may_fail_one_item_and_answer_the_rest():
    async def picky(items: list[int]) -> list[int | Exception]:
        return [ValueError(f"no {n}") if n == 2 else n * 10 for n in items]

    batcher = Batcher(picky)
    results = await asyncio.gather(*(batcher.submit(n) for n in (1, 2, 3)), return_exceptions=True)
    first, second, third = results
    assert (first, third) == (10, 30)
    assert isinstance(second, ValueError) and str(second) == "no 2"


async def test_a_full_queue_tells_the_next_asker_busy_at_once():
    work = Doubler()
    batcher = Batcher(work, max_batch=2, limit=3)
    first = asyncio.create_task(batcher.submit(0))
    await asyncio.sleep(0)  # the first batch is being worked on: the queue is empty
    waiting = [asyncio.create_task(batcher.submit(n)) for n in range(1, 5)]
    results = [await first] + list(await asyncio.gather(*waiting, return_exceptions=True))
    assert results[:4] == [0, 2, 4, 6]
    assert isinstance(results[4], Busy)  # the fourth to wait found three ahead of it
    assert [n for batch in work.batches for n in batch] == [0, 1, 2, 3]


async def test_servers_are_served_in_turn_while_one_floods():
    work = Doubler()

    batcher = Batcher(work, max_batch=2, limit=64)
    first = asyncio.create_task(batcher.submit(0, key="a"))
    await asyncio.sleep(0)
    flood = [asyncio.create_task(batcher.submit(n, key="a")) for n in range(1, 9)]
    other = asyncio.create_task(batcher.submit(100, key="b"))
    await asyncio.gather(first, other, *flood)
    assert work.batches[0] == [0]
    assert 100 in work.batches[1]  # in the very next batch, ahead of the flood's queue


async def test_a_flood_that_fills_the_queue_makes_room_for_another_server():
    work = Doubler()
    batcher = Batcher(work, max_batch=4, limit=4)
    first = asyncio.create_task(batcher.submit(0, key="a"))
    await asyncio.sleep(0)
    flood = [asyncio.create_task(batcher.submit(n, key="a")) for n in range(1, 5)]
    await asyncio.sleep(0)
    other = asyncio.create_task(batcher.submit(100, key="b"))
    await first
    other, *flood = await asyncio.gather(other, *flood, return_exceptions=True)
    assert other == 200
    assert sum(isinstance(r, Busy) for r in flood) == 1  # the flood's newest gave up its place
    assert isinstance(flood[-1], Busy)
