"""Audio builders for the offline Live server tests: espeak-ng speech as the candidate's
16 kHz PCM, silence, and a pacer that streams PCM over a live session like a microphone."""

from __future__ import annotations

import asyncio
import functools
import io
import subprocess

import av

RATE_IN_HZ = 16_000
BYTES_PER_MS_IN = RATE_IN_HZ * 2 // 1000


@functools.lru_cache(maxsize=64)
def speech_16k(text: str, voice: str = "en-us", words_per_minute: int = 175) -> bytes:
    """`text` spoken by espeak-ng as 16 kHz mono s16 PCM."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "--stdout", text],
        capture_output=True, check=True,
    ).stdout
    container = av.open(io.BytesIO(wav))
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE_IN_HZ)
    out = [f.to_ndarray().tobytes() for frame in container.decode(audio=0)
           for f in resampler.resample(frame)]
    out += [f.to_ndarray().tobytes() for f in resampler.resample(None)]
    return b"".join(out)


def silence(ms: int) -> bytes:
    return bytes(ms * BYTES_PER_MS_IN)


async def stream_pcm(session, pcm: bytes, *, chunk_ms: int = 40, pace: float = 1.0) -> None:  # type: ignore[no-untyped-def]
    """Send PCM as `realtimeInput.audio` chunks at `pace` times real time."""
    from google.genai import types

    step = chunk_ms * BYTES_PER_MS_IN
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for i, start in enumerate(range(0, len(pcm), step)):
        await session.send_realtime_input(
            audio=types.Blob(data=pcm[start : start + step], mime_type="audio/pcm;rate=16000")
        )
        delay = t0 + (i + 1) * chunk_ms / 1000 / pace - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
