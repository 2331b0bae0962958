"""The eval candidates time the interviewer's voice by when it plays, not when aiortc's
jitter buffer lets it out (which after a barge-in can be over a second late)."""

from __future__ import annotations

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from evals.playout_clock import RTP_WRAP, PlayoutClock

FRAME_TICKS = 960  # 20 ms at 48 kHz


def _released_after_speech_stops() -> list[tuple[int, float]]:
    """A sender talks for 1 s then goes quiet with DTX (one packet per 400 ms), as our server
    does after a barge-in; returns (RTP timestamp, release time) of each frame aiortc's audio
    jitter buffer hands on, with packets arriving on time."""
    buffer = JitterBuffer(capacity=16, prefetch=4)  # what aiortc's receiver uses for audio
    released: list[tuple[int, float]] = []
    seq, sent = 0, []
    for i in range(50):
        sent.append((seq, 1000 + i * FRAME_TICKS, i * 0.02))
        seq += 1
    for k in range(1, 6):  # DTX: the timestamp jumps over the skipped 20 ms slots
        sent.append((seq, 1000 + (49 + 20 * k) * FRAME_TICKS, 0.98 + 0.4 * k))
        seq += 1
    for number, timestamp, at in sent:
        packet = RtpPacket(payload_type=111, sequence_number=number, timestamp=timestamp)
        packet._data = b"\x01" * 40  # type: ignore[attr-defined]
        _, frame = buffer.add(packet)
        if frame is not None:
            released.append((frame.timestamp, at))
    return released


def test_the_last_words_play_on_time_although_the_jitter_buffer_holds_them() -> None:
    released = _released_after_speech_stops()
    last_voiced = [(ts, at) for ts, at in released if ts == 1000 + 49 * FRAME_TICKS]
    assert last_voiced, "the last voiced frame came out of the jitter buffer"
    ts, arrival = last_voiced[0]
    assert arrival - 0.98 >= 1.5  # sent at 0.98 s, let out by the fourth DTX packet after it

    clock = PlayoutClock()
    heard = {t: clock.heard_at(t, at) for t, at in released}
    # it plays as every frame of the speech did: 80 ms (four frames of prefetch) after sending
    assert abs(heard[ts] - (0.98 + 0.08)) < 0.001
    times = list(heard.values())
    assert times == sorted(times)


def test_timestamps_wrapping_around_keep_counting_forward() -> None:
    clock = PlayoutClock()
    start = RTP_WRAP - 2 * FRAME_TICKS
    times = [clock.heard_at((start + i * FRAME_TICKS) % RTP_WRAP, 5.0 + i * 0.02)
             for i in range(5)]
    assert [round(t - times[0], 3) for t in times] == [0.0, 0.02, 0.04, 0.06, 0.08]


def test_a_late_frame_is_placed_by_the_smallest_delay_seen() -> None:
    clock = PlayoutClock()
    assert clock.heard_at(0, 10.0) == 10.0
    assert abs(clock.heard_at(48_000, 11.5) - 11.0) < 1e-9  # arrived 0.5 s late: plays at 11
    assert abs(clock.heard_at(96_000, 11.9) - 11.9) < 1e-9  # less delayed: the new reference
