"""Streaming recognition keeps the end of an utterance cheap even when decodes disagree."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from agents.offline.pool import ModelPool
from agents.offline.whisper import Recognition, Word
from agents.offline.whisper_stream import BYTES_PER_S, MAX_TAIL_S, STEP_S, WhisperTranscriber

WORD_S = 0.4


class Unsure:
    """A recogniser that hears different words every time (unclear speech): one word per
    0.4 s of the audio it is given, never the same twice."""

    def __init__(self) -> None:
        self.calls: list[float] = []  # seconds of audio per decode

    def recognize(self, pcm: bytes, prompt: str = "") -> Recognition:
        seconds = len(pcm) / BYTES_PER_S
        call = len(self.calls)
        self.calls.append(seconds)
        words = tuple(Word(f" w{call}x{i}", i * WORD_S, (i + 1) * WORD_S, 0.9)
                      for i in range(int(seconds / WORD_S)))
        return Recognition("".join(w.text for w in words).strip(), words)


def _speechlike(seconds: float) -> bytes:
    t = np.arange(int(seconds * 16_000)) / 16_000
    wave = sum(np.sin(2 * np.pi * f * t) for f in (180, 360, 540, 720))
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)  # syllables
    return (wave * envelope * 3000).astype("<i2").tobytes()


@pytest.mark.asyncio
async def test_a_long_unclear_utterance_never_leaves_a_long_tail_to_decode() -> None:
    recognizer = Unsure()
    pool = ModelPool(1)
    transcriber = WhisperTranscriber(recognizer, pool)  # type: ignore[arg-type]
    try:
        transcriber.start()
        audio = _speechlike(12.0)
        chunk = BYTES_PER_S // 10
        for start in range(0, len(audio), chunk):
            transcriber.feed(audio[start : start + chunk])
            await asyncio.sleep(0.01)
        heard = await asyncio.wait_for(transcriber.finish(), 10)
    finally:
        await transcriber.close()
        pool.close()
    assert len(recognizer.calls) >= 5
    # without the bound every partial (and the final) would cover the whole utterance so far
    assert max(recognizer.calls) <= MAX_TAIL_S + STEP_S + 0.5
    assert len(heard.text.split()) >= 12.0 / WORD_S * 0.6  # the committed words are kept
