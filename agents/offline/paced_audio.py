"""The model's voice on the wire: 24 kHz PCM sent in chunks, never more than a set lead
ahead of real time, so a barge-in has little queued audio to flush at the client; it also
knows when what was sent will have finished playing there."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from agents.offline import protocol as p

OUT_BYTES_PER_S = p.AUDIO_OUT_RATE_HZ * 2


class PacedAudio:
    def __init__(self, send_chunk: Callable[[bytes], Awaitable[None]]) -> None:
        self._send_chunk = send_chunk
        self._loop = asyncio.get_running_loop()
        self._t0 = 0.0  # loop time the current run of audio started playing
        self._sent_s = 0.0  # seconds of audio sent since then
        self.playback_end = 0.0  # loop time the audio sent so far ends at the client

    def playing(self) -> bool:
        return self._loop.time() < self.playback_end

    def stop(self) -> None:
        """The client dropped its queued audio (barge-in)."""
        self.playback_end = 0.0

    async def stream(self, pcm: bytes, *, chunk_ms: int, lead_s: float) -> None:
        """Send `pcm` in `chunk_ms` chunks, at most `lead_s` ahead of real time."""
        now = self._loop.time()
        if now >= self.playback_end:
            self._t0, self._sent_s = now, 0.0
        step = OUT_BYTES_PER_S * chunk_ms // 1000 // 2 * 2
        for start in range(0, len(pcm), step):
            chunk = pcm[start : start + step]
            delay = self._t0 + self._sent_s - lead_s - self._loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._send_chunk(chunk)
            self._sent_s += len(chunk) / OUT_BYTES_PER_S
            self.playback_end = self._t0 + self._sent_s
