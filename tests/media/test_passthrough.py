import asyncio
import queue
import threading
from fractions import Fraction

import numpy as np
from aiortc import rtcrtpreceiver
from aiortc.codecs import OpusDecoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av.audio.frame import AudioFrame
from av.packet import Packet

from media import passthrough
from media.fanout import Fanout
from tests.frames import dominant_hz, opus_packets, tee_decoded_frames, vp8_packets

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
    # Straight to what the interviewer hears, on the RTP clock: no resampling left to do.
    assert {(f.samples, f.sample_rate, f.layout.name, f.format.name) for f in frames} == {
        (320, 16_000, "mono", "s16")
    }
    assert {f.time_base for f in frames} == {Fraction(1, 48_000)}
    pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in frames])
    assert abs(dominant_hz(pcm[800:], 16_000) - 1000) < 10


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


class Track:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue()


async def test_inline_decoding_takes_over_the_receivers_queue_on_the_loop() -> None:
    loop = asyncio.get_running_loop()
    input_q: queue.Queue[object] = queue.Queue()
    track, error = Track(), threading.Event()
    early = JitterFrame(opus_packets(1000, 0.02)[0], 960)
    input_q.put((OPUS, early))  # queued before the decoder "thread" started
    worker = threading.Thread(
        target=passthrough._decoder_worker, args=(loop, input_q, track.queue, error)
    )
    worker.start()
    worker.join()  # it only hands over to the loop and ends
    await asyncio.sleep(0)
    assert track.queue.qsize() == 1  # the early frame, decoded on the loop

    key = bytes(vp8_packets(1)[0])
    input_q.put((VP8, JitterFrame(key, 3000)))  # now decoded at once, in put()
    assert track.queue.qsize() == 2
    assert isinstance(track.queue.get_nowait(), AudioFrame)
    packet = track.queue.get_nowait()
    assert isinstance(packet, Packet) and bytes(packet) == key

    input_q.put((OPUS, JitterFrame(b"\xff", 1920)))  # undecodable: flagged, as aiortc does
    assert error.is_set() and track.queue.empty()
    input_q.put(None)  # the receiver stops: the track ends
    assert track.queue.get_nowait() is None


async def test_other_codecs_still_get_a_decoder_thread() -> None:
    loop = asyncio.get_running_loop()
    input_q: queue.Queue[object] = queue.Queue()
    track = Track()
    passthrough._decoder_worker(loop, input_q, track.queue, threading.Event())
    await asyncio.sleep(0)
    pcmu = RTCRtpCodecParameters(mimeType="audio/PCMU", clockRate=8000, payloadType=0)
    input_q.put((pcmu, JitterFrame(bytes(160), 0)))
    input_q.put(None)
    frame = await asyncio.wait_for(track.queue.get(), 5)
    assert isinstance(frame, AudioFrame) and frame.sample_rate == 8000
    assert await asyncio.wait_for(track.queue.get(), 5) is None


async def test_a_fanout_takes_inline_decoded_frames_straight_from_the_decoder() -> None:
    """Frames decoded on the loop skip the track's queue and the fan-out's task: each reaches the
    sinks inside `put()`, in order after any queued before the fan-out started; the end of the
    track still ends the fan-out."""
    loop = asyncio.get_running_loop()
    input_q: queue.Queue[object] = queue.Queue()
    track = rtcrtpreceiver.RemoteStreamTrack(kind="video")
    passthrough._decoder_worker(loop, input_q, track._queue, threading.Event())
    await asyncio.sleep(0)
    keys = [bytes(p) for p in vp8_packets(3)]
    input_q.put((VP8, JitterFrame(keys[0], 0)))  # before the fan-out: queued
    seen: list[bytes] = []

    class Sink:
        def push(self, packet: Packet) -> None:
            seen.append(bytes(packet))

    fanout = Fanout(track, [Sink()])
    await fanout.start()
    await asyncio.sleep(0)
    assert seen == keys[:1] and track._queue.empty()
    input_q.put((VP8, JitterFrame(keys[1], 3000)))
    assert seen == keys[:2] and track._queue.empty()  # synchronously, no task switch
    input_q.put(None)
    await asyncio.wait_for(fanout.wait_ended(), 2)
    assert fanout.ended and fanout.frames == 2
    # Closed: frames go back to the queue (nobody takes them directly any more).
    assert passthrough.deliver_directly(track, None) == []
    await fanout.close()
