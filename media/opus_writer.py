"""Audio segments: Opus in Ogg, from the browser's own packets when we have them.

Three ways in, chosen at the first item:
- "copy" of Opus `av.Packet`s with a pts (the interviewer's outbound packets, tapped from
  `media.playout.AgentAudioTrack`): muxed as they are; the slots DTX skipped (pts jumps) are
  filled with silent packets, so the file keeps the track's time.
- "copy": the frames carry their received Opus packet (`frame.opaque`, set by
  `media.passthrough`'s tee decoder). The packets are muxed as they came: ~2 µs per 20 ms frame
  against ~150 µs to encode (measured, tests/media/bench_media.py), so recording costs almost
  nothing beyond the decode the interviewer needs anyway.
- "encode": plain decoded frames (no hook, or a codec such as G.722): downmixed to mono and
  encoded at 48 kHz, complexity 5 (a third of the default 10's CPU for speech, same size).

Either way this runs in a worker thread, and holes in the RTP timeline (lost packets) are filled
with silence so the file keeps wall-clock time and stays in step with the video. The packets of
all segments share one timeline, so segments join back without a seam.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
from av.audio.frame import AudioFrame
from av.container import OutputContainer
from av.packet import Packet
from av.stream import Stream

from media.opus_packet import SILENCE_20MS, SILENCE_SAMPLES, is_stereo, packet_samples
from media.segment import Segment, SegmentWriter

RATE_HZ = 48_000
TIME_BASE = Fraction(1, RATE_HZ)
SAMPLES_20MS = 960
MAX_GAP_FILL_S = 30.0  # a bigger jump is a timestamp reset, not lost packets
MAX_RESUME_FILL_S = 3600.0  # a rejoin's gap is bounded by the grace period; this by sanity


class OpusSegmentWriter(SegmentWriter):
    ext = ".ogg"
    format_name = "ogg"
    muxer_options = {"page_duration": "500000"}  # µs: an Ogg page reaches the disk twice a second

    def __init__(
        self,
        directory: Path,
        name: str = "audio",
        *,
        segment_s: float = 5.0,
        bitrate: int = 32_000,
        compression_level: int = 5,
    ) -> None:
        super().__init__(directory, name, segment_s=segment_s)
        self.mode: str | None = None  # "copy" or "encode", fixed by the first frame
        self._layout = "mono"
        self._encoder = av.CodecContext.create("libopus", "w")
        self._encoder.sample_rate = RATE_HZ
        self._encoder.layout = "mono"
        self._encoder.format = "s16"
        self._encoder.bit_rate = bitrate
        self._encoder.time_base = TIME_BASE
        self._encoder.options = {
            "application": "audio",
            "compression_level": str(compression_level),
        }
        self._resampler = self._new_resampler()
        self._samples = 0  # 48 kHz samples written so far, including filled gaps
        self._next_in_pts: int | None = None
        self.filled_s = 0.0

    @property
    def duration_s(self) -> float:
        return self._samples / RATE_HZ

    def _write_item(self, item: object, now: float, done: list[Segment]) -> None:
        if isinstance(item, Packet):
            self._write_packet(item, now, done)
            return
        if not isinstance(item, AudioFrame):
            self.errors += 1
            return
        packet = item.opaque if isinstance(item.opaque, bytes) else None
        if self.mode is None:
            self.mode = "copy" if packet is not None else "encode"
            if packet is not None and is_stereo(packet):
                self._layout = "stereo"
        gap = self._gap_samples(item)
        if self.mode == "copy":
            if gap:
                self._copy_silence(gap, now, done)
            if packet is not None:  # else a sibling of a frame whose packet already went
                samples = packet_samples(packet) or round(item.samples * RATE_HZ / item.sample_rate)
                self._copy(packet, samples, now, done)
            return
        if gap:
            self._encode_silence(item, gap, now, done)
        try:
            frames = self._resampler.resample(item)
        except ValueError:  # input format changed mid-stream: rare, start a new resampler
            self._resampler = self._new_resampler()
            frames = self._resampler.resample(item)
        for frame in frames:
            self._encode(frame, now, done)

    def _write_packet(self, item: Packet, now: float, done: list[Segment]) -> None:
        """An already encoded Opus packet: copy it, after silence for any skipped time."""
        data = bytes(item)
        samples = packet_samples(data)
        if samples is None:
            self.errors += 1
            return
        if self.mode is None:
            self.mode = "copy"
            self._layout = "stereo" if is_stereo(data) else "mono"
        elif self.mode != "copy":
            self.errors += 1  # packets after decoded frames: the encoder owns this timeline
            return
        gap = self._gap(item.pts, item.time_base, samples, RATE_HZ)
        if gap:
            self._copy_silence(gap, now, done)
        self._copy(data, samples, now, done)

    def _resume(self, media_s: float, now: float, done: list[Segment]) -> None:
        """A new connection continues the track: silence up to `media_s` keeps the time the
        candidate was away, and the new source's packet numbers start a new timeline."""
        self._next_in_pts = None
        missing = min(round(media_s * RATE_HZ), self._samples + round(MAX_RESUME_FILL_S * RATE_HZ))
        missing -= self._samples
        if self.mode is None or missing < SILENCE_SAMPLES:
            return
        self.filled_s += missing / RATE_HZ
        if self.mode == "copy":
            self._copy_silence(missing, now, done)
            return
        while missing > 0:
            n = min(missing, SAMPLES_20MS)
            silence = AudioFrame(format="s16", layout="mono", samples=n)
            silence.planes[0].update(bytes(silence.planes[0].buffer_size))
            silence.sample_rate = RATE_HZ
            self._encode(silence, now, done)
            missing -= n

    def _finish(self, done: list[Segment]) -> None:
        if self.mode != "encode":
            return
        for frame in self._resampler.resample(None):
            self._encode(frame, 0.0, done)
        if self._encoder.is_open:
            for packet in self._encoder.encode(None):
                self._mux(packet, 0.0, done)

    def _add_stream(self, container: OutputContainer) -> Stream:
        # The stream's own (unused) encoder writes the OpusHead, from the layout given here.
        stream = container.add_stream("libopus", rate=RATE_HZ, layout=self._layout)
        if self.mode == "encode" and self._encoder.extradata:
            stream.codec_context.extradata = self._encoder.extradata
        return stream

    def _copy(self, data: bytes, samples: int, now: float, done: list[Segment]) -> None:
        packet = Packet(data)
        packet.pts = packet.dts = self._samples
        packet.duration = samples
        packet.time_base = TIME_BASE
        self._samples += samples
        self._mux(packet, now, done)

    def _copy_silence(self, samples: int, now: float, done: list[Segment]) -> None:
        for _ in range(round(samples / SILENCE_SAMPLES)):
            self._copy(SILENCE_20MS, SILENCE_SAMPLES, now, done)

    def _encode(self, frame: AudioFrame, now: float, done: list[Segment]) -> None:
        frame.pts = self._samples
        frame.time_base = TIME_BASE
        self._samples += frame.samples
        for packet in self._encoder.encode(frame):
            self._mux(packet, now, done)

    def _encode_silence(
        self, like: AudioFrame, samples_48k: int, now: float, done: list[Segment]
    ) -> None:
        remaining = round(samples_48k * like.sample_rate / RATE_HZ)
        while remaining > 0:
            n = min(remaining, like.sample_rate)  # at most a second per silent frame
            silence = AudioFrame(format=like.format.name, layout=like.layout.name, samples=n)
            for plane in silence.planes:
                plane.update(bytes(plane.buffer_size))
            silence.sample_rate = like.sample_rate
            for out in self._resampler.resample(silence):
                self._encode(out, now, done)
            remaining -= n

    def _gap_samples(self, frame: AudioFrame) -> int:
        """48 kHz samples missing before `frame` in the RTP timeline (lost packets), else 0."""
        return self._gap(frame.pts, frame.time_base, frame.samples, frame.sample_rate)

    def _gap(self, pts: int | None, time_base: Fraction | None, samples: int, rate: int) -> int:
        """48 kHz samples missing before an item of `samples` at `rate` that starts at `pts`."""
        if pts is None or time_base is None:
            self._next_in_pts = None
            return 0
        num, den = time_base.numerator, time_base.denominator  # ints: Fractions cost ~10 µs
        step = round(samples * den / (rate * num))
        expected, self._next_in_pts = self._next_in_pts, pts + step
        if expected is None or pts <= expected:
            return 0
        gap_s = (pts - expected) * num / den
        if gap_s < 0.5 * SAMPLES_20MS / RATE_HZ or gap_s > MAX_GAP_FILL_S:
            return 0
        self.filled_s += gap_s
        return round(gap_s * RATE_HZ)

    @staticmethod
    def _new_resampler() -> av.AudioResampler:
        return av.AudioResampler(format="s16", layout="mono", rate=RATE_HZ, frame_size=SAMPLES_20MS)
