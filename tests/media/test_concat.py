"""Joining segments and salvaging a crashed spool, including a real `kill -9` of a writer."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import av
import pytest

from media.concat import EmptyRecording, concat_segments, recover_spool
from media.opus_writer import OpusSegmentWriter
from media.segment import list_segments
from media.vp8_writer import Vp8SegmentWriter
from tests.frames import audio_frames, decode_mono, vp8_packets

ROOT = Path(__file__).resolve().parents[2]


def decoded_s(path: Path) -> float:
    """Seconds of media that actually decode (samples for audio, frame span for video)."""
    with av.open(str(path)) as container:
        stream = container.streams[0]
        if stream.type == "audio":
            return len(decode_mono(path)) / 48_000
        times = [f.time or 0.0 for f in container.decode(video=0)]
        return times[-1] - times[0] + 1 / 30


def record(tmp: Path, seconds: float = 3.0) -> tuple[list[Path], list[Path]]:
    audio = OpusSegmentWriter(tmp / "audio", segment_s=1.0)
    video = Vp8SegmentWriter(tmp / "video", segment_s=1.0)
    frames, packets = audio_frames(1000, seconds), vp8_packets(round(seconds * 30))
    for i in range(round(seconds * 10)):  # 100 ms batches
        audio.write(frames[i * 5 : (i + 1) * 5], (i + 1) / 10)
        video.write(packets[i * 3 : (i + 1) * 3], (i + 1) / 10)
    audio.close()
    video.close()
    return list_segments(tmp / "audio"), list_segments(tmp / "video")


def test_truncated_last_segment_loses_only_what_was_cut(tmp_path: Path) -> None:
    audio, video = record(tmp_path / "spool")
    assert len(audio) == len(video) == 3
    for last in (audio[-1], video[-1]):  # a crash mid-upload / mid-write
        data = last.read_bytes()
        last.write_bytes(data[: len(data) // 2])

    results = recover_spool(tmp_path / "spool", tmp_path / "out")
    assert set(results) == {"audio", "video"}
    assert results["audio"].path.name == "audio.ogg" and results["video"].path.name == "video.webm"
    for result in results.values():
        got = decoded_s(result.path)
        # Two whole segments survive, plus part of the cut one; at most that one second is lost.
        assert 2.0 <= got <= 3.0
        assert result.duration_s == pytest.approx(got, abs=0.05)
    assert decoded_s(results["audio"].path) >= 2.2  # Ogg pages every 0.5 s: half the cut kept
    assert results["video"].packets >= 60 + 5


def test_unreadable_segments_are_skipped_and_counted(tmp_path: Path) -> None:
    audio, _ = record(tmp_path / "spool", seconds=2.0)
    empty = tmp_path / "000009.ogg.part"
    empty.write_bytes(b"")
    junk = tmp_path / "000010.ogg"
    junk.write_bytes(os.urandom(3000))
    result = concat_segments([*audio, empty, junk], tmp_path / "a.ogg")
    assert result.segments_read + result.segments_unreadable == 4
    assert result.segments_unreadable >= 1
    assert decoded_s(result.path) == pytest.approx(2.0, abs=0.03)
    with pytest.raises(EmptyRecording):
        concat_segments([empty], tmp_path / "none.ogg")
    assert not (tmp_path / "none.ogg").exists()


def test_segments_whose_clock_restarts_are_appended_after(tmp_path: Path) -> None:
    first, _ = record(tmp_path / "before", seconds=1.0)
    second, _ = record(tmp_path / "after", seconds=1.0)  # e.g. the server restarted
    result = concat_segments([*first, *second], tmp_path / "both.ogg")
    assert decoded_s(result.path) == pytest.approx(2.0, abs=0.03)


_KILLED_WRITER = """
import os, signal, sys
from pathlib import Path
from media.opus_writer import OpusSegmentWriter
from media.vp8_writer import Vp8SegmentWriter
from tests.frames import audio_frames, decode_mono, vp8_packets

spool = Path(sys.argv[1])
audio = OpusSegmentWriter(spool / "audio", segment_s=2.0)
video = Vp8SegmentWriter(spool / "video", segment_s=2.0)
frames, packets = audio_frames(1000, 3.5), vp8_packets(105)
for i in range(35):
    audio.write(frames[i * 5 : (i + 1) * 5], (i + 1) / 10)
    video.write(packets[i * 3 : (i + 1) * 3], (i + 1) / 10)
os.kill(os.getpid(), signal.SIGKILL)  # no close(), no trailer, no Python clean-up
"""


def test_kill_9_mid_segment_loses_about_a_second_at_most(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED_WRITER), str(spool)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert [p.name for p in list_segments(spool / "audio")] == ["000001.ogg", "000002.ogg.part"]
    results = recover_spool(spool, tmp_path / "out")
    # 3.5 s were handed to the writers; the open segment was flushed at least once a second.
    assert 2.5 <= decoded_s(results["audio"].path) <= 3.5
    assert 2.5 <= decoded_s(results["video"].path) <= 3.5
