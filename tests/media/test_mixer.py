"""Mixing voice stems: each voice lands where it was spoken, holes keep their length."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from av.packet import Packet

from media.concat import concat_segments
from media.mixer import MixInput, NothingToMix, mix_to_ogg
from media.opus_writer import OpusSegmentWriter
from media.remux import mux_webm
from media.vp8_writer import Vp8SegmentWriter
from tests.frames import audio_frame, decode_mono, opus_packets, vp8_packets
from tests.media.signals import best_lag, chirp, rms, tone_level

RATE = 48_000


def stem_from_pcm(directory: Path, pcm: np.ndarray) -> Path:
    """An Opus stem (one segment) of mono 48 kHz samples, as the recorder writes one."""
    writer = OpusSegmentWriter(directory, segment_s=60.0)
    frames = [audio_frame(pcm[i : i + 960], layout="mono", pts=i)
              for i in range(0, len(pcm) - 959, 960)]
    (segment,) = writer.write(frames, 0.0) + writer.close()
    return segment.path


def test_each_voice_is_placed_at_its_offset(tmp_path: Path) -> None:
    candidate = chirp(300, 3000, 1.5, RATE)
    interviewer = chirp(2500, 400, 1.0, RATE)
    result = mix_to_ogg(
        [MixInput(stem_from_pcm(tmp_path / "c", candidate), 0.7),
         MixInput(stem_from_pcm(tmp_path / "i", interviewer), 0.0)],
        tmp_path / "mix.ogg",
    )
    mixed = decode_mono(result.path)
    assert result.duration_s == pytest.approx(2.2, abs=0.021)
    assert len(mixed) / RATE == pytest.approx(2.2, abs=0.03)
    lag_c, corr_c = best_lag(candidate, mixed)
    lag_i, corr_i = best_lag(interviewer, mixed)
    assert lag_c == pytest.approx(0.7, abs=0.01) and corr_c > 0.8
    assert lag_i == pytest.approx(0.0, abs=0.01) and corr_i > 0.8
    assert rms(mixed, 1.75, 2.15) > 0.1 and rms(mixed, 0.05, 0.65) > 0.1
    assert result.clipped_samples == 0


def test_a_hole_in_a_stem_keeps_its_length(tmp_path: Path) -> None:
    """Samples go where their pts say, not one after the other (WebM keeps each pts)."""
    packets = opus_packets(440, 2.0)
    path = tmp_path / "holes.webm"
    with av.open(str(path), "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=RATE, layout="mono")
        for i, data in enumerate(packets):
            if 25 <= i < 75:
                continue  # 1 s not sent (DTX, or a gap in the call)
            packet = Packet(data)
            packet.pts = packet.dts = i * 960
            packet.duration = 960
            packet.time_base = Fraction(1, RATE)
            packet.stream = stream
            out.mux(packet)
    result = mix_to_ogg([MixInput(path, 0.5)], tmp_path / "mix.ogg")
    mixed = decode_mono(result.path)
    assert result.duration_s == pytest.approx(2.5, abs=0.03)
    assert tone_level(mixed, 440, 0.55, 0.95) > 0.3  # 0.5 + [0, 0.5)
    assert tone_level(mixed, 440, 1.1, 1.9) < 0.01  # the hole, 0.5 + [0.5, 1.5)
    assert tone_level(mixed, 440, 2.05, 2.45) > 0.3  # 0.5 + [1.5, 2.0)
    assert rms(mixed, 0.0, 0.45) < 0.005  # before the stem starts


def test_voices_at_once_are_summed_and_clipping_is_counted(tmp_path: Path) -> None:
    loud = (np.sin(2 * np.pi * 200 * np.arange(RATE) / RATE) * 30_000).astype(np.int16)
    stem = stem_from_pcm(tmp_path / "a", loud)
    result = mix_to_ogg([MixInput(stem), MixInput(stem)], tmp_path / "mix.ogg")
    assert result.clipped_samples > 0
    assert tone_level(decode_mono(result.path), 200, 0.1, 0.9) > 0.8


def test_nothing_to_mix_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(NothingToMix):
        mix_to_ogg([], tmp_path / "mix.ogg")
    assert not (tmp_path / "mix.ogg").exists()


def test_picture_and_sound_are_remuxed_into_one_webm(tmp_path: Path) -> None:
    writer = Vp8SegmentWriter(tmp_path / "v", segment_s=1.0)
    packets = vp8_packets(60)  # 2 s at 30 fps
    segments = writer.write(packets[:30], 0.0) + writer.write(packets[30:], 1.0) + writer.close()
    video = concat_segments([s.path for s in segments], tmp_path / "video.webm").path
    voice = chirp(300, 3000, 3.0, RATE)
    audio = mix_to_ogg([MixInput(stem_from_pcm(tmp_path / "c", voice))], tmp_path / "a.ogg").path

    result = mux_webm(video, audio, tmp_path / "interview.webm", video_offset_s=0.5)
    assert (result.video_packets, result.audio_packets) == (60, 151)  # 150 + Opus pre-roll
    with av.open(str(result.path)) as container:
        assert {s.type for s in container.streams} == {"video", "audio"}
        times = [f.time for f in container.decode(video=0)]
    assert len(times) == 60
    assert times[0] == pytest.approx(0.5, abs=0.002) and times[-1] == pytest.approx(2.467, abs=0.01)
    sound = decode_mono(result.path)
    assert len(sound) / RATE == pytest.approx(3.0, abs=0.03)
    lag, corr = best_lag(voice, sound)
    assert lag == pytest.approx(0.0, abs=0.01) and corr > 0.8


def test_mixing_takes_little_cpu_per_minute(tmp_path: Path) -> None:
    """Not a speed goal (see the report): one figure, printed, with a loose sanity bound."""
    voice = chirp(200, 4000, 30.0, RATE, amplitude=0.2)
    a, b = stem_from_pcm(tmp_path / "a", voice), stem_from_pcm(tmp_path / "b", voice[::-1].copy())
    result = mix_to_ogg([MixInput(a), MixInput(b, 0.25)], tmp_path / "mix.ogg")
    per_minute = result.cpu_s / result.duration_s * 60
    print(f"mix: {per_minute:.2f} CPU-s per minute of two-voice audio")
    assert per_minute < 30
