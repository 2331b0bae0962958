"""The interviewer's voice as an outbound WebRTC track: 24 kHz PCM in, paced 20 ms frames out.

`feed()` resamples whatever it gets (any size, any pace: the model often sends faster than real
time) to 48 kHz and cuts it into 20 ms frames; `recv()` hands one out every 20 ms of the injected
clock and sends silence when there is nothing to say; `flush()` drops all queued speech at once
(barge-in), so the candidate hears the agent stop within one frame.

With `opus=True` `recv()` returns Opus `av.Packet`s instead of frames, which aiortc's sender
only packetizes (`Encoder.pack`, timestamp = pts): silence is a constant 3-byte packet, with no
encoder and no executor round trip, and speech is encoded here, mono at 48 kbit/s, straight from
the agent's 24 kHz (Opus takes 8/12/16/24/48 kHz input: no resampling at all). An interviewer is
silent about half the time, so this halves the outbound codec work. Silence is also mostly not
sent (DTX, RFC 7587 §3.1.3): one silent packet opens each pause and one goes every
`silence_every` frames (400 ms) after it; the frames between are skipped, their 20 ms slots still
paced, so the RTP timestamps jump over the pause while sequence numbers run on, as a browser's
DTX does, and the sender's packetizing, SRTP and send for those frames are saved too. (Mixing
frames and packets on one aiortc sender is not an option: its encoder numbers the frames it
encodes by itself, so the timestamps of frames and packets would disagree.)

`add_sink()` gets every frame or packet sent, as sent (e.g. a `media.recorder.TrackRecorder`,
so the interviewer is recorded from the very packets the candidate hears, with no encoding):
the pts run on through DTX-skipped slots, so a sink sees the pauses as jumps in time.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from fractions import Fraction

import av
import numpy as np
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from av.audio.frame import AudioFrame
from av.packet import Packet

from media.fanout import FrameSink
from media.opus_packet import SILENCE_20MS as OPUS_SILENCE_20MS

RATE_OUT_HZ = 48_000
SAMPLES_20MS = 960
BYTES_20MS = SAMPLES_20MS * 2
TIME_BASE = Fraction(1, RATE_OUT_HZ)
_SILENCE_20MS = bytes(BYTES_20MS)
OPUS_INPUT_RATES_HZ = (8_000, 12_000, 16_000, 24_000, 48_000)


class AgentAudioTrack(AudioStreamTrack):
    """Outbound mono 48 kHz track fed with the agent's 24 kHz mono s16 PCM: s16 frames, or
    with `opus=True` Opus packets (DTX in silence: one per `silence_every` silent frames)."""

    def __init__(
        self,
        *,
        rate_in_hz: int = 24_000,
        max_queue_s: float = 60.0,
        resync_after_s: float = 0.2,
        tail_after_s: float = 0.06,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        opus: bool = False,
        opus_bitrate: int = 48_000,
        silence_every: int = 20,
    ) -> None:
        super().__init__()
        self.rate_in_hz = rate_in_hz
        # The rate queued PCM is kept at: 48 kHz for frames, the agent's own rate for Opus.
        self._pcm_rate_hz = (
            rate_in_hz if opus and rate_in_hz in OPUS_INPUT_RATES_HZ else RATE_OUT_HZ
        )
        self._frame_bytes = self._pcm_rate_hz // 50 * 2
        self._encoder = _opus_encoder(opus_bitrate, self._pcm_rate_hz) if opus else None
        self._silence_every = max(1, silence_every)
        self._clock = clock
        self._sleep = sleep
        self._resync_after_s = resync_after_s
        self._tail_after_s = tail_after_s
        self._resampler = self._new_resampler()
        self._q: deque[bytes] = deque(maxlen=max(1, int(max_queue_s * 50)))
        self._buf = bytearray()  # queued-rate bytes short of a whole frame
        self._carry = b""  # odd byte of a sample split across feed() calls
        self._last_feed_at = 0.0
        self._t0: float | None = None
        self._pts = 0
        self._sinks: tuple[FrameSink, ...] = ()
        # Counters and gauges for metrics and benchmarks.
        self.voiced_frames = 0
        self.silent_frames = 0
        self.silent_run = 0  # consecutive silent frames up to the last one sent
        self.skipped_frames = 0  # silent frames not sent at all (opus mode, DTX)
        self.dropped_frames = 0
        self.flushes = 0
        self.resyncs = 0
        self.lateness_s = 0.0
        self.max_lateness_s = 0.0
        self.sink_errors = 0

    @property
    def last_frame_silent(self) -> bool:
        return self.silent_run > 0

    @property
    def queued_s(self) -> float:
        return (len(self._q) * self._frame_bytes + len(self._buf)) / 2 / self._pcm_rate_hz

    def feed(self, pcm: bytes) -> None:
        """Queue agent speech (s16 mono at `rate_in_hz`); cheap enough for the hot path."""
        if self._carry:
            pcm, self._carry = self._carry + pcm, b""
        if len(pcm) % 2:
            pcm, self._carry = pcm[:-1], pcm[-1:]
        if not pcm:
            return
        if self._resampler is None:
            self._buf += pcm
        else:
            frame = AudioFrame.from_ndarray(
                np.frombuffer(pcm, dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = self.rate_in_hz
            for out in self._resampler.resample(frame):
                self._buf += memoryview(out.planes[0])[: out.samples * 2]
        size = self._frame_bytes
        while len(self._buf) >= size:
            if len(self._q) == self._q.maxlen:
                self.dropped_frames += 1
            self._q.append(bytes(self._buf[:size]))
            del self._buf[:size]
        self._last_feed_at = self._clock()

    def add_sink(self, sink: FrameSink) -> None:
        """Also hand every frame/packet sent to `sink.push()` (sync, on the sender's task)."""
        self._sinks = (*self._sinks, sink)

    def flush(self) -> None:
        """Barge-in: drop every queued sample now; the next frame sent is silence."""
        self._q.clear()
        self._buf.clear()
        self._carry = b""
        self._resampler = self._new_resampler()  # forget the few samples swr holds back
        self.flushes += 1

    def stop(self) -> None:
        self.flush()
        super().stop()

    async def recv(self) -> AudioFrame:
        if self._encoder is None:
            await self._next_slot()
            return self._sent(self._frame(self._next_payload()))
        while True:
            await self._next_slot()
            payload = self._next_payload()
            silent = self._count(payload)
            if silent and (self.silent_run - 1) % self._silence_every:
                self.skipped_frames += 1  # DTX: this 20 ms of silence is not sent
                continue
            return self._sent(self._packet(payload, silent))  # type: ignore[return-value]

    def _sent(self, item: AudioFrame | Packet) -> AudioFrame | Packet:
        for sink in self._sinks:
            try:
                sink.push(item)  # the sinks only read it, as aiortc's sender does
            except Exception:
                self.sink_errors += 1  # never let a sink stop the interviewer's voice
        return item

    async def _next_slot(self) -> None:
        """Wait for the next 20 ms slot (the first one is now) and move pts to it."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._t0 is None:
            self._t0 = self._clock()
            self._slot_started()
            return
        self._pts += SAMPLES_20MS
        due = self._t0 + self._pts / RATE_OUT_HZ
        wait = due - self._clock()
        if wait > 0:
            await self._sleep(wait)
        late = self._clock() - due
        self.lateness_s = max(0.0, late)
        self.max_lateness_s = max(self.max_lateness_s, late)
        if late > self._resync_after_s:
            # The sender stalled: re-anchor rather than burst the backlog out at once.
            self._t0 = self._clock() - self._pts / RATE_OUT_HZ
            self.resyncs += 1
        if self.readyState != "live":
            raise MediaStreamError
        self._slot_started()

    def _slot_started(self) -> None:
        """Hook: called as each 20 ms slot begins, sent or skipped (for metrics)."""

    def _next_payload(self) -> bytes:
        if self._q:
            return self._q.popleft()
        if self._buf and self._clock() - self._last_feed_at >= self._tail_after_s:
            # The end of an utterance: send the last partial frame instead of holding it
            # until the next one (a short wait first, so slow small feeds are not chopped).
            tail = bytes(self._buf) + bytes(self._frame_bytes - len(self._buf))
            self._buf.clear()
            return tail
        return _SILENCE_20MS

    def _count(self, payload: bytes) -> bool:
        """Note a frame going out; True if it is silence."""
        if payload is _SILENCE_20MS:
            self.silent_frames += 1
            self.silent_run += 1
            return True
        self.voiced_frames += 1
        self.silent_run = 0
        return False

    def _pcm_frame(self, payload: bytes) -> AudioFrame:
        rate = self._pcm_rate_hz
        frame = AudioFrame(format="s16", layout="mono", samples=len(payload) // 2)
        frame.planes[0].update(payload)
        frame.pts = self._pts * rate // RATE_OUT_HZ
        frame.sample_rate = rate
        frame.time_base = TIME_BASE if rate == RATE_OUT_HZ else Fraction(1, rate)
        return frame

    def _frame(self, payload: bytes) -> AudioFrame:
        self._count(payload)
        return self._pcm_frame(payload)

    def _packet(self, payload: bytes, silent: bool) -> Packet:
        data = OPUS_SILENCE_20MS
        if not silent:
            assert self._encoder is not None
            encoded = self._encoder.encode(self._pcm_frame(payload))
            if encoded:  # one packet per 20 ms frame (frame_size 960)
                data = bytes(encoded[0])
        packet = Packet(data)
        packet.pts = self._pts
        packet.time_base = TIME_BASE
        return packet

    def _new_resampler(self) -> av.AudioResampler | None:
        if self._pcm_rate_hz == self.rate_in_hz:
            return None
        return av.AudioResampler(format="s16", layout="mono", rate=self._pcm_rate_hz)


def _opus_encoder(bitrate: int, rate_hz: int) -> av.AudioCodecContext:
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.format, encoder.layout = rate_hz, "s16", "mono"
    encoder.bit_rate = bitrate
    encoder.time_base = Fraction(1, rate_hz)
    # CELT-only ("lowdelay") at complexity 3: ~110 µs per 20 ms here against ~280 µs for the
    # SILK/hybrid "voip" mode at 5 (measured on 24 kHz speech); it needs ~48 kbit/s for clean
    # speech, which costs nothing that matters, and it adds 2.5 ms less look-ahead.
    encoder.options = {"application": "lowdelay", "compression_level": "3"}
    return encoder  # type: ignore[return-value]
