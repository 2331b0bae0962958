from pathlib import Path

import av
import numpy as np
import pytest

from media.concat import concat_segments
from media.opus_writer import OpusSegmentWriter
from media.segment import Resume
from tests.frames import (
    audio_frames,
    decode_mono,
    dominant_hz,
    opus_packets,
    tee_decoded_frames,
)


def write_in_real_time(writer: OpusSegmentWriter, frames: list, t0: float = 0.0) -> list:
    done = []
    for i in range(0, len(frames), 5):  # batches of 100 ms, as the recorder hands them over
        done += writer.write(frames[i : i + 5], t0 + (i + 5) * 0.02)
    return done + writer.close()


def test_segments_close_on_time_and_each_plays_alone(tmp_path: Path) -> None:
    writer = OpusSegmentWriter(tmp_path, segment_s=1.0)
    segments = write_in_real_time(writer, audio_frames(1000, 3.0))
    assert writer.mode == "encode"  # plain decoded frames: nothing to copy
    assert [s.index for s in segments] == [1, 2, 3]
    assert [s.path.name for s in segments] == ["000001.ogg", "000002.ogg", "000003.ogg"]
    assert not list(tmp_path.glob("*.part"))
    for segment in segments:
        pcm = decode_mono(segment.path)
        assert abs(dominant_hz(pcm, 48_000) - 1000) < 3
        assert segment.duration_s == pytest.approx(1.0, abs=0.11)
    assert segments[1].start_s == pytest.approx(segments[0].start_s + segments[0].duration_s)
    assert writer.duration_s == pytest.approx(3.0, abs=0.021)


def test_joined_segments_have_no_seam(tmp_path: Path) -> None:
    writer = OpusSegmentWriter(tmp_path / "spool", segment_s=1.0)
    segments = write_in_real_time(writer, audio_frames(1000, 3.0))
    result = concat_segments([s.path for s in segments], tmp_path / "audio.ogg")
    pcm = decode_mono(result.path)
    assert len(pcm) == pytest.approx(3 * 48_000, abs=960)
    assert result.duration_s == pytest.approx(3.0, abs=0.03)
    # One continuous encoder: no click where segments meet (a 1 kHz sine at 0.5 FS).
    steady = pcm[4800:-4800].astype(np.int32)
    assert np.abs(np.diff(steady)).max() < 0.5 * 32767 * 2 * np.pi * 1000 / 48_000 * 1.5


def test_lost_packets_are_filled_with_silence_to_keep_wall_time(tmp_path: Path) -> None:
    frames = audio_frames(1000, 2.0)
    kept = frames[:50] + frames[75:]  # 0.5 s lost in the network
    writer = OpusSegmentWriter(tmp_path, segment_s=10.0)
    segments = write_in_real_time(writer, kept)
    assert writer.filled_s == pytest.approx(0.5)
    assert writer.duration_s == pytest.approx(2.0, abs=0.021)
    pcm = decode_mono(segments[0].path)
    assert np.abs(pcm[int(1.1 * 48_000) : int(1.4 * 48_000)]).max() < 200  # the hole is quiet


def test_mono_and_other_rates_are_accepted(tmp_path: Path) -> None:
    writer = OpusSegmentWriter(tmp_path, segment_s=10.0)
    frames = audio_frames(500, 1.0, rate_hz=16_000, layout="mono", frame_samples=320)
    (segment,) = write_in_real_time(writer, frames)
    assert abs(dominant_hz(decode_mono(segment.path), 48_000) - 500) < 3
    assert writer.duration_s == pytest.approx(1.0, abs=0.021)


def test_a_restarted_writer_numbers_on_after_existing_segments(tmp_path: Path) -> None:
    first = write_in_real_time(
        OpusSegmentWriter(tmp_path, segment_s=10.0), audio_frames(seconds=0.2)
    )
    again = write_in_real_time(
        OpusSegmentWriter(tmp_path, segment_s=10.0), audio_frames(seconds=0.2)
    )
    assert [s.index for s in first + again] == [1, 2]


def test_received_opus_packets_are_stored_as_they_came(tmp_path: Path) -> None:
    packets = opus_packets(1000, 3.0)
    writer = OpusSegmentWriter(tmp_path / "spool", segment_s=1.0)
    segments = write_in_real_time(writer, tee_decoded_frames(packets))
    assert writer.mode == "copy" and len(segments) == 3
    stored = []
    for segment in segments:
        with av.open(str(segment.path)) as c:
            assert c.streams.audio[0].codec_context.channels == 1
            stored += [bytes(p) for p in c.demux(audio=0) if p.size]
    assert stored == packets  # untouched: no decode, no encode
    joined = concat_segments([s.path for s in segments], tmp_path / "audio.ogg")
    pcm = decode_mono(joined.path)
    assert len(pcm) == pytest.approx(3 * 48_000, abs=960)
    assert abs(dominant_hz(pcm, 48_000) - 1000) < 3
    assert writer.duration_s == pytest.approx(3.0)


def test_lost_opus_packets_become_silence_packets(tmp_path: Path) -> None:
    frames = tee_decoded_frames(opus_packets(1000, 2.0))
    writer = OpusSegmentWriter(tmp_path, segment_s=10.0)
    (segment,) = write_in_real_time(writer, frames[:50] + frames[75:])
    assert writer.filled_s == pytest.approx(0.5) and writer.duration_s == pytest.approx(2.0)
    pcm = decode_mono(segment.path)
    assert len(pcm) == pytest.approx(2 * 48_000, abs=960)
    assert np.abs(pcm[int(1.1 * 48_000) : int(1.4 * 48_000)]).max() < 200


def test_stereo_packets_make_a_stereo_stream(tmp_path: Path) -> None:
    frames = tee_decoded_frames(opus_packets(1000, 0.5, stereo=True))
    (segment,) = write_in_real_time(OpusSegmentWriter(tmp_path, segment_s=10.0), frames)
    with av.open(str(segment.path)) as c:
        assert c.streams.audio[0].codec_context.channels == 2
        assert sum(f.samples for f in c.decode(audio=0)) == pytest.approx(24_000, abs=960)


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "encode"])
def test_a_new_source_after_a_rejoin_keeps_the_time_away_as_silence(
    tmp_path: Path, copy: bool
) -> None:
    """Issue 9: the candidate rejoins on a new connection 2 s later; its packets number
    afresh (here from 7 000 000), and the file keeps the 2 s between as silence."""
    if copy:
        before = tee_decoded_frames(opus_packets(1000, 1.0))
        after = tee_decoded_frames(opus_packets(1000, 1.0), start_pts=7_000_000)
    else:
        before = audio_frames(1000, 1.0)
        after = audio_frames(1000, 1.0, start_pts=7_000_000)
    writer = OpusSegmentWriter(tmp_path, segment_s=10.0)
    done = writer.write(before, 1.0)
    done += writer.write([Resume(3.0), *after], 4.0)
    (segment,) = done + writer.close()
    assert writer.duration_s == pytest.approx(4.0, abs=0.03)
    assert writer.filled_s == pytest.approx(2.0, abs=0.03)
    pcm = decode_mono(segment.path)
    assert len(pcm) == pytest.approx(4 * 48_000, abs=1500)
    assert np.abs(pcm[int(1.2 * 48_000) : int(2.8 * 48_000)]).max() < 200  # the gap is quiet
    assert abs(dominant_hz(pcm[int(3.1 * 48_000) :], 48_000) - 1000) < 5  # then the voice
