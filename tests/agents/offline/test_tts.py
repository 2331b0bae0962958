"""agents/offline/tts.py: espeak-ng speech at 24 kHz, sentence splitting, caching."""

from __future__ import annotations

import time

import numpy as np

from agents.offline.tts import Synthesizer, resample, split_sentences, voice_for


def test_split_sentences() -> None:
    assert split_sentences("Okay. On Redis, what happens? Thanks, Alex! 100 more.") == [
        "Okay.", "On Redis, what happens?", "Thanks, Alex!", "100 more."]
    assert split_sentences("bit.ly is a URL shortener.") == ["bit.ly is a URL shortener."]


async def test_synthesis_rate_length_and_cache() -> None:
    synth = Synthesizer()
    text = "Design a URL shortener that serves one hundred million redirects a day."
    pcm = await synth.synthesize(text)
    seconds = len(pcm) / 48_000  # 24 kHz s16 mono
    assert len(pcm) % 2 == 0 and 2.5 < seconds < 8.0
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    assert np.sqrt(np.mean(samples**2)) > 500  # not silent
    t0 = time.perf_counter()
    assert await synth.synthesize(text) == pcm
    assert time.perf_counter() - t0 < 0.01 and synth.synthesized == 1
    other = await synth.synthesize("Okay.", voice_for("Kore"))
    assert 0.2 < len(other) / 48_000 < 2.0


def test_resample_keeps_duration() -> None:
    one_second = np.zeros(22_050, np.int16).tobytes()
    out = resample(one_second, 22_050, 24_000)
    assert abs(len(out) / 2 - 24_000) < 100
    assert voice_for(None) == "en-us" and voice_for("unknown") == "en-us"
