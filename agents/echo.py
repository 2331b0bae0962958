"""A stand-in interviewer that plays the candidate's voice back after a delay.

It exercises the whole media path (browser → fan-out → 16 kHz PCM → agent → 24 kHz →
outbound track → browser) before the real interviewer exists, and in media tests.
"""

from __future__ import annotations

import asyncio
from collections import deque

import av
from av.audio.frame import AudioFrame

from agents.hooks import AgentIO

RATE_IN_HZ = 16_000
RATE_OUT_HZ = 24_000


class EchoAgent:
    def __init__(self, delay_s: float = 0.5) -> None:
        self.delay_s = delay_s
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE_OUT_HZ)

    async def __call__(self, io: AgentIO) -> None:
        delayed: deque[bytes] = deque()
        hold = max(0, round(self.delay_s / 0.02))
        pts = 0
        async for chunk in io.pcm_in():
            delayed.append(chunk)
            if len(delayed) <= hold:
                continue
            pcm = delayed.popleft()
            frame = AudioFrame(format="s16", layout="mono", samples=len(pcm) // 2)
            frame.planes[0].update(pcm)
            frame.sample_rate = RATE_IN_HZ
            frame.pts = pts
            pts += frame.samples
            for out in self._resampler.resample(frame):
                io.play(bytes(memoryview(out.planes[0])[: out.samples * 2]))
            await asyncio.sleep(0)
