"""Speech synthesis at the Live API's 24 kHz mono s16: the neural Piper voice
(agents/offline/piper_voice.py) when its model is installed, else espeak-ng.

A reply is split into sentences and each is synthesised on its own (`stream()`), so the
first sentence's audio can go out while the rest is being made. Short stock phrases
(acknowledgements) are cached, so a reply that starts with one has audio ready at once.
Piper runs on the shared `ModelPool`; espeak-ng is a subprocess.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import struct
from collections import OrderedDict
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any

import av
import numpy as np
from av.audio.frame import AudioFrame

if TYPE_CHECKING:
    from agents.offline.pool import ModelPool

RATE_OUT_HZ = 24_000
ESPEAK = "espeak-ng"
DEFAULT_VOICE = "en-us"
WORDS_PER_MINUTE = 175
# Gemini prebuilt voice names -> espeak-ng voices, so a configured voice sounds different
VOICES = {
    "puck": "en-us",
    "charon": "en-us+m3",
    "kore": "en-us+f3",
    "fenrir": "en-gb",
    "aoede": "en-us+f2",
    "leda": "en-gb+f3",
    "orus": "en-us+m1",
    "zephyr": "en-us+f4",
}


class SynthesisError(RuntimeError):
    """espeak-ng is missing or failed."""


def voice_for(name: str | None) -> str:
    if not name:
        return DEFAULT_VOICE
    return VOICES.get(name.lower(), DEFAULT_VOICE)


def split_sentences(text: str) -> list[str]:
    """Sentences, ending punctuation kept."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def wav_pcm(wav: bytes) -> tuple[bytes, int]:
    """(samples, rate) of a mono s16 WAV as espeak-ng writes it (data size may be bogus)."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise SynthesisError("espeak-ng did not produce a WAV")
    pos, rate = 12, 22_050
    while pos + 8 <= len(wav):
        chunk, size = wav[pos : pos + 4], struct.unpack("<I", wav[pos + 4 : pos + 8])[0]
        if chunk == b"fmt ":
            rate = struct.unpack("<I", wav[pos + 12 : pos + 16])[0]
        elif chunk == b"data":
            data = wav[pos + 8 :]
            return data[: len(data) // 2 * 2], rate
        pos += 8 + size + (size & 1)
    raise SynthesisError("no data chunk in espeak-ng output")


def resample(pcm: bytes, rate_in: int, rate_out: int = RATE_OUT_HZ) -> bytes:
    """Mono s16 PCM from one rate to another (PyAV's resampler; flushes at the end)."""
    if rate_in == rate_out or not pcm:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2").reshape(1, -1)
    frame = AudioFrame.from_ndarray(samples, format="s16", layout="mono")
    frame.sample_rate = rate_in
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate_out)
    out = [f.to_ndarray().tobytes() for f in resampler.resample(frame)]
    out += [f.to_ndarray().tobytes() for f in resampler.resample(None)]
    return b"".join(out)


class Synthesizer:
    """`neural` (a `PiperEngine`) speaks when given, on `pool`'s workers; espeak-ng otherwise.
    Piper has one speaker, so the Gemini voice names only matter to espeak-ng."""

    def __init__(
        self,
        *,
        words_per_minute: int = WORDS_PER_MINUTE,
        cache_size: int = 256,
        neural: Any = None,
        pool: ModelPool | None = None,
    ) -> None:
        if neural is None and shutil.which(ESPEAK) is None:
            raise SynthesisError(f"{ESPEAK} is not installed (apt-get install espeak-ng)")
        if neural is not None and pool is None:
            raise ValueError("a neural voice needs a worker pool")
        self.words_per_minute = words_per_minute
        self.neural = neural
        self._pool = pool
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._cache_size = cache_size
        self.synthesized = 0

    def use_neural(self, engine: Any, pool: ModelPool) -> None:
        """Speak with `engine` from now on (the server loads it after construction)."""
        self.neural, self._pool = engine, pool
        self._cache.clear()

    @property
    def engine(self) -> str:
        return "piper" if self.neural is not None else "espeak-ng"

    async def synthesize(
        self, text: str, voice: str = DEFAULT_VOICE, *, urgent: bool = True
    ) -> bytes:
        """24 kHz mono s16 PCM for `text` (one sentence or a few)."""
        key = (voice if self.neural is None else "", text)
        if (hit := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return hit
        if self.neural is not None and self._pool is not None:
            from agents.offline.pool import NORMAL, URGENT

            out = await self._pool.run(URGENT if urgent else NORMAL, self.neural.synthesize, text)
        else:
            out = await self._espeak(text, voice)
        self.synthesized += 1
        if len(text) <= 80:
            self._cache[key] = out
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    async def stream(
        self, text: str, voice: str = DEFAULT_VOICE
    ) -> AsyncGenerator[tuple[str, bytes], None]:
        """(sentence, PCM) pairs in order; the next sentence is made while the caller sends
        the current one, so the first audio does not wait for the whole text."""
        sentences = split_sentences(text)
        if not sentences:
            return
        job = asyncio.ensure_future(self.synthesize(sentences[0], voice))
        try:
            for i, sentence in enumerate(sentences):
                pcm = await job
                if i + 1 < len(sentences):
                    job = asyncio.ensure_future(
                        self.synthesize(sentences[i + 1], voice, urgent=False)
                    )
                yield sentence, pcm
        finally:
            job.cancel()

    async def _espeak(self, text: str, voice: str) -> bytes:
        proc = await asyncio.create_subprocess_exec(
            ESPEAK, "-v", voice, "-s", str(self.words_per_minute), "--stdout",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        wav, err = await proc.communicate(text.encode("utf-8"))
        if proc.returncode != 0:
            raise SynthesisError(f"{ESPEAK} exited {proc.returncode}: {err.decode()[:200]}")
        pcm, rate = wav_pcm(wav)
        return await asyncio.to_thread(resample, pcm, rate)

    async def warm(self, texts: list[str] | tuple[str, ...], voice: str = DEFAULT_VOICE) -> None:
        """Pre-synthesise stock phrases into the cache (behind any live reply's work)."""
        for text in texts:
            await self.synthesize(text, voice, urgent=False)
