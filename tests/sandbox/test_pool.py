"""Admission: bounded concurrency, a bounded FIFO queue, Busy beyond it, cancellation."""

from __future__ import annotations

import asyncio
import threading

import pytest

from sandbox import Busy
from sandbox.pool import SlotPool


async def test_slots_queue_and_busy() -> None:
    pool = SlotPool(2, max_queue=1)
    a, b = await pool.acquire(), await pool.acquire()
    assert {a, b} == {0, 1}
    waiter = asyncio.ensure_future(pool.acquire())
    await asyncio.sleep(0)
    assert pool.queued == 1
    with pytest.raises(Busy) as err:
        await pool.acquire()
    assert err.value.running == 2 and err.value.queued == 1
    pool.release(a)
    assert await asyncio.wait_for(waiter, 1) == a
    pool.release(a)
    pool.release(b)
    assert pool.running == 0


async def test_cancelled_waiter_leaves_the_queue_and_never_leaks_a_slot() -> None:
    pool = SlotPool(1, max_queue=2)
    held = await pool.acquire()
    waiter = asyncio.ensure_future(pool.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    pool.release(held)  # races with the cancellation
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert pool.queued == 0
    assert await asyncio.wait_for(pool.acquire(), 1) == held


def test_blocking_callers_share_the_pool() -> None:
    pool = SlotPool(1, max_queue=4)
    first = pool.acquire_blocking()
    got: list[int] = []
    t = threading.Thread(target=lambda: got.append(pool.acquire_blocking(5)))
    t.start()
    while pool.queued == 0:
        pass
    pool.release(first)
    t.join(5)
    assert got == [first]
    p = SlotPool(1, 0)
    p.acquire_blocking()
    with pytest.raises(Busy):
        p.acquire_blocking()
