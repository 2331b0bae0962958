"""Turn the candidate's 48 kHz stereo frames into the 16 kHz mono s16 PCM the interviewer hears.

One `av.AudioResampler` per stream (swr, the cheapest option measured here: ~30 µs per 20 ms
frame); frames that are 16 kHz mono s16 already (what `media.passthrough` decodes Opus to) skip
it. Chunks wait in a bounded queue that drops the oldest: if the agent falls behind, stale
speech is worth less than fresh speech.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

import av
from av.audio.frame import AudioFrame

RATE_OUT_HZ = 16_000
BYTES_PER_SAMPLE = 2


class Resampler:
    """`push(frame)` on the hot path; `async for chunk in resampler` on the agent side.

    Every chunk is `chunk_ms` of 16 kHz mono s16 little-endian PCM (640 bytes for 20 ms).
    The iterator ends after `close()` once the queued chunks are consumed.

    `on_delivered(seconds)`, if given, is called as each chunk leaves the iterator with the
    time since the `push()` that completed it: resampling plus the wait for the agent's task.
    """

    def __init__(
        self,
        *,
        rate_hz: int = RATE_OUT_HZ,
        chunk_ms: int = 20,
        max_chunks: int = 50,
        on_delivered: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.rate_hz = rate_hz
        self.chunk_bytes = rate_hz * chunk_ms // 1000 * BYTES_PER_SAMPLE
        self._resampler: av.AudioResampler | None = None
        self._buf = bytearray()
        self._primed = False
        self._q: deque[bytes] = deque(maxlen=max_chunks)
        self._on_delivered = on_delivered
        self._clock = clock
        self._pushed_at: deque[float] = deque(maxlen=max_chunks)  # in step with _q
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self.chunks = 0
        self.dropped = 0
        self.format_changes = 0

    def push(self, frame: AudioFrame) -> None:
        if self._closed:
            return
        pushed_at = self._clock() if self._on_delivered is not None else 0.0
        for out in self._resample(frame):
            nbytes = out.samples * BYTES_PER_SAMPLE
            if not self._primed and nbytes:
                # swr holds ~1 ms back on the first frame. Padding the start of the stream by that
                # much makes every later 20 ms frame complete a chunk at once, instead of each
                # chunk waiting ~20 ms for the next frame to fill its last millisecond.
                self._buf += bytes(-nbytes % self.chunk_bytes)
                self._primed = True
            self._buf += memoryview(out.planes[0])[:nbytes]
        size = self.chunk_bytes
        if len(self._buf) < size:
            return
        while len(self._buf) >= size:
            if len(self._q) == self._q.maxlen:
                self.dropped += 1
            self._q.append(bytes(self._buf[:size]))
            self._pushed_at.append(pushed_at)
            del self._buf[:size]
            self.chunks += 1
        self._wake()

    def close(self) -> None:
        """End the stream: queued chunks are still delivered, then iteration stops."""
        self._closed = True
        self._buf.clear()
        self._resampler = None
        self._wake()

    @property
    def pending(self) -> int:
        return len(self._q)

    def __aiter__(self) -> Resampler:
        return self

    async def __anext__(self) -> bytes:
        while not self._q:
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        if self._on_delivered is not None and self._pushed_at:
            self._on_delivered(self._clock() - self._pushed_at.popleft())
        return self._q.popleft()

    def _resample(self, frame: AudioFrame) -> list[AudioFrame]:
        if frame.sample_rate == self.rate_hz and frame.format.name == "s16" and (
            frame.layout.nb_channels == 1
        ):
            return [frame]  # already what the agent hears (media.passthrough decodes to it)
        if self._resampler is not None:
            try:
                return self._resampler.resample(frame)
            except ValueError:  # input layout/rate changed (codec renegotiated): rare
                self.format_changes += 1
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=self.rate_hz)
        return self._resampler.resample(frame)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
