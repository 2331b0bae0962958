"""Mix recorded voices into one track: decode each, line them up, sum, encode once.

Each input is an audio file (the candidate's and the interviewer's Opus stems) with the offset
at which its time zero falls on the mix's timeline. Samples are placed by their pts, not by
counting them, so a hole in a stem stays a hole of the same length. The work streams in blocks
of `block_s` (memory stays flat for an hour-long interview) and is CPU-bound: call it via
`asyncio.to_thread`. Opus is encoded once, mono at 48 kHz: a voice mix needs no more.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.audio.frame import AudioFrame

RATE_HZ = 48_000
FRAME_SAMPLES = 960  # 20 ms per Opus frame
TIME_BASE = Fraction(1, RATE_HZ)
CONTIGUOUS_SAMPLES = 48  # pts within 1 ms of where the last frame ended: no gap, no overlap


class NothingToMix(Exception):
    """No input held a decodable sample."""


@dataclass(frozen=True)
class MixInput:
    path: Path
    offset_s: float = 0.0  # where the file's first sample goes on the mix's timeline
    gain: float = 1.0


@dataclass(frozen=True)
class MixResult:
    path: Path
    duration_s: float
    clipped_samples: int  # summed voices beyond full scale (clipped)
    cpu_s: float


class _Placed:
    """One input decoded to mono float32 at 48 kHz and read as a timeline of samples."""

    def __init__(self, source: MixInput) -> None:
        self._container = av.open(str(source.path))
        self._gain = np.float32(source.gain)
        self._offset = round(source.offset_s * RATE_HZ)
        self._first_pts: int | None = None
        self._buf = np.zeros(0, np.float32)  # decoded samples, the first at `_buf_at`
        self._buf_at = self._offset
        self._frames = self._decode()
        self.ended = False
        self.data_end = self._offset  # timeline position just after the last decoded sample

    def close(self) -> None:
        self._container.close()

    def read(self, start: int, count: int) -> np.ndarray:
        """Samples [start, start+count) of this input on the mix's timeline (zeros where none).

        Reads only move forward: what lies before the block is forgotten.
        """
        out = np.zeros(count, np.float32)
        end = start + count
        while not self.ended and self.data_end < end:
            self._pull()
        lo, hi = max(start, self._buf_at), min(end, self.data_end)
        if hi > lo:
            out[lo - start : hi - start] = self._buf[lo - self._buf_at : hi - self._buf_at]
        drop = min(len(self._buf), max(0, end - self._buf_at))
        self._buf = self._buf[drop:]
        self._buf_at += drop
        return out * self._gain if self._gain != 1 else out

    def _pull(self) -> None:
        try:
            position, pcm = next(self._frames)
        except StopIteration:
            self.ended = True
            return
        tail = self.data_end
        if abs(position - tail) <= CONTIGUOUS_SAMPLES:
            position = tail
        if position > tail:  # a hole in the stem: it keeps its length
            pcm = np.concatenate([np.zeros(position - tail, np.float32), pcm])
        elif position < tail:  # overlaps what came before: drop the overlap
            pcm = pcm[tail - position :]
        if pcm.size:
            self._buf = np.concatenate([self._buf, pcm]) if self._buf.size else pcm
            self.data_end = tail + pcm.size

    def _decode(self) -> Iterator[tuple[int, np.ndarray]]:
        """(timeline position, mono float32 samples) per decoded frame."""
        streams = self._container.streams.audio
        if not streams:
            return
        resampler: av.AudioResampler | None = None
        for frame in self._container.decode(streams[0]):
            if frame.sample_rate != RATE_HZ:  # not Opus: place resampled audio end to end
                if resampler is None:
                    resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE_HZ)
                for out in resampler.resample(frame):
                    yield self.data_end, _mono_float(out)
                continue
            position = self.data_end
            if frame.pts is not None and frame.time_base is not None:
                pts = round(frame.pts * frame.time_base * RATE_HZ)
                if self._first_pts is None:
                    # Files count from zero (an Opus stream's first frame is at its pre-skip,
                    # a few ms in); one that starts far from zero counts from its first frame.
                    self._first_pts = pts if abs(pts) > RATE_HZ else 0
                position = self._offset + pts - self._first_pts
            yield position, _mono_float(frame)


def _mono_float(frame: AudioFrame) -> np.ndarray:
    """A frame of any sample format and layout as mono float32 in [-1, 1]."""
    data = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        data = data.reshape(-1, channels).T
    data = data[:, : frame.samples]
    if data.dtype == np.int16:
        mono = data.astype(np.float32).mean(axis=0) / 32768.0
    elif data.dtype == np.int32:
        mono = data.astype(np.float32).mean(axis=0) / 2147483648.0
    else:
        mono = data.astype(np.float32).mean(axis=0)
    return mono.astype(np.float32, copy=False)


def mix_to_ogg(
    inputs: Sequence[MixInput],
    out_path: Path | str,
    *,
    bitrate: int = 48_000,
    block_s: float = 1.0,
) -> MixResult:
    """Mix `inputs` into `out_path` (Opus in Ogg, mono 48 kHz); returns what was written.

    The mix runs from 0 to the end of the input that ends last. Raises `NothingToMix` when no
    input has audio (and leaves no file).
    """
    started = time.thread_time()
    out = Path(out_path)
    placed = [_Placed(source) for source in inputs]
    block = max(FRAME_SAMPLES, round(block_s * RATE_HZ) // FRAME_SAMPLES * FRAME_SAMPLES)
    clipped = 0
    written = 0
    heard_any = False
    container = av.open(str(out), "w", format="ogg")
    try:
        stream = container.add_stream("libopus", rate=RATE_HZ, layout="mono")
        stream.bit_rate = bitrate
        stream.codec_context.options = {"application": "audio", "compression_level": "5"}
        while True:
            mixed = np.zeros(block, np.float32)
            for source in placed:
                mixed += source.read(written, block)
            if all(s.ended for s in placed):
                # The last block: only up to where the longest input ends.
                end = max((s.data_end for s in placed), default=written)
                mixed = mixed[: max(0, end - written)]
            if mixed.size:
                heard_any = True
                over = np.abs(mixed) > 1.0
                if over.any():
                    clipped += int(over.sum())
                    np.clip(mixed, -1.0, 1.0, out=mixed)
                for packet in _encode(stream, mixed, written):
                    container.mux(packet)
                written += mixed.size
            if mixed.size < block:
                break
        for packet in stream.encode(None):
            container.mux(packet)
    finally:
        container.close()
        for source in placed:
            source.close()
    if not heard_any:
        out.unlink(missing_ok=True)
        raise NothingToMix(f"none of {len(inputs)} inputs had audio to mix into {out}")
    return MixResult(
        path=out,
        duration_s=written / RATE_HZ,
        clipped_samples=clipped,
        cpu_s=time.thread_time() - started,
    )


def _encode(stream: av.AudioStream, pcm: np.ndarray, first: int) -> Iterator[av.Packet]:
    for at in range(0, pcm.size, FRAME_SAMPLES):
        chunk = pcm[at : at + FRAME_SAMPLES]
        if chunk.size < FRAME_SAMPLES:  # the encoder takes whole 20 ms frames; pad the last
            chunk = np.concatenate([chunk, np.zeros(FRAME_SAMPLES - chunk.size, np.float32)])
        frame = AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = RATE_HZ
        frame.pts = first + at
        frame.time_base = TIME_BASE
        yield from stream.encode(frame)
