"""When a received audio frame is heard: placed by its RTP timestamp, not by its arrival.

aiortc's audio jitter buffer hands a frame on only once four later packets have arrived. While
the sender talks that costs 80 ms; once it falls silent (DTX: one packet per 400 ms) the last
frames of speech trickle out one per packet, up to 1.6 s late, which made a barge-in look as if
the interviewer talked on for 1-2 s after it had stopped. A browser plays frames on a clock set
by their RTP timestamps; so does this: a frame is heard at its timestamp on the sender's clock
plus the smallest transit delay seen so far on this stream.
"""

from __future__ import annotations

RTP_WRAP = 1 << 32


class PlayoutClock:
    """One received audio stream's clock (`rate_hz`: its RTP clock rate)."""

    def __init__(self, rate_hz: int = 48_000) -> None:
        self.rate_hz = rate_hz
        self._last: int | None = None
        self._ticks = 0  # unwrapped RTP time since the first frame
        self._offset: float | None = None  # smallest (arrival − media time) seen

    def heard_at(self, rtp_timestamp: int, arrival: float) -> float:
        """The time (on `arrival`'s clock) the frame stamped `rtp_timestamp` plays."""
        if self._last is not None:
            step = (rtp_timestamp - self._last) % RTP_WRAP
            self._ticks += step - RTP_WRAP if step >= RTP_WRAP // 2 else step
        self._last = rtp_timestamp
        media_s = self._ticks / self.rate_hz
        if self._offset is None or arrival - media_s < self._offset:
            self._offset = arrival - media_s
        return media_s + self._offset
