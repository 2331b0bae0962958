"""Which event-loop callbacks held the loop, measured so a busy machine does not count.

Each callback's wall time minus the time the process's Python threads sat runnable waiting
for a CPU (`/proc/self/task/<tid>/schedstat`, field 2): the loop thread's own, and that of
whichever thread held the GIL the loop waited for. What remains is time the loop spent
computing, sleeping in a syscall, or waiting for native threads (Argon2's lanes) or a GIL
handover — all of it stops every other callback. Preemption by other processes on a shared
2-core box is not in it, nor are pauses of the
cyclic garbage collector (they strike whichever callback allocates; the server freezes its
long-lived objects and collects rarely, see server/heap.py — they are counted apart).
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any


def _runqueue_wait_s() -> float:
    """Summed over the Python threads (native Argon2 lanes are not Python threads)."""
    total = 0
    for thread in threading.enumerate():
        try:
            with open(f"/proc/self/task/{thread.native_id}/schedstat", "rb") as f:
                total += int(f.read().split()[1])
        except (OSError, IndexError):
            continue  # the thread just ended
    return total / 1e9


def _describe(handle: asyncio.Handle) -> str:
    """For a task's step: where its coroutine chain is suspended now (after the step)."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    if not isinstance(task, asyncio.Task):
        return getattr(callback, "__qualname__", None) or repr(handle)[:300]
    where = []
    coro: Any = task.get_coro()
    while coro is not None and len(where) < 12:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None:
            where.append(f"{frame.f_code.co_qualname}:{frame.f_lineno}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return " > ".join(where[-4:]) or repr(task)[:300]


@dataclass
class LoopBlocks:
    """Records callbacks that held the loop for more than `report_s`."""

    report_s: float = 0.005
    worst: list[tuple[float, str]] = field(default_factory=list)
    callbacks: int = 0
    gc_s: float = 0.0
    _original: Any = None
    _gc_started: float = 0.0

    def _on_gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_s += time.perf_counter() - self._gc_started

    @property
    def max_s(self) -> float:
        return max((b for b, _ in self.worst), default=0.0)

    def __enter__(self) -> LoopBlocks:
        original = self._original = asyncio.events.Handle._run
        watch = self

        def timed_run(handle: asyncio.Handle) -> None:
            wall0, wait0, gc0 = time.perf_counter(), _runqueue_wait_s(), watch.gc_s
            try:
                original(handle)
            finally:
                wall = time.perf_counter() - wall0
                held = wall - (_runqueue_wait_s() - wait0) - (watch.gc_s - gc0)
                watch.callbacks += 1
                if held > watch.report_s:
                    watch.worst.append((held, _describe(handle)))

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(
        self,
        _t: type[BaseException] | None,
        _e: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]
        gc.callbacks.remove(self._on_gc)

    def sites_over(self, limit_s: float) -> set[str]:
        return {what for held, what in self.worst if held > limit_s}

    def summary(self) -> str:
        top = sorted(self.worst, reverse=True)[:5]
        return "; ".join(f"{b * 1000:.1f} ms in {what}" for b, what in top)
