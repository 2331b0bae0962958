import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import pytest

from media.fanout import Fanout
from media.playout import AgentAudioTrack
from media.recorder import Recorder, RecorderError, TrackRecorder
from media.resample import Resampler
from media.vp8_writer import Vp8SegmentWriter
from tests.frames import ListTrack, audio_frames, sine_pcm, vp8_packets
from tests.media.conftest import FakeClock

BATCH_WAIT_S = 0.15  # a little over the recorder's 0.1 s batch period


async def test_segments_are_announced_in_order_while_recording(
    tmp_path: Path, fake_clock: FakeClock
) -> None:
    announced: list[tuple[str, int, Path]] = []
    recorder = Recorder(
        tmp_path, on_segment=lambda *a: announced.append(a), segment_s=1.0, clock=fake_clock
    )
    await recorder.start()
    fake_clock.advance(0.5)
    audio = await recorder.add_track("audio")
    frames = audio_frames(1000, 3.0)
    for second in range(3):
        for frame in frames[second * 50 : (second + 1) * 50]:
            fake_clock.advance(0.02)
            audio.push(frame)
        await asyncio.sleep(BATCH_WAIT_S)
        assert len(announced) == second  # each second closes the previous one
    summary = await recorder.close()
    assert [(k, i) for k, i, _ in announced] == [("audio", 1), ("audio", 2), ("audio", 3)]
    assert all(p.exists() and p.suffix == ".ogg" for _, _, p in announced)
    track = summary.tracks["audio"]
    assert track.duration_s == pytest.approx(3.0, abs=0.021) == summary.duration_s
    assert track.start_offset_s == pytest.approx(0.52)
    assert (track.frames_in, track.dropped, track.errors) == (150, 0, 0)
    assert [s.path for s in track.segments] == [p for _, _, p in announced]
    cpu_ms = track.cpu_s / track.frames_in * 1e3
    print(f"audio recorder CPU {cpu_ms:.3f} ms/frame (resample + Opus + Ogg, worker thread)")
    assert cpu_ms < 2.0


async def test_video_waits_for_a_keyframe_and_keeps_asking(tmp_path: Path) -> None:
    asked: list[float] = []

    async def request_keyframe() -> None:
        asked.append(asyncio.get_running_loop().time())

    recorder = Recorder(tmp_path, segment_s=10.0)
    await recorder.start()
    video = await recorder.add_track("video", request_keyframe=request_keyframe)
    await asyncio.sleep(0)
    assert len(asked) == 1  # a PLI right at the start
    packets = vp8_packets(60, gop=30)
    for packet in packets[5:30]:
        video.push(packet)
    for packet in packets[30:]:
        video.push(packet)
    await asyncio.sleep(BATCH_WAIT_S)
    summary = await recorder.close()
    assert len(asked) == 1  # the keyframe came: no more asking
    track = summary.tracks["video"]
    assert track.skipped == 25 and track.frames_in == 55
    with av.open(str(track.segments[0].path)) as c:
        assert len(list(c.decode(video=0))) == 30
    cpu_ms = track.cpu_s / 30 * 1e3
    print(f"video recorder CPU {cpu_ms:.3f} ms/frame (VP8 pass-through mux, worker thread)")
    assert cpu_ms < 2.0


async def test_keyframe_requests_repeat_while_none_arrives(tmp_path: Path) -> None:
    asked = 0

    async def request_keyframe() -> None:
        nonlocal asked
        asked += 1

    clock = FakeClock()
    writer = Vp8SegmentWriter(tmp_path, segment_s=10.0)
    track = TrackRecorder(
        writer, kind="video", clock=clock, request_keyframe=request_keyframe, batch_s=0.01
    )
    await track.start()
    for _ in range(3):
        await asyncio.sleep(0.03)
        clock.advance(1.0)
    await asyncio.sleep(0.03)
    await track.close()
    assert asked == 4 and track.keyframe_requests == 4


async def test_audio_overflow_drops_the_oldest_and_counts(tmp_path: Path) -> None:
    writer = Vp8SegmentWriter(tmp_path, segment_s=10.0)
    track = TrackRecorder(writer, kind="audio", max_queue=10)
    frames = audio_frames(1000, 0.5)
    for frame in frames:
        track.push(frame)
    assert track.dropped == 15 and list(track._q) == frames[-10:]


async def test_video_overflow_drops_whole_gops(tmp_path: Path) -> None:
    writer = Vp8SegmentWriter(tmp_path, segment_s=10.0)
    track = TrackRecorder(writer, kind="video", max_queue=10)
    packets = vp8_packets(40, gop=20)  # keyframes at 0 and 20
    for packet in packets[:15]:
        track.push(packet)
    # The 11th packet found the queue full: all ten queued and itself are dropped, and inter
    # frames are skipped until the next keyframe.
    assert track.dropped == 11 and len(track._q) == 0 and track.skipped == 4
    for packet in packets[15:25]:
        track.push(packet)
    assert track.skipped == 9
    assert list(track._q) == packets[20:25]


async def test_a_failing_callback_does_not_stop_the_recording(tmp_path: Path) -> None:
    def explode(kind: str, index: int, path: Path) -> None:
        raise RuntimeError("upload queue is full")

    recorder = Recorder(tmp_path, on_segment=explode, segment_s=0.05)
    await recorder.start()
    audio = await recorder.add_track("audio")
    for frame in audio_frames(1000, 0.4):
        audio.push(frame)
        await asyncio.sleep(0.01)
    summary = await recorder.close()
    assert len(summary.tracks["audio"].segments) >= 2
    assert summary.tracks["audio"].errors == len(summary.tracks["audio"].segments)
    assert summary.tracks["audio"].duration_s == pytest.approx(0.4, abs=0.021)


async def test_misuse_is_refused_by_name(tmp_path: Path) -> None:
    recorder = Recorder(tmp_path)
    await recorder.add_track("audio")
    with pytest.raises(RecorderError, match='"audio": it is already recorded'):
        await recorder.add_track("audio")
    with pytest.raises(RecorderError, match='kind "data"'):
        await recorder.add_track("data")
    await recorder.close()
    with pytest.raises(RecorderError, match="closed"):
        await recorder.add_track("video")


async def one_session(
    spool: Path, executor: ThreadPoolExecutor, clock: FakeClock, packets: list
) -> None:
    recorder = Recorder(spool, segment_s=0.05, executor=executor)
    await recorder.start()
    audio = await recorder.add_track("audio")
    video = await recorder.add_track("video")
    resampler = Resampler()
    fanout = Fanout(ListTrack("audio", audio_frames(1000, 0.1)), [audio, resampler])
    await fanout.start()
    for packet in packets:
        video.push(packet)
    agent = AgentAudioTrack(clock=clock, sleep=clock.sleep)
    agent.feed(sine_pcm(440, 0.1))
    await agent.recv()
    await fanout.wait_ended()
    agent.stop()
    resampler.close()
    await fanout.close()
    summary = await recorder.close()
    assert summary.tracks["audio"].segments and summary.tracks["video"].segments


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_no_leaks_after_100_open_close_cycles(tmp_path: Path) -> None:
    clock, packets = FakeClock(), vp8_packets(3)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="media-test") as executor:
        await one_session(tmp_path / "warm-up", executor, clock, packets)
        fds, threads = open_fds(), threading.active_count()
        for i in range(100):
            await one_session(tmp_path / f"s{i}", executor, clock, packets)
        assert open_fds() == fds
        assert threading.active_count() == threads
        assert asyncio.all_tasks() == {asyncio.current_task()}
        assert not list(tmp_path.rglob("*.part"))  # every file was closed and renamed
