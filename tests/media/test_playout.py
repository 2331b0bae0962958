from fractions import Fraction

import av
import numpy as np
import pytest
from aiortc.codecs.opus import OpusEncoder
from aiortc.mediastreams import MediaStreamError
from av.packet import Packet

from media.opus_packet import SILENCE_20MS as OPUS_SILENCE_20MS
from media.playout import AgentAudioTrack
from tests.frames import dominant_hz, sine_pcm
from tests.media.conftest import FakeClock


def make_track(clock: FakeClock) -> AgentAudioTrack:
    return AgentAudioTrack(clock=clock, sleep=clock.sleep)


async def test_idle_track_sends_paced_silence(fake_clock: FakeClock) -> None:
    track = make_track(fake_clock)
    frames = [await track.recv() for _ in range(50)]
    assert [f.pts for f in frames] == [i * 960 for i in range(50)]
    assert {(f.samples, f.sample_rate, f.layout.name, f.format.name) for f in frames} == {
        (960, 48_000, "mono", "s16")
    }
    assert fake_clock.now == pytest.approx(49 * 0.02)
    assert all(s == pytest.approx(0.02) for s in fake_clock.sleeps)
    assert not any(f.to_ndarray().any() for f in frames)
    assert track.silent_frames == 50 and track.silent_run == 50 and track.last_frame_silent


async def test_fed_speech_comes_out_at_48k_with_its_pitch(fake_clock: FakeClock) -> None:
    track = make_track(fake_clock)
    track.feed(sine_pcm(440, 1.0, 24_000))
    assert track.queued_s == pytest.approx(1.0, abs=0.021)
    pcm = b"".join([bytes((await track.recv()).to_ndarray()) for _ in range(60)])
    assert abs(dominant_hz(pcm[: 48_000 * 2], 48_000) - 440) < 2
    assert track.voiced_frames == 50  # 1 s, the last partial frame padded out
    assert track.silent_run == 10 and track.queued_s == 0
    assert fake_clock.now == pytest.approx(59 * 0.02)  # pacing does not depend on content


async def test_feed_accepts_any_chunking_even_split_samples(fake_clock: FakeClock) -> None:
    whole, pieces = make_track(fake_clock), make_track(FakeClock())
    pcm = sine_pcm(300, 0.5, 24_000)
    whole.feed(pcm)
    for i in range(0, len(pcm), 333):  # odd sizes split samples across calls
        pieces.feed(pcm[i : i + 333])
    assert list(whole._q) == list(pieces._q)
    assert whole._buf == pieces._buf


async def test_flush_drops_everything_queued_at_once(fake_clock: FakeClock) -> None:
    track = make_track(fake_clock)
    track.feed(sine_pcm(440, 2.0, 24_000))
    for _ in range(5):
        assert (await track.recv()).to_ndarray().any()
    track.flush()
    assert track.queued_s == 0 and track.flushes == 1
    assert not (await track.recv()).to_ndarray().any()  # the very next frame is silence
    track.feed(sine_pcm(440, 0.1, 24_000))  # and speech after barge-in plays again
    assert (await track.recv()).to_ndarray().any()


async def test_a_stalled_sender_is_reanchored_not_burst(fake_clock: FakeClock) -> None:
    track = make_track(fake_clock)
    await track.recv()
    fake_clock.advance(1.0)  # e.g. the event loop was blocked for a second
    await track.recv()
    assert track.resyncs == 1 and track.max_lateness_s == pytest.approx(0.98)
    fake_clock.sleeps.clear()
    for _ in range(3):
        await track.recv()
    assert fake_clock.sleeps == pytest.approx([0.02] * 3)  # back to one frame per 20 ms


async def test_queue_is_bounded_and_drops_the_oldest(fake_clock: FakeClock) -> None:
    track = AgentAudioTrack(max_queue_s=0.2, clock=fake_clock, sleep=fake_clock.sleep)
    track.feed(sine_pcm(440, 1.0, 24_000))
    assert len(track._q) == 10 and track.dropped_frames == 39
    assert track.queued_s == pytest.approx(0.2, abs=0.021)


async def test_stopped_track_ends(fake_clock: FakeClock) -> None:
    track = make_track(fake_clock)
    track.feed(sine_pcm(440, 1.0, 24_000))
    track.stop()
    assert track.queued_s == 0
    with pytest.raises(MediaStreamError):
        await track.recv()


def test_silence_needs_no_resampling(fake_clock: FakeClock) -> None:
    track = make_track(fake_clock)
    assert np.frombuffer(track._next_payload(), np.int16).shape == (960,)
    assert track._resampler is not None and track._buf == bytearray()


def make_opus_track(clock: FakeClock) -> AgentAudioTrack:
    return AgentAudioTrack(clock=clock, sleep=clock.sleep, opus=True)


async def test_opus_mode_sends_one_silent_packet_per_400ms(fake_clock: FakeClock) -> None:
    track = make_opus_track(fake_clock)
    packets = [await track.recv() for _ in range(3)]
    assert all(isinstance(p, Packet) for p in packets)
    assert [bytes(p) for p in packets] == [OPUS_SILENCE_20MS] * 3
    assert [p.pts for p in packets] == [0, 20 * 960, 40 * 960]  # DTX: the slots between skipped
    assert {p.time_base for p in packets} == {Fraction(1, 48_000)}
    assert fake_clock.sleeps == pytest.approx([0.02] * 40)  # every slot is still paced
    assert track.silent_frames == 41 and track.skipped_frames == 38
    assert track.voiced_frames == 0


async def test_opus_mode_encodes_speech_and_keeps_one_timeline(fake_clock: FakeClock) -> None:
    track = make_opus_track(fake_clock)
    first = await track.recv()
    track.feed(sine_pcm(440, 1.0, 24_000))
    speech = [await track.recv() for _ in range(50)]
    pause = [await track.recv() for _ in range(2)]
    packets = [first, *speech, *pause]
    assert [p.pts for p in packets] == [i * 960 for i in range(52)] + [71 * 960]
    assert all(len(bytes(p)) > len(OPUS_SILENCE_20MS) for p in speech)
    assert [bytes(p) for p in pause] == [OPUS_SILENCE_20MS] * 2  # a pause opens with silence
    assert track.voiced_frames == 50 and track.skipped_frames == 19

    # aiortc's sender only packs packets: the RTP timestamps are the pts, silence or not.
    sender_codec = OpusEncoder()
    assert [sender_codec.pack(p)[1] for p in packets] == [p.pts for p in packets]

    decoder = av.CodecContext.create("libopus", "r")
    decoder.format, decoder.layout, decoder.sample_rate = "s16", "mono", 48_000
    decoded = np.concatenate(
        [f.to_ndarray().reshape(-1) for p in speech for f in decoder.decode(Packet(bytes(p)))]
    )
    assert abs(dominant_hz(decoded[4800:], 48_000) - 440) < 3


async def test_opus_mode_without_dtx_sends_every_silent_frame(fake_clock: FakeClock) -> None:
    track = AgentAudioTrack(clock=fake_clock, sleep=fake_clock.sleep, opus=True, silence_every=1)
    assert [(await track.recv()).pts for _ in range(4)] == [0, 960, 1920, 2880]
    assert track.skipped_frames == 0


async def test_sinks_get_every_packet_sent_and_a_broken_one_is_only_counted(
    fake_clock: FakeClock,
) -> None:
    track = AgentAudioTrack(opus=True, clock=fake_clock, sleep=fake_clock.sleep)
    seen: list[Packet] = []

    class Broken:
        def push(self, item: object) -> None:
            raise RuntimeError("full")

    track.add_sink(Broken())
    track.add_sink(type("Sink", (), {"push": lambda self, item: seen.append(item)})())
    track.feed(sine_pcm(300, 0.1, 24_000))
    sent = [await track.recv() for _ in range(8)]
    assert seen == sent  # the very packets aiortc sends
    assert track.sink_errors == 8
    # 5 voiced, then DTX: one silent packet opens the pause, the next comes 20 slots later.
    assert [p.pts // 960 for p in sent] == [0, 1, 2, 3, 4, 5, 25, 45]
