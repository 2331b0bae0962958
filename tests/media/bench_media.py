"""CPU and latency of the media hot paths, for the numbers quoted in reviews and DESIGN.

Run: `.venv/bin/python -m tests.media.bench_media` (not collected by pytest). Prints CPU per
20 ms audio frame / per video frame for each stage; the resample latency is also asserted in
tests/media/test_resample.py.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import av

from media.fanout import Fanout
from media.opus_writer import OpusSegmentWriter
from media.playout import AgentAudioTrack
from media.recorder import TrackRecorder
from media.resample import Resampler
from media.vp8_writer import Vp8SegmentWriter
from tests.frames import (
    ListTrack,
    audio_frames,
    opus_packets,
    sine_pcm,
    tee_decoded_frames,
    vp8_packets,
)
from tests.media.conftest import FakeClock

AUDIO_S = 60
VIDEO_S = 20


def per_item_us(seconds: float, count: int) -> str:
    return f"{seconds / count * 1e6:8.1f} µs"


async def bench_recorder(tmp: Path) -> None:
    """Recorder path per frame; media is pushed ~20x faster than real time."""
    decoded = audio_frames(220, AUDIO_S)
    teed = tee_decoded_frames(opus_packets(220, AUDIO_S))
    packets = vp8_packets(VIDEO_S * 30, width=640, height=480, gop=300)
    cases = (
        ("audio", "opus packets kept", teed, 50),
        ("audio", "opus encoded", decoded, 50),
        ("video", "vp8 640x480 passed through", packets, 30),
    )
    for kind, label, items, per_s in cases:
        clock = FakeClock()
        writer = (
            OpusSegmentWriter(tmp / label, segment_s=5.0)
            if kind == "audio"
            else Vp8SegmentWriter(tmp / label, segment_s=5.0)
        )
        track = TrackRecorder(writer, kind=kind, clock=clock, batch_s=0.002)
        await track.start()
        loop_cpu = 0.0
        for i in range(0, len(items), per_s // 10):  # 100 ms of media, then let a batch run
            t0 = time.thread_time()
            for item in items[i : i + per_s // 10]:
                clock.advance(1 / per_s)
                track.push(item)
            loop_cpu += time.thread_time() - t0
            await asyncio.sleep(0.005)
        summary = await track.close()
        n = summary.frames_in
        print(
            f"recorder {kind} ({label}): worker {per_item_us(summary.cpu_s, n)}/frame, push "
            f"{per_item_us(loop_cpu, n)}/frame ({len(summary.segments)} segments, "
            f"{summary.dropped} dropped)"
        )


def bench_keep_opus_packets(tmp: Path) -> None:
    """What keeping the browser's Opus packets would cost instead: muxing only."""
    encoder = OpusSegmentWriter(tmp / "enc", segment_s=5.0)._encoder
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000, frame_size=960)
    packets = []
    t0 = time.thread_time()
    for i, frame in enumerate(audio_frames(220, AUDIO_S)):
        for out in resampler.resample(frame):
            out.pts = i * 960
            packets += encoder.encode(out)
    encode_s = time.thread_time() - t0
    container = av.open(str(tmp / "mux.ogg"), "w", format="ogg")
    stream = container.add_stream("libopus", rate=48_000, layout="mono")
    t0 = time.thread_time()
    for packet in packets:
        packet.stream = stream
        container.mux(packet)
    container.close()
    print(
        f"opus: downmix + encode {per_item_us(encode_s, len(packets))}/frame vs "
        f"ogg mux only (if the received packets were kept) "
        f"{per_item_us(time.thread_time() - t0, len(packets))}/frame"
    )


def bench_resampler() -> None:
    frames = audio_frames(1000, AUDIO_S)
    resampler = Resampler(max_chunks=len(frames))
    costs = []
    for frame in frames:
        t0 = time.perf_counter()
        resampler.push(frame)
        costs.append(time.perf_counter() - t0)
    print(
        f"resample 48k stereo -> 16k mono: median {statistics.median(costs) * 1e6:.1f} µs, "
        f"p99 {sorted(costs)[int(len(costs) * 0.99)] * 1e6:.1f} µs per frame; a chunk is ready "
        f"when its frame is pushed (+1 ms held by swr)"
    )


async def bench_playout() -> None:
    clock = FakeClock()
    track = AgentAudioTrack(clock=clock, sleep=clock.sleep, max_queue_s=AUDIO_S + 1)
    n = AUDIO_S * 50
    for _ in range(100):  # warm up
        await track.recv()
    t0 = time.thread_time()
    for _ in range(n):
        await track.recv()
    silent = time.thread_time() - t0
    pcm = sine_pcm(440, AUDIO_S, 24_000)
    t0 = time.thread_time()
    for i in range(0, len(pcm), 960 * 2):  # 40 ms feeds, like the Live API's chunks
        track.feed(pcm[i : i + 960 * 2])
    fed = time.thread_time() - t0
    t0 = time.thread_time()
    for _ in range(n):
        await track.recv()
    voiced = time.thread_time() - t0
    print(
        f"playout: recv silent {per_item_us(silent, n)}, recv voiced {per_item_us(voiced, n)}, "
        f"feed {per_item_us(fed, n)} per 20 ms (silent_run={track.silent_run})"
    )


async def bench_fanout() -> None:
    frames = audio_frames(1000, AUDIO_S)

    class Null:
        def push(self, frame: object) -> None:
            pass

    fanout = Fanout(ListTrack("audio", frames), [Null(), Null()])
    t0 = time.thread_time()
    await fanout.start()
    await fanout.wait_ended()
    print(f"fanout to 2 sinks: {per_item_us(time.thread_time() - t0, len(frames))}/frame")


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench_recorder(Path(tmp))
        bench_keep_opus_packets(Path(tmp))
    bench_resampler()
    await bench_playout()
    await bench_fanout()


if __name__ == "__main__":
    asyncio.run(main())
