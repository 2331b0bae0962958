"""The interviewer's voice as an outbound WebRTC track: 24 kHz PCM in, paced 20 ms frames out.

`feed()` resamples whatever it gets (any size, any pace: the model often sends faster than real
time) to 48 kHz and cuts it into 20 ms frames; `recv()` hands one out every 20 ms of the injected
clock and sends silence when there is nothing to say; `flush()` drops all queued speech at once
(barge-in), so the candidate hears the agent stop within one frame.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from fractions import Fraction

import av
import numpy as np
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from av.audio.frame import AudioFrame

RATE_OUT_HZ = 48_000
SAMPLES_20MS = 960
BYTES_20MS = SAMPLES_20MS * 2
TIME_BASE = Fraction(1, RATE_OUT_HZ)
_SILENCE_20MS = bytes(BYTES_20MS)


class AgentAudioTrack(AudioStreamTrack):
    """Outbound mono 48 kHz s16 track fed with the agent's 24 kHz mono s16 PCM."""

    def __init__(
        self,
        *,
        rate_in_hz: int = 24_000,
        max_queue_s: float = 60.0,
        resync_after_s: float = 0.2,
        tail_after_s: float = 0.06,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        super().__init__()
        self.rate_in_hz = rate_in_hz
        self._clock = clock
        self._sleep = sleep
        self._resync_after_s = resync_after_s
        self._tail_after_s = tail_after_s
        self._resampler = self._new_resampler()
        self._q: deque[bytes] = deque(maxlen=max(1, int(max_queue_s * 50)))
        self._buf = bytearray()  # 48 kHz bytes short of a whole frame
        self._carry = b""  # odd byte of a sample split across feed() calls
        self._last_feed_at = 0.0
        self._t0: float | None = None
        self._pts = 0
        # Counters and gauges for metrics and benchmarks.
        self.voiced_frames = 0
        self.silent_frames = 0
        self.silent_run = 0  # consecutive silent frames up to the last one sent
        self.dropped_frames = 0
        self.flushes = 0
        self.resyncs = 0
        self.lateness_s = 0.0
        self.max_lateness_s = 0.0

    @property
    def last_frame_silent(self) -> bool:
        return self.silent_run > 0

    @property
    def queued_s(self) -> float:
        return (len(self._q) * SAMPLES_20MS + len(self._buf) // 2) / RATE_OUT_HZ

    def feed(self, pcm: bytes) -> None:
        """Queue agent speech (s16 mono at `rate_in_hz`); cheap enough for the hot path."""
        if self._carry:
            pcm, self._carry = self._carry + pcm, b""
        if len(pcm) % 2:
            pcm, self._carry = pcm[:-1], pcm[-1:]
        if not pcm:
            return
        frame = AudioFrame.from_ndarray(
            np.frombuffer(pcm, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = self.rate_in_hz
        for out in self._resampler.resample(frame):
            self._buf += memoryview(out.planes[0])[: out.samples * 2]
        while len(self._buf) >= BYTES_20MS:
            if len(self._q) == self._q.maxlen:
                self.dropped_frames += 1
            self._q.append(bytes(self._buf[:BYTES_20MS]))
            del self._buf[:BYTES_20MS]
        self._last_feed_at = self._clock()

    def flush(self) -> None:
        """Barge-in: drop every queued sample now; the next frame sent is silence."""
        self._q.clear()
        self._buf.clear()
        self._carry = b""
        self._resampler = self._new_resampler()  # forget the few samples swr holds back
        self.flushes += 1

    def stop(self) -> None:
        self.flush()
        super().stop()

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._t0 is None:
            self._t0 = self._clock()
        else:
            self._pts += SAMPLES_20MS
            due = self._t0 + self._pts / RATE_OUT_HZ
            wait = due - self._clock()
            if wait > 0:
                await self._sleep(wait)
            late = self._clock() - due
            self.lateness_s = max(0.0, late)
            self.max_lateness_s = max(self.max_lateness_s, late)
            if late > self._resync_after_s:
                # The sender stalled: re-anchor rather than burst the backlog out at once.
                self._t0 = self._clock() - self._pts / RATE_OUT_HZ
                self.resyncs += 1
            if self.readyState != "live":
                raise MediaStreamError
        return self._frame(self._next_payload())

    def _next_payload(self) -> bytes:
        if self._q:
            return self._q.popleft()
        if self._buf and self._clock() - self._last_feed_at >= self._tail_after_s:
            # The end of an utterance: send the last partial frame instead of holding it
            # until the next one (a short wait first, so slow small feeds are not chopped).
            tail = bytes(self._buf) + bytes(BYTES_20MS - len(self._buf))
            self._buf.clear()
            return tail
        return _SILENCE_20MS

    def _frame(self, payload: bytes) -> AudioFrame:
        if payload is _SILENCE_20MS:
            self.silent_frames += 1
            self.silent_run += 1
        else:
            self.voiced_frames += 1
            self.silent_run = 0
        frame = AudioFrame(format="s16", layout="mono", samples=SAMPLES_20MS)
        frame.planes[0].update(payload)
        frame.pts = self._pts
        frame.sample_rate = RATE_OUT_HZ
        frame.time_base = TIME_BASE
        return frame

    def _new_resampler(self) -> av.AudioResampler:
        return av.AudioResampler(format="s16", layout="mono", rate=RATE_OUT_HZ)
