from pathlib import Path

import av
import pytest

from media.concat import concat_segments
from media.segment import Resume
from media.vp8_writer import Vp8SegmentWriter
from tests.frames import vp8_packets


def decode_frames(path: Path) -> list[av.VideoFrame]:
    with av.open(str(path)) as container:
        return list(container.decode(video=0))


def write_in_real_time(writer: Vp8SegmentWriter, packets: list, fps: int = 30) -> list:
    done = []
    for i in range(0, len(packets), 3):  # batches of 100 ms
        done += writer.write(packets[i : i + 3], (i + 3) / fps)
    return done + writer.close()


def test_vp8_is_muxed_as_is_in_segments_that_join_into_one_stream(tmp_path: Path) -> None:
    packets = vp8_packets(90)  # 3 s at 30 fps, a single keyframe
    writer = Vp8SegmentWriter(tmp_path / "spool", segment_s=1.0)
    segments = write_in_real_time(writer, packets)
    assert [s.path.name for s in segments] == ["000001.webm", "000002.webm", "000003.webm"]
    with av.open(str(segments[0].path)) as first:
        stream = first.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("vp8", 320, 240)
        demuxed = [p for p in first.demux(stream) if p.size]
    assert bytes(demuxed[0]) == bytes(packets[0]) and demuxed[0].is_keyframe  # untouched
    assert len(decode_frames(segments[0].path)) == 30  # the first one plays alone

    result = concat_segments([s.path for s in segments], tmp_path / "video.webm")
    frames = decode_frames(result.path)
    assert len(frames) == 90
    assert [f.pts for f in frames] == [round(i * 1000 / 30) for i in range(90)]  # ms, continuous
    assert result.duration_s == pytest.approx(3.0, abs=0.04)
    assert writer.duration_s == pytest.approx(3.0, abs=0.001)


def test_nothing_is_written_before_the_first_keyframe(tmp_path: Path) -> None:
    packets = vp8_packets(60, gop=30)  # keyframes at 0 and 30
    writer = Vp8SegmentWriter(tmp_path, segment_s=10.0)
    (segment,) = write_in_real_time(writer, packets[5:])
    assert writer.skipped == 25 and writer.frames == 30
    frames = decode_frames(segment.path)
    assert len(frames) == 30 and frames[0].pts == 0


def test_a_new_size_starts_a_new_segment(tmp_path: Path) -> None:
    small = vp8_packets(15, width=320, height=240)
    large = vp8_packets(15, width=640, height=480, start_pts=15 * 3000)
    writer = Vp8SegmentWriter(tmp_path, segment_s=10.0)
    segments = write_in_real_time(writer, small + large)
    sizes = []
    for segment in segments:
        with av.open(str(segment.path)) as c:
            sizes.append((c.streams.video[0].width, c.streams.video[0].height))
    assert sizes == [(320, 240), (640, 480)]
    joined = decode_frames(concat_segments([s.path for s in segments], tmp_path / "v.webm").path)
    assert [(f.width, f.height) for f in joined[14:16]] == [(320, 240), (640, 480)]


def test_decoded_frames_are_skipped_with_a_warning(tmp_path: Path) -> None:
    writer = Vp8SegmentWriter(tmp_path, segment_s=10.0)
    assert writer.write([av.VideoFrame(64, 48, "yuv420p")] * 3, 0.0) == []
    assert writer.close() == [] and writer.skipped == 3
    assert list(tmp_path.iterdir()) == []


def test_a_new_source_after_a_rejoin_continues_the_timeline_with_the_gap_kept(
    tmp_path: Path,
) -> None:
    """Issue 9: a rejoin's camera numbers its frames afresh; they go where they arrived."""
    writer = Vp8SegmentWriter(tmp_path, segment_s=10.0)
    done = writer.write(vp8_packets(30), 1.0)  # 1 s
    later = vp8_packets(30, start_pts=123_456_789)
    done += writer.write([Resume(3.0), *later], 4.0)  # back 2 s after the last frame
    (segment,) = done + writer.close()
    frames = decode_frames(segment.path)
    assert len(frames) == 60
    assert frames[30].pts == 3000  # ms: the time away is kept, not cut
    assert writer.duration_s == pytest.approx(4.0, abs=0.04)
