"""A stand-in interviewer for load tests: it speaks for `talk_s`, then listens for `listen_s`.

A real interviewer talks about half the time and is silent while the candidate answers; the
echo agent talks all the time, so it would overstate the cost of outbound audio. This agent
reads every chunk of the candidate's 16 kHz PCM and, while "speaking", answers each with 20 ms
of a voice rendered once (a 24 kHz harmonic tone, like a voice model's output); while
"listening" it plays nothing, so the outbound track has only silence to send. Its own work is
a slice per chunk: what a load test measures is the media path, not a stand-in model.
"""

from __future__ import annotations

import functools

import numpy as np

from agents.hooks import AgentIO

RATE_IN_HZ = 16_000
RATE_OUT_HZ = 24_000
BYTES_PER_SECOND_IN = RATE_IN_HZ * 2
BYTES_PER_SECOND_OUT = RATE_OUT_HZ * 2


@functools.cache
def voice_24k(seconds: float = 2.0, pitch_hz: float = 140.0) -> bytes:
    """A vowel-like sound: harmonics of `pitch_hz` under a slow syllable envelope."""
    t = np.arange(int(seconds * RATE_OUT_HZ)) / RATE_OUT_HZ
    wave = sum(np.sin(2 * np.pi * pitch_hz * k * t) / k for k in range(1, 12))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3.0 * t)
    return (wave * envelope * 5000).astype("<i2").tobytes()


class AlternatingAgent:
    def __init__(self, *, talk_s: float = 3.0, listen_s: float = 3.0) -> None:
        if talk_s <= 0 or listen_s < 0:
            raise ValueError(f"talk_s must be > 0 and listen_s >= 0, not {talk_s}, {listen_s}")
        self.talk_s = talk_s
        self.listen_s = listen_s
        self._heard_bytes = 0  # ints, so phase boundaries do not drift with float sums
        self._spoken_bytes = 0

    @property
    def heard_s(self) -> float:
        return self._heard_bytes / BYTES_PER_SECOND_IN

    @property
    def spoken_s(self) -> float:
        return self._spoken_bytes / BYTES_PER_SECOND_IN

    def speaking_at(self, heard_s: float) -> bool:
        """Whether the agent speaks at this point of the candidate's audio (it opens)."""
        return heard_s % (self.talk_s + self.listen_s) < self.talk_s

    async def __call__(self, io: AgentIO) -> None:
        voice = voice_24k()
        at = 0
        async for chunk in io.pcm_in():
            if self.speaking_at(self.heard_s):
                size = len(chunk) * BYTES_PER_SECOND_OUT // BYTES_PER_SECOND_IN & ~1
                if at + size > len(voice):
                    at = 0
                io.play(voice[at : at + size])
                at += size
                self._spoken_bytes += len(chunk)
            self._heard_bytes += len(chunk)
