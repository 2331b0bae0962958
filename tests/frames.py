"""Frame builders for media tests: sine-wave audio frames, VP8 packets, tracks that send them."""

from __future__ import annotations

import asyncio
import fractions
import time
from collections.abc import Sequence

import av
import numpy as np
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack
from av.audio.frame import AudioFrame
from av.packet import Packet

VIDEO_TIME_BASE = fractions.Fraction(1, 90_000)


def sine(freq_hz: float, seconds: float, rate_hz: int, amplitude: float = 0.5) -> np.ndarray:
    """Mono int16 samples of a sine wave."""
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    return (np.sin(2 * np.pi * freq_hz * t) * amplitude * 32767).astype(np.int16)


def sine_pcm(freq_hz: float, seconds: float, rate_hz: int = 24_000) -> bytes:
    """s16le mono PCM, as the agent's voice model sends it."""
    return sine(freq_hz, seconds, rate_hz).tobytes()


def audio_frame(
    samples: np.ndarray, *, rate_hz: int = 48_000, layout: str = "stereo", pts: int | None = 0
) -> AudioFrame:
    """One packed s16 frame from mono samples (copied to both channels for stereo)."""
    channels = 2 if layout == "stereo" else 1
    data = np.repeat(samples.reshape(-1, 1), channels, axis=1).reshape(1, -1)
    frame = AudioFrame.from_ndarray(data, format="s16", layout=layout)
    frame.sample_rate = rate_hz
    frame.pts = pts
    frame.time_base = fractions.Fraction(1, rate_hz)
    return frame


def audio_frames(
    freq_hz: float = 1000.0,
    seconds: float = 1.0,
    *,
    rate_hz: int = 48_000,
    layout: str = "stereo",
    frame_samples: int = 960,
    start_pts: int = 0,
) -> list[AudioFrame]:
    """20 ms frames of a sine as aiortc's Opus decoder hands them over (s16 stereo 48 kHz)."""
    pcm = sine(freq_hz, seconds, rate_hz)
    count = len(pcm) // frame_samples
    return [
        audio_frame(
            pcm[i * frame_samples : (i + 1) * frame_samples],
            rate_hz=rate_hz,
            layout=layout,
            pts=start_pts + i * frame_samples,
        )
        for i in range(count)
    ]


def opus_packets(
    freq_hz: float = 1000.0, seconds: float = 1.0, *, stereo: bool = False
) -> list[bytes]:
    """20 ms Opus packets of a sine, as a browser sends them."""
    layout = "stereo" if stereo else "mono"
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.layout, encoder.format = 48_000, layout, "s16"
    encoder.bit_rate = 48_000
    encoder.time_base = fractions.Fraction(1, 48_000)
    packets = []
    for frame in audio_frames(freq_hz, seconds, layout=layout):
        packets += [bytes(p) for p in encoder.encode(frame)]
    return packets


def tee_decoded_frames(packets: list[bytes], *, start_pts: int = 0) -> list[AudioFrame]:
    """Decode as aiortc does with media.passthrough's tee: each frame carries its packet."""
    from media.passthrough import OpusTeeDecoder

    decoder = OpusTeeDecoder()
    frames: list[AudioFrame] = []
    for i, packet in enumerate(packets):
        frames += decoder.decode(JitterFrame(packet, start_pts + i * 960))  # type: ignore[arg-type]
    return frames


def decode_mono(path: object) -> np.ndarray:
    """All audio of a file as mono s16 at 48 kHz, whatever layout the decoder hands out."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
    chunks = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray()[0] for f in resampler.resample(frame)]
    chunks += [f.to_ndarray()[0] for f in resampler.resample(None)]
    return np.concatenate(chunks)


def dominant_hz(pcm: bytes | np.ndarray, rate_hz: int) -> float:
    """Frequency of the FFT peak of mono s16 samples."""
    samples = np.frombuffer(pcm, dtype=np.int16) if isinstance(pcm, bytes) else pcm
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    spectrum[0] = 0.0
    return float(np.fft.rfftfreq(len(samples), 1 / rate_hz)[int(np.argmax(spectrum))])


def vp8_packets(
    count: int,
    *,
    width: int = 320,
    height: int = 240,
    fps: int = 30,
    gop: int = 1000,
    start_pts: int = 0,
) -> list[Packet]:
    """Encoded VP8 frames as the pass-through decoder yields them (pts 1/90000, keyframe flag)."""
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
    encoder.time_base = VIDEO_TIME_BASE
    encoder.framerate = fractions.Fraction(fps)
    encoder.gop_size = gop
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    step = 90_000 // fps
    packets: list[Packet] = []
    for i in range(count):
        image = np.zeros((height, width, 3), np.uint8)
        image[:, (i * 4) % width :] = (40, 160, 90)  # a moving edge, so frames differ
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        frame.pts = i * step
        frame.time_base = VIDEO_TIME_BASE
        for encoded in encoder.encode(frame):
            packets.append(_as_passthrough(encoded, start_pts + i * step))
    return packets


def _as_passthrough(encoded: Packet, pts: int) -> Packet:
    packet = Packet(bytes(encoded))
    packet.pts = packet.dts = pts
    packet.time_base = VIDEO_TIME_BASE
    packet.is_keyframe = encoded.is_keyframe
    return packet


class SineTrack(AudioStreamTrack):
    """Sends a sine as 20 ms mono 48 kHz frames paced on the wall clock; notes what it sent."""

    def __init__(self, freq_hz: float = 1000.0) -> None:
        super().__init__()
        self.freq_hz = freq_hz
        self.sent = 0
        self.first_sent_at: float | None = None
        self.muted = False  # send silence (a candidate who stopped talking)
        self._t0: float | None = None
        self._pcm = sine(freq_hz, 1.0, 48_000)  # 1 s is a whole number of periods for 1 kHz

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._t0 is None:
            self._t0 = self.first_sent_at = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self._t0 + self.sent * 0.02 - time.monotonic()))
        offset = (self.sent * 960) % len(self._pcm)
        pcm = self._pcm[offset : offset + 960]
        frame = audio_frame(np.zeros_like(pcm) if self.muted else pcm, layout="mono",
                            pts=self.sent * 960)
        self.sent += 1
        return frame

    @property
    def sent_s(self) -> float:
        return self.sent * 0.02


class ListTrack(MediaStreamTrack):
    """Yields the given frames, then ends like a remote track does."""

    def __init__(self, kind: str, frames: Sequence[object], delay_s: float = 0.0) -> None:
        super().__init__()
        self.kind = kind
        self._frames = list(frames)
        self._delay_s = delay_s

    async def recv(self):  # type: ignore[no-untyped-def]
        if self._delay_s:
            await asyncio.sleep(self._delay_s)
        if not self._frames:
            self.stop()
            raise MediaStreamError
        return self._frames.pop(0)
