import av
import numpy as np
import pytest

from media.opus_decoder import PcmDecoder, load_libopus
from tests.frames import dominant_hz, opus_packets

pytestmark = pytest.mark.skipif(load_libopus() is None, reason="no libopus to bind to")


def test_decodes_straight_to_16k_mono_with_the_pitch_kept() -> None:
    decoder = PcmDecoder(16_000, 1)
    chunks = [decoder.decode(p) for p in opus_packets(1000, 1.0)]
    assert {len(c) for c in chunks} == {640}  # 20 ms at 16 kHz, s16 mono
    pcm = np.frombuffer(b"".join(chunks), np.int16)
    assert abs(dominant_hz(pcm[1600:], 16_000) - 1000) < 5
    assert np.abs(pcm[1600:]).max() > 0.3 * 32767


def test_stereo_packets_are_downmixed_and_bad_ones_raise_an_ffmpeg_error() -> None:
    decoder = PcmDecoder(16_000, 1)
    assert {len(decoder.decode(p)) for p in opus_packets(500, 0.1, stereo=True)} == {640}
    with pytest.raises(av.FFmpegError):
        decoder.decode(b"\xff")  # a code-3 TOC with no frame count byte
