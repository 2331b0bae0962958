"""A stand-in interviewer for load tests: it listens for `listen_s`, then speaks for `talk_s`.

A real interviewer talks about half the time and is silent while the candidate answers; the
echo agent talks all the time, so it would overstate the cost of outbound audio. While
"speaking" this agent replays what it hears (16 kHz → 24 kHz, like a voice model's output);
while "listening" it plays nothing, so the outbound track has only silence to send.
"""

from __future__ import annotations

import av
from av.audio.frame import AudioFrame

from agents.hooks import AgentIO

RATE_IN_HZ = 16_000
RATE_OUT_HZ = 24_000
BYTES_PER_SECOND_IN = RATE_IN_HZ * 2


class AlternatingAgent:
    def __init__(self, *, talk_s: float = 3.0, listen_s: float = 3.0) -> None:
        if talk_s <= 0 or listen_s < 0:
            raise ValueError(f"talk_s must be > 0 and listen_s >= 0, not {talk_s}, {listen_s}")
        self.talk_s = talk_s
        self.listen_s = listen_s
        self.spoken_s = 0.0
        self.heard_s = 0.0

    def speaking_at(self, heard_s: float) -> bool:
        """Whether the agent speaks at this point of the candidate's audio (listening first)."""
        return heard_s % (self.talk_s + self.listen_s) >= self.listen_s

    async def __call__(self, io: AgentIO) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE_OUT_HZ)
        pts = 0
        async for chunk in io.pcm_in():
            chunk_s = len(chunk) / BYTES_PER_SECOND_IN
            if self.speaking_at(self.heard_s):
                frame = AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
                frame.planes[0].update(chunk)
                frame.sample_rate = RATE_IN_HZ
                frame.pts = pts
                pts += frame.samples
                for out in resampler.resample(frame):
                    io.play(bytes(memoryview(out.planes[0])[: out.samples * 2]))
                self.spoken_s += chunk_s
            self.heard_s += chunk_s
