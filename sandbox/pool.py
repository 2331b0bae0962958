"""Admission: at most N runs at once (one per worker slot), a bounded queue, `Busy` beyond it.

Thread-safe and not bound to an event loop: async callers wait on a future of their own loop,
sync callers on an Event, and a released slot goes straight to the oldest waiter (FIFO).
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

from sandbox.errors import Busy


class _Waiter:
    __slots__ = ("slot", "loop", "future", "event")

    def __init__(self) -> None:
        self.slot: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.future: asyncio.Future[None] | None = None
        self.event: threading.Event | None = None


class SlotPool:
    """Hands out slot numbers 0..size-1; `max_queue` callers may wait, more get `Busy`."""

    def __init__(self, size: int, max_queue: int) -> None:
        self.size = size
        self.max_queue = max_queue
        self._lock = threading.Lock()
        self._free: deque[int] = deque(range(size))
        self._waiters: deque[_Waiter] = deque()

    @property
    def running(self) -> int:
        return self.size - len(self._free)

    @property
    def queued(self) -> int:
        return len(self._waiters)

    def _try_take(self) -> int | _Waiter:
        if self._free:
            return self._free.popleft()
        if len(self._waiters) >= self.max_queue:
            raise Busy(self.running, len(self._waiters))
        waiter = _Waiter()
        self._waiters.append(waiter)
        return waiter

    async def acquire(self) -> int:
        loop = asyncio.get_running_loop()
        with self._lock:
            got = self._try_take()
            if isinstance(got, int):
                return got
            got.loop, got.future = loop, loop.create_future()
        try:
            await got.future
        except BaseException:
            self._abandon(got)
            raise
        assert got.slot is not None
        return got.slot

    def acquire_blocking(self, timeout_s: float | None = None) -> int:
        with self._lock:
            got = self._try_take()
            if isinstance(got, int):
                return got
            got.event = threading.Event()
        if not got.event.wait(timeout_s):
            self._abandon(got)
            with self._lock:
                if got.slot is None:
                    raise Busy(self.running, len(self._waiters))
        assert got.slot is not None
        return got.slot

    def _abandon(self, waiter: _Waiter) -> None:
        """The waiter gave up: leave the queue, or pass on a slot it was handed meanwhile."""
        with self._lock:
            if waiter.slot is None:
                try:
                    self._waiters.remove(waiter)
                except ValueError:
                    pass
                return
            slot, waiter.slot = waiter.slot, None
        self.release(slot)

    def release(self, slot: int) -> None:
        while True:
            with self._lock:
                if not self._waiters:
                    self._free.append(slot)
                    return
                waiter = self._waiters.popleft()
                waiter.slot = slot
            if _wake(waiter):
                return
            with self._lock:  # its loop is gone: take the slot back, try the next waiter
                waiter.slot = None


def _wake(waiter: _Waiter) -> bool:
    if waiter.event is not None:
        waiter.event.set()
        return True
    assert waiter.loop is not None and waiter.future is not None
    future = waiter.future
    try:
        waiter.loop.call_soon_threadsafe(_resolve, future)
    except RuntimeError:  # loop closed
        return False
    return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
