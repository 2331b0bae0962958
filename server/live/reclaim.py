"""Give back an ended session's memory soon after it ends, not at the next full collection.

An ended session is a web of reference cycles (aiortc's peer connection, transceivers,
transports and event-emitter listeners; our session with its router's bound methods, agent
I/O and tracks): ~1,800 objects holding codec contexts, jitter buffers, packets and frames
(measured: one audio+video session). Reference counting cannot free a cycle; the collector
can, but only a full (generation-2) pass reaches objects that lived minutes, and
`python -m server` makes those rare on purpose (`gc.freeze()` plus a 10,000 threshold, so the
media path runs without collector stalls). So RSS grew ~10 MB per ended Live session.

Why collect rather than cut every cycle by hand: most of the cycles are inside aiortc and
pyee, and cutting them means clearing private attributes of a library that changes them
between releases; one missed cycle keeps the whole graph. A full pass here is cheap because
of `gc.freeze()`: it walks only objects made since start-up, i.e. the live sessions' (~4k
tracked objects each) plus the garbage, a few ms for ten live calls. It is timed so it stays
off the hot path as far as a stop-the-world pass can: it runs `delay_s` after an ending
(endings meanwhile join that pass), at most once per `min_interval_s` (its CPU share stays
bounded however many calls end), and never while the loop is already late
(it waits, up to ~1 s, for a turn on which the timer fired on time). Each pass is timed into
`ia_gc_pause_seconds` like any other collection.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

DELAY_S = 1.0
MIN_INTERVAL_S = 5.0
LATE_S = 0.005  # the loop is running this late: let it catch up first ...
MAX_DEFERRALS = 20  # ... but not for more than ~1 s


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's malloc_trim(0): hands free heap pages back to the OS (else RSS stays high
    after a collection frees codec buffers and frames); None off glibc."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


class Reclaimer:
    def __init__(
        self,
        *,
        delay_s: float = DELAY_S,
        min_interval_s: float = MIN_INTERVAL_S,
        late_s: float = LATE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay_s = delay_s
        self.late_s = late_s
        self.min_interval_s = min_interval_s
        self._clock = clock
        self._handle: asyncio.TimerHandle | None = None
        self._last = -min_interval_s
        self._due_at = 0.0
        self._deferred = 0
        self.passes = 0
        self.collected = 0
        self._trim = _malloc_trim()

    def session_ended(self) -> None:
        """A session has ended (sync; called from its ending): schedule a pass."""
        loop = asyncio.get_running_loop()
        if self._handle is not None:
            return  # a pass is coming; not pushed back, or steady churn would starve it
        at = max(self._clock() + self.delay_s, self._last + self.min_interval_s)
        self._schedule(loop, at - self._clock())

    def _schedule(self, loop: asyncio.AbstractEventLoop, in_s: float) -> None:
        self._due_at = loop.time() + max(0.0, in_s)
        self._handle = loop.call_at(self._due_at, self._run, loop)

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        self._handle = None
        if loop.time() - self._due_at > self.late_s and self._deferred < MAX_DEFERRALS:
            self._deferred += 1  # the loop is behind: try again in a moment
            self._schedule(loop, 0.05)
            return
        self._deferred = 0
        started = time.perf_counter()
        self.collected += gc.collect()
        if self._trim is not None:
            self._trim()
        self.passes += 1
        self._last = self._clock()
        log.debug("reclaimed ended sessions in %.1f ms", (time.perf_counter() - started) * 1e3)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
