"""Meters on a session's media: when candidate audio last arrived and how regularly (for the
idle timeout and the metrics), and the pace of the interviewer's outbound 20 ms slots."""

from __future__ import annotations

import time
from typing import Any, Protocol

from media.playout import AgentAudioTrack
from server import metrics


class AudioClock(Protocol):
    """What `AudioSeen` updates: the session's count and time of candidate audio."""

    audio_frames_seen: int
    last_audio_at: float

    def now(self) -> float: ...


class AudioSeen:
    """A fan-out sink that notes when inbound audio last arrived (for the idle timeout) and
    how regular and how late it arrives (metrics)."""

    def __init__(self, session: AudioClock) -> None:
        self._session = session
        self._origin: float | None = None

    def push(self, frame: Any) -> None:
        s = self._session
        now = s.now()
        if s.audio_frames_seen:
            metrics.INBOUND_GAP.observe(now - s.last_audio_at)
        s.audio_frames_seen += 1
        s.last_audio_at = now
        media_s = 0.0
        if frame.pts is not None:
            time_base = frame.time_base  # int maths: a Fraction product costs ~5 µs a frame
            media_s = frame.pts * time_base.numerator / time_base.denominator
        if self._origin is None or now - media_s < self._origin:
            self._origin = now - media_s  # the earliest arrival defines "on time"
        metrics.INBOUND_LATENESS.observe(now - media_s - self._origin)


class MeteredAgentTrack(AgentAudioTrack):
    """The outbound track, timing the interval between its 20 ms slots (sent or DTX-skipped).

    It outlives the peer connections that send it (a rejoin attaches it to a new one), but
    aiortc's sender stops its track whenever the sender ends: so `stop()` does nothing and
    the session ends the track with `end()`."""

    _last_at: float | None = None

    def stop(self) -> None:
        """A sender let go of the track; the interview goes on."""

    def end(self) -> None:
        super().stop()

    def _slot_started(self) -> None:
        now = time.monotonic()
        if self._last_at is not None:
            metrics.OUTBOUND_INTERVAL.observe(now - self._last_at)
        self._last_at = now
