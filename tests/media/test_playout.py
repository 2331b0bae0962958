import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

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
