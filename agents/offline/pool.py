"""A bounded pool of worker threads for speech model work, shared by every session.

Recognition (CTranslate2) and synthesis (ONNX Runtime) release the GIL while they compute,
so threads share the cores with the event loop; each job uses one core. The pool has as
many workers as cores and hands a free worker to the most urgent waiter first:

- `URGENT`: work a candidate is waiting on now (the end of their utterance, the first
  sentence of a reply);
- `NORMAL`: the rest of a reply, synthesised while its first sentence plays;
- `BACKGROUND`: partial captions while the candidate speaks. These are optional: when no
  worker is free they are skipped, so they never delay anybody's reply.

A slot is held until the thread finishes, even when the awaiting task was cancelled
(barge-in), so the count of busy workers is always true. `overloaded()` tells the server to
refuse new calls (they would make every live one late) while queued urgent work waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

URGENT, NORMAL, BACKGROUND = 0, 1, 2
MODEL_NICE = 5  # niceness added: below the event loop's priority, above password hashing's


def yield_to_event_loop(nice_added: int = MODEL_NICE) -> None:
    """Make the calling thread (and every thread it starts later, which inherits this) give
    way to the event loop on a shared core: normal scheduling even when the server runs
    real-time (a real-time worker would hold the core for a 100 ms round-robin slice and
    every call's audio would wait), `nice_added` levels below the thread that started it.
    Used for model work here and for password hashing (server/http/auth.py)."""
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        thread = threading.get_native_id()
        nice = os.getpriority(os.PRIO_PROCESS, thread)  # inherited from the creating thread
        os.setpriority(os.PRIO_PROCESS, thread, min(19, nice + nice_added))


def in_yielding_thread(fn: Callable[[], T]) -> T:
    """`fn()` on a fresh thread that yields to the event loop, for loading a model whose
    runtime starts its own worker threads (CTranslate2's), so those inherit the priority."""
    with ThreadPoolExecutor(1, "offline-speech-load", yield_to_event_loop) as loader:
        return loader.submit(fn).result()


class Skipped(Exception):
    """An optional job found no free worker."""


class ModelPool:
    def __init__(
        self, workers: int | None = None, *, max_waiting: int | None = None,
        overload_wait_s: float = 0.6,
    ) -> None:
        self.workers = workers or max(1, len(os.sched_getaffinity(0)))
        self.max_waiting = max_waiting if max_waiting is not None else 2 * self.workers
        self.overload_wait_s = overload_wait_s
        self._executor = ThreadPoolExecutor(
            self.workers, thread_name_prefix="offline-speech", initializer=yield_to_event_loop)
        self._free = self.workers
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self.wait_ewma_s = 0.0  # recent queueing delay of urgent jobs
        self.jobs = 0
        self.skipped = 0
        self.busy_s = 0.0

    @property
    def executor(self) -> Executor:
        """The threads, for callers that schedule their own work (the pocketsphinx path)."""
        return self._executor

    @property
    def waiting(self) -> int:
        return sum(1 for _, _, f in self._waiters if not f.done())

    def overloaded(self) -> bool:
        """More urgent work is queued, or has lately waited, than a new call can afford."""
        return self.waiting >= self.max_waiting or self.wait_ewma_s > self.overload_wait_s

    async def run(self, priority: int, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on a worker; raises `Skipped` for a BACKGROUND job with none free."""
        loop = asyncio.get_running_loop()
        if priority >= BACKGROUND and (self._free == 0 or self._waiters):
            self.skipped += 1
            raise Skipped
        queued_at = time.perf_counter()
        await self._acquire(priority, loop)
        waited = time.perf_counter() - queued_at
        if priority == URGENT:
            self.wait_ewma_s = 0.8 * self.wait_ewma_s + 0.2 * waited
        try:
            job = self._executor.submit(self._timed, fn, *args)
        except BaseException:
            self._release()
            raise
        job.add_done_callback(lambda _: self._release_from_thread(loop))
        self.jobs += 1
        return await asyncio.wrap_future(job, loop=loop)

    def _release_from_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed while the job ran
            loop.call_soon_threadsafe(self._release)

    def _timed(self, fn: Callable[..., T], *args: Any) -> T:
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.busy_s += time.perf_counter() - t0

    async def _acquire(self, priority: int, loop: asyncio.AbstractEventLoop) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release()  # granted just as we were cancelled: pass it on
            raise

    def _release(self) -> None:
        while self._waiters:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)
                return
        self._free += 1

    def close(self) -> None:
        for _, _, future in self._waiters:
            if not future.done():
                future.cancel()
        self._waiters.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)
