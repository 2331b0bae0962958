import asyncio
import time

import numpy as np

from media.resample import Resampler
from tests.frames import audio_frame, audio_frames, dominant_hz


def test_one_second_in_is_fifty_640_byte_chunks_of_16k_mono() -> None:
    resampler = Resampler()
    for frame in audio_frames(1000, 1.0):
        resampler.push(frame)
    chunks = [resampler._q.popleft() for _ in range(resampler.pending)]
    assert len(chunks) == 50 and {len(c) for c in chunks} == {640}
    assert resampler.chunks == 50 and resampler.dropped == 0


def test_a_1khz_tone_stays_at_1khz() -> None:
    resampler = Resampler()
    for frame in audio_frames(1000, 1.0):
        resampler.push(frame)
    pcm = b"".join(resampler._q)
    assert abs(dominant_hz(pcm, 16_000) - 1000) < 2
    level = np.abs(np.frombuffer(pcm, np.int16)[1000:]).max()
    assert 0.45 * 32767 < level < 0.55 * 32767  # amplitude kept (the input is 0.5 FS)


def test_each_20ms_frame_completes_a_chunk_at_once() -> None:
    """Added latency: chunk k is ready the moment frame k is pushed (~30-60 µs of CPU).

    swr holds the last 16 output samples (1 ms) of each frame back until the next one; the
    stream start is padded by those 16 samples, so chunk k carries frame k's audio except its
    final millisecond, which rides in chunk k+1. An impulse mid-frame k comes out in chunk k,
    16 samples after its ideal place.
    """
    resampler = Resampler()
    silence = np.zeros(960, np.int16)
    impulse = silence.copy()
    impulse[480] = 30_000
    push_s = []
    for k in range(20):
        frame = audio_frame(impulse if k == 10 else silence, pts=k * 960)
        before = resampler.pending
        t0 = time.perf_counter()
        resampler.push(frame)
        push_s.append(time.perf_counter() - t0)
        assert resampler.pending == before + 1  # no chunk waits for the next frame
    chunks = list(resampler._q)
    peak_chunk = max(range(20), key=lambda i: np.abs(np.frombuffer(chunks[i], np.int16)).max())
    assert peak_chunk == 10
    assert int(np.argmax(np.frombuffer(chunks[10], np.int16))) == 160 + 16
    assert sorted(push_s)[len(push_s) // 2] < 0.002
    print(f"resample push median {sorted(push_s)[10] * 1e6:.0f} µs")


async def test_the_consumer_gets_a_chunk_right_after_the_push() -> None:
    resampler = Resampler()
    got: list[float] = []

    async def consume() -> None:
        async for _ in resampler:
            got.append(time.perf_counter())

    task = asyncio.create_task(consume())
    pushed = []
    for frame in audio_frames(1000, 0.2):
        await asyncio.sleep(0.001)
        pushed.append(time.perf_counter())
        resampler.push(frame)
    resampler.close()
    await asyncio.wait_for(task, 2)
    assert len(got) == 10
    delays = [g - p for g, p in zip(got, pushed, strict=True)][1:]  # the 1st builds the resampler
    assert max(delays) < 0.005
    print(f"frame -> chunk in consumer: max {max(delays) * 1e6:.0f} µs")


def test_queue_is_bounded_and_drops_the_oldest() -> None:
    resampler = Resampler(max_chunks=5)
    for frame in audio_frames(1000, 0.4):
        resampler.push(frame)
    assert resampler.pending == 5 and resampler.dropped == 15
    newest = Resampler()
    for frame in audio_frames(1000, 0.4):
        newest.push(frame)
    assert list(resampler._q) == list(newest._q)[-5:]


async def test_close_ends_the_iterator_after_the_queued_chunks() -> None:
    resampler = Resampler()
    for frame in audio_frames(1000, 0.1):
        resampler.push(frame)
    resampler.close()
    resampler.push(audio_frames(1000, 0.02)[0])  # ignored once closed
    assert [len(c) async for c in resampler] == [640] * 5


def test_a_format_change_midstream_keeps_the_output_going() -> None:
    resampler = Resampler()
    for frame in audio_frames(1000, 0.2):
        resampler.push(frame)
    for frame in audio_frames(1000, 0.2, rate_hz=8_000, layout="mono", frame_samples=160):
        resampler.push(frame)
    assert resampler.format_changes == 1
    assert 19 <= resampler.pending <= 20


def test_frames_already_16k_mono_skip_the_resampler() -> None:
    resampler = Resampler()
    pcm = (np.sin(np.arange(16_000) * 2 * np.pi * 1000 / 16_000) * 8000).astype(np.int16)
    for i in range(50):
        resampler.push(audio_frame(pcm[i * 320 : (i + 1) * 320], rate_hz=16_000, layout="mono"))
    assert resampler._resampler is None  # never needed one
    assert b"".join(resampler._q) == pcm.tobytes()  # byte for byte, no delay, no padding
