"""What the load harness's candidates send: speech as Opus and a 640×360 15 fps VP8 clip,
each encoded ONCE per harness process and then replayed as packets by every peer.

aiortc's `RTCRtpSender` only packetizes an `av.Packet` that a track's `recv()` returns (it
calls the encoder's `pack()`, not `encode()`), so N peers cost the harness RTP and SRTP work,
not N encoders: the load lands on the server, where it belongs.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.packet import Packet

log = logging.getLogger(__name__)

AUDIO_RATE_HZ = 48_000
AUDIO_TIME_BASE = Fraction(1, AUDIO_RATE_HZ)
SAMPLES_20MS = 960
VIDEO_CLOCK_HZ = 90_000
VIDEO_TIME_BASE = Fraction(1, VIDEO_CLOCK_HZ)
VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS = 640, 360, 15

SPEECH_TEXT = (
    "I would start with the requirements. How many users do we expect, and how fresh does the "
    "feed need to be? Then a load balancer in front of stateless web servers, a write path "
    "that puts new posts on a queue, and a fan out service that fills each follower's "
    "timeline in a cache. For celebrities I would pull at read time instead. The database "
    "is sharded by user id, with replicas for reads."
)


@dataclass(frozen=True)
class Clip:
    """Encoded media to loop: payloads in send order and the clock step between them."""

    payloads: tuple[bytes, ...]
    step: int  # pts units per payload
    time_base: Fraction
    source: str  # how it was made, for the report

    @property
    def seconds(self) -> float:
        return float(len(self.payloads) * self.step * self.time_base)

    @property
    def bitrate_kbps(self) -> float:
        return sum(len(p) for p in self.payloads) * 8 / self.seconds / 1000


@functools.cache
def speech_clip() -> Clip:
    """~20 s of speech (espeak-ng + sox when installed, else a synthetic voice) as 20 ms Opus."""
    pcm, source = speech_pcm(SPEECH_TEXT, pad_s=0.6)
    return opus_clip(pcm, source)


def opus_clip(pcm: np.ndarray, source: str) -> Clip:
    """48 kHz mono s16 PCM as 20 ms Opus payloads, encoded as a browser would."""
    encoder = av.CodecContext.create("libopus", "w")
    encoder.sample_rate, encoder.format, encoder.layout = AUDIO_RATE_HZ, "s16", "mono"
    encoder.bit_rate = 32_000  # what a browser sends for one voice
    encoder.time_base = AUDIO_TIME_BASE
    encoder.options = {"application": "voip"}
    payloads: list[bytes] = []
    usable = len(pcm) - len(pcm) % SAMPLES_20MS
    for start in range(0, usable, SAMPLES_20MS):
        frame = av.AudioFrame.from_ndarray(
            pcm[start : start + SAMPLES_20MS].reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE_HZ, start, AUDIO_TIME_BASE
        payloads += [bytes(p) for p in encoder.encode(frame)]
    payloads += [bytes(p) for p in encoder.encode(None)]
    return Clip(tuple(payloads), SAMPLES_20MS, AUDIO_TIME_BASE, source)


@functools.cache
def video_clip(seconds: float = 4.0) -> Clip:
    """A 640×360 15 fps VP8 loop (moving shapes over a drifting gradient), keyframe first.

    The clip is one GOP long, so every loop restarts on a keyframe and a decoding server (the
    baseline) sees a valid stream forever.
    """
    count = round(seconds * VIDEO_FPS)
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = VIDEO_WIDTH, VIDEO_HEIGHT, "yuv420p"
    encoder.time_base = VIDEO_TIME_BASE
    encoder.framerate = Fraction(VIDEO_FPS)
    encoder.bit_rate = 500_000
    encoder.gop_size = count
    encoder.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    step = VIDEO_CLOCK_HZ // VIDEO_FPS
    y, x = np.mgrid[0:VIDEO_HEIGHT, 0:VIDEO_WIDTH]
    texture = np.random.default_rng(7).integers(0, 12, (VIDEO_HEIGHT, VIDEO_WIDTH), np.uint8)
    payloads: list[bytes] = []
    for i in range(count):
        t = i / count
        image = np.empty((VIDEO_HEIGHT, VIDEO_WIDTH, 3), np.uint8)
        image[..., 0] = (x * 255 // VIDEO_WIDTH + i * 3) % 256
        image[..., 1] = (y * 255 // VIDEO_HEIGHT) // 2 + texture
        image[..., 2] = 90
        cx = int((0.2 + 0.6 * t) * VIDEO_WIDTH)  # a "head" that moves across the picture
        cy = int((0.5 + 0.1 * np.sin(2 * np.pi * t)) * VIDEO_HEIGHT)
        image[max(0, cy - 70) : cy + 70, max(0, cx - 55) : cx + 55] = (220, 180, 150)
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
        frame.pts, frame.time_base = i * step, VIDEO_TIME_BASE
        payloads += [bytes(p) for p in encoder.encode(frame)]
    payloads += [bytes(p) for p in encoder.encode(None)]
    return Clip(tuple(payloads), step, VIDEO_TIME_BASE, "synthetic VP8, one GOP")


def speech_pcm(text: str, *, pad_s: float = 0.0) -> tuple[np.ndarray, str]:
    """`text` spoken at 48 kHz (espeak-ng + sox, else a synthetic voice), then `pad_s` of
    silence; and how it was made."""
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak and sox:
        with tempfile.TemporaryDirectory(prefix="ia-speech-") as tmp:
            raw, wav = Path(tmp) / "raw.wav", Path(tmp) / "speech.wav"
            try:
                subprocess.run(
                    [espeak, "-v", "en-us", "-s", "150", "-w", str(raw), text],
                    check=True, capture_output=True, timeout=60,
                )
                subprocess.run(
                    [sox, str(raw), "-r", str(AUDIO_RATE_HZ), "-c", "1", "-b", "16", str(wav),
                     "pad", "0", str(pad_s)],
                    check=True, capture_output=True, timeout=60,
                )
                with av.open(str(wav)) as container:
                    pcm = np.concatenate(
                        [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
                    )
                return pcm.astype(np.int16), "espeak-ng + sox"
            except (subprocess.SubprocessError, OSError, av.FFmpegError) as exc:
                log.warning("espeak-ng/sox failed (%s); using a synthetic voice", exc)
    seconds = max(1.0, len(text.split()) / 2.5)  # ~150 words a minute, as espeak-ng speaks
    voice = np.concatenate([_synthetic_voice(seconds), np.zeros(int(pad_s * AUDIO_RATE_HZ),
                                                                 np.int16)])
    return voice, "synthetic voice"


def _synthetic_voice(seconds: float = 20.0) -> np.ndarray:
    """Harmonic 'syllables' with pauses: speech-like enough for Opus's bitrate and VAD."""
    rng = np.random.default_rng(3)
    out: list[np.ndarray] = []
    total = 0
    while total < seconds * AUDIO_RATE_HZ:
        n = int(rng.uniform(0.12, 0.3) * AUDIO_RATE_HZ)
        t = np.arange(n) / AUDIO_RATE_HZ
        f0 = rng.uniform(100, 180)
        wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 8))
        syllable = (wave * np.hanning(n) * 6000).astype(np.int16)
        gap = np.zeros(int(rng.choice([0.05, 0.05, 0.4]) * AUDIO_RATE_HZ), np.int16)
        out += [syllable, gap]
        total += n + len(gap)
    return np.concatenate(out)


class ClipTrack(MediaStreamTrack):
    """Replays a `Clip` in a loop, paced on the wall clock, as `av.Packet`s.

    `lateness_s` keeps the worst delay of a send behind its schedule: if the harness itself
    falls behind, the server's figures are not to be trusted.
    """

    def __init__(self, kind: str, clip: Clip, *, offset: int = 0) -> None:
        super().__init__()
        self.kind = kind
        self._clip = clip
        self._index = offset % len(clip.payloads)
        self._pts = 0
        self._t0: float | None = None
        self._period_s = float(clip.step * clip.time_base)
        self.sent = 0
        self.max_lateness_s = 0.0  # since the last `reset_lateness()`

    def reset_lateness(self) -> None:
        self.max_lateness_s = 0.0

    async def recv(self) -> Packet:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        else:
            self._pts += self._clip.step
            due = self._t0 + self.sent * self._period_s
            if due > now:
                await asyncio.sleep(due - now)
            self.max_lateness_s = max(self.max_lateness_s, time.monotonic() - due)
            if self.readyState != "live":
                raise MediaStreamError
        packet = Packet(self.next_payload(time.monotonic()))
        packet.pts = self._pts
        packet.time_base = self._clip.time_base
        self.sent += 1
        return packet

    def next_payload(self, now: float) -> bytes:
        """What to send in the slot due now: the clip, round and round."""
        payload = self._clip.payloads[self._index]
        self._index = (self._index + 1) % len(self._clip.payloads)
        return payload


@functools.cache
def canvas_png(target_bytes: int = 400_000) -> bytes:
    """A whiteboard-sized PNG of about `target_bytes` (noise does not compress: its size is
    predictable), encoded once with PyAV."""
    side = int((target_bytes / 3) ** 0.5)
    img = np.random.default_rng(7).integers(0, 255, (side, side, 3), dtype=np.uint8)
    ctx = av.CodecContext.create("png", "w")
    ctx.width, ctx.height, ctx.pix_fmt = side, side, "rgb24"
    return b"".join(bytes(p) for p in ctx.encode(av.VideoFrame.from_ndarray(img, format="rgb24")))
