"""Be the one reader of an inbound track and hand every frame to many sinks.

An aiortc track gives each frame to a single `recv()` caller, so the recorder and the resampler
cannot both read it: one task reads and calls each sink's synchronous `push()` in turn. With
`media.passthrough` installed the frames of an inline-decoded track skip the track's queue and
this task: they reach the sinks straight from the decoder (`passthrough.deliver_directly`), and
the task only waits for the end of the track.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from media import passthrough

logger = logging.getLogger(__name__)


class FrameSink(Protocol):
    """Anything fed from the hot path: `push` must not block or await.

    Audio sinks get `av.AudioFrame`s; video sinks get `av.Packet`s with the pass-through
    installed (`media.passthrough`), else `av.VideoFrame`s.
    """

    def push(self, frame: Any) -> None: ...


class Fanout:
    """Reads `track` in one task and pushes each frame to every sink, in order added."""

    def __init__(
        self,
        track: MediaStreamTrack,
        sinks: Iterable[FrameSink] = (),
        *,
        on_ended: Callable[[], None] | None = None,
    ) -> None:
        self.track = track
        self._sinks: tuple[FrameSink, ...] = tuple(sinks)
        self._on_ended = on_ended
        self._task: asyncio.Task[None] | None = None
        self._failed: set[int] = set()
        self.frames = 0
        self.sink_errors = 0
        self.ended = False

    def add(self, sink: FrameSink) -> None:
        self._sinks = (*self._sinks, sink)

    def remove(self, sink: FrameSink) -> None:
        self._sinks = tuple(s for s in self._sinks if s is not sink)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"fanout-{self.track.kind}")

    async def close(self) -> None:
        """Stop reading (the track itself belongs to the peer connection and stays as is)."""
        task, self._task = self._task, None
        passthrough.deliver_directly(self.track, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def wait_ended(self) -> None:
        """Return once the track has ended (or the fan-out was closed)."""
        if self._task is not None:
            await asyncio.wait({self._task})  # never raises the task's outcome into the caller

    async def _run(self) -> None:
        try:
            for frame in passthrough.deliver_directly(self.track, self._deliver):
                self._deliver(frame)
            while True:  # frames not delivered directly, and the end of the track
                self._deliver(await self.track.recv())
        except MediaStreamError:
            pass
        finally:
            passthrough.deliver_directly(self.track, None)
            self.ended = True
            if self._on_ended is not None:
                self._on_ended()

    def _deliver(self, frame: Any) -> None:
        self.frames += 1
        for sink in self._sinks:
            try:
                sink.push(frame)
            except Exception:
                self._sink_failed(sink)

    def _sink_failed(self, sink: FrameSink) -> None:
        # A broken sink must not starve the others; log it once, count every failure.
        self.sink_errors += 1
        if id(sink) not in self._failed:
            self._failed.add(id(sink))
            logger.exception("fan-out sink %r failed; it keeps getting frames", sink)
