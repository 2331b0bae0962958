import av

from media.opus_packet import SILENCE_20MS, SILENCE_SAMPLES, is_stereo, packet_samples
from tests.frames import opus_packets


def test_durations_follow_the_toc_byte() -> None:
    assert packet_samples(bytes([15 << 3]) + b"x") == 960  # hybrid FB 20 ms, one frame
    assert packet_samples(bytes([31 << 3 | 1]) + b"x") == 1920  # CELT 20 ms, two frames
    assert packet_samples(bytes([0 << 3 | 3, 3]) + b"x") == 1440  # SILK 10 ms, three frames
    assert packet_samples(bytes([19 << 3]) + b"x") == 960  # CELT NB 20 ms
    assert packet_samples(bytes([16 << 3])) == 120  # CELT 2.5 ms
    assert packet_samples(b"") is None
    assert packet_samples(bytes([3])) is None  # code 3 without its count byte
    assert packet_samples(bytes([3 << 3 | 3, 60])) is None  # 60 x 60 ms is over 120 ms


def test_real_packets_and_the_silence_frame() -> None:
    mono, stereo = opus_packets(seconds=0.1), opus_packets(seconds=0.1, stereo=True)
    assert {packet_samples(p) for p in mono + stereo} == {960}
    assert not is_stereo(mono[0]) and is_stereo(stereo[0])
    decoder = av.CodecContext.create("libopus", "r")
    decoder.sample_rate, decoder.layout, decoder.format = 48_000, "mono", "s16"
    (frame,) = decoder.decode(av.Packet(SILENCE_20MS))
    assert frame.samples == SILENCE_SAMPLES and not frame.to_ndarray().any()
