from fractions import Fraction

from aiortc import rtcrtpreceiver
from aiortc.codecs import OpusDecoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av.packet import Packet

from media import passthrough
from tests.frames import opus_packets, tee_decoded_frames, vp8_packets

VP8 = RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90_000, payloadType=97)
OPUS = RTCRtpCodecParameters(mimeType="audio/opus", clockRate=48_000, channels=2, payloadType=96)


def test_decoder_hands_the_encoded_frame_on_as_a_packet() -> None:
    key, inter = (bytes(p) for p in vp8_packets(2))
    decoder = passthrough.PassthroughDecoder()
    (packet,) = decoder.decode(JitterFrame(key, 3000))
    assert isinstance(packet, Packet) and bytes(packet) == key
    assert (packet.pts, packet.dts, packet.time_base) == (3000, 3000, Fraction(1, 90_000))
    assert packet.is_keyframe
    assert not decoder.decode(JitterFrame(inter, 6000))[0].is_keyframe
    assert decoder.decode(JitterFrame(b"", 9000)) == []


def test_install_passes_vp8_through_and_tees_opus(
    vp8_passthrough: passthrough.PassthroughStats,
) -> None:
    assert passthrough.installed()
    assert isinstance(rtcrtpreceiver.get_decoder(VP8), passthrough.PassthroughDecoder)
    assert isinstance(rtcrtpreceiver.get_decoder(OPUS), passthrough.OpusTeeDecoder)
    passthrough.install(opus_packets=False)
    assert type(rtcrtpreceiver.get_decoder(OPUS)) is OpusDecoder


def test_tee_decoder_still_decodes_and_attaches_the_packet() -> None:
    packets = opus_packets(1000, 0.1)
    frames = tee_decoded_frames(packets, start_pts=960)
    assert [f.opaque for f in frames] == packets
    assert [f.pts for f in frames] == [960 * (i + 1) for i in range(5)]
    assert {(f.samples, f.layout.name, f.format.name) for f in frames} == {(960, "stereo", "s16")}


def test_uninstall_restores_aiortc() -> None:
    passthrough.install()
    passthrough.uninstall()
    assert not passthrough.installed()
    assert not isinstance(rtcrtpreceiver.get_decoder(VP8), passthrough.PassthroughDecoder)


class FakeReceiver:
    class Source:
        def __init__(self, ssrc: int) -> None:
            self.source = ssrc

    def __init__(self, ssrcs: list[int]) -> None:
        self.ssrcs = ssrcs
        self.plis: list[int] = []

    def getSynchronizationSources(self) -> list[Source]:
        return [self.Source(s) for s in self.ssrcs]

    async def _send_rtcp_pli(self, media_ssrc: int) -> None:
        self.plis.append(media_ssrc)


async def test_keyframe_request_sends_a_pli_per_ssrc() -> None:
    receiver = FakeReceiver([1234, 5678])
    assert await passthrough.request_keyframe(receiver) == 2  # type: ignore[arg-type]
    assert receiver.plis == [1234, 5678]
    assert await passthrough.request_keyframe(FakeReceiver([])) == 0  # type: ignore[arg-type]
