"""Record without re-encoding: hook aiortc's decoder choice so the encoded media comes along.

aiortc decodes every received track in `decoder_worker` (a thread per receiver), which looks up
`get_decoder(codec)` in `aiortc.rtcrtpreceiver`'s module globals whenever the codec changes.
`install()` rebinds that name:

- VP8 gets `PassthroughDecoder`: the "frames" a remote VP8 track yields are `av.Packet`s holding
  each encoded frame exactly as the jitter buffer assembled it (pts in 1/90000 from the first
  frame, `is_keyframe` from the VP8 header). Video is never decoded.
- Opus gets `OpusTeeDecoder`: it still decodes (the interviewer needs PCM) and also hangs the
  received packet on the frame as `frame.opaque`, so the recorder can store the browser's own
  Opus instead of encoding it again (~2 µs instead of ~150 µs per 20 ms frame, measured). It
  decodes straight to 16 kHz mono s16 (`media.opus_decoder`), what the interviewer hears, so
  the 16 kHz resampler has nothing left to do; frames keep the RTP clock (pts in 1/48000).
  Without libopus to bind to it decodes as aiortc does (48 kHz stereo).

The hook is process-wide and affects receivers whose decoder thread picks a codec after
`install()`; call it once at start-up, before any peer connection exists (the server's
server/patches.py decides when, and checks aiortc is a version this was tested with).

`install()` also moves the decoding of those two codecs onto the event loop (`_InlineDecoding`).
aiortc decodes in a thread per receiver and hands every frame back with
`run_coroutine_threadsafe`: a thread wake-up, a self-pipe write, a Task and two futures per 20 ms
frame, plus GIL hand-offs, for a pass-through that does nothing and an Opus decode of ~40 µs. On
a one-core server those threads buy no parallelism, only overhead, so frames are decoded where the
jitter buffer completes them. Any other codec (e.g. H.264, whose decode is heavy) still gets
aiortc's thread.

`deliver_directly(track, consumer)` goes one step further for a track with one reader (the
server's `media.fanout.Fanout`): each decoded frame is handed to `consumer` right there instead
of through the track's queue, saving a queue put, a future, a task wake-up and a `recv()` per
frame (~2,000 a second at 30 calls with video). The end of the track still goes through the queue.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from aiortc import rtcrtpreceiver
from aiortc.codecs.base import Decoder
from aiortc.codecs.opus import OpusDecoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import VIDEO_TIME_BASE
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from aiortc.rtcrtpreceiver import RTCRtpReceiver
from av.audio.frame import AudioFrame
from av.frame import Frame
from av.packet import Packet

from media.opus_decoder import PcmDecoder, load_libopus
from media.vp8 import is_keyframe

PASSTHROUGH_MIME_TYPES = frozenset({"video/vp8"})
TEE_MIME_TYPES = frozenset({"audio/opus"})
TEE_RATE_HZ = 16_000
OPUS_TIME_BASE = Fraction(1, 48_000)  # the RTP clock of Opus, whatever the decoding rate

_original_get_decoder = rtcrtpreceiver.get_decoder
_original_decoder_worker = rtcrtpreceiver.decoder_worker
_lock = threading.Lock()
_tee_audio = True
# a remote track's frame queue -> who takes its frames as they are decoded (deliver_directly)
_direct: weakref.WeakKeyDictionary[asyncio.Queue[Any], Callable[[Any], None]] = (
    weakref.WeakKeyDictionary()
)


@dataclass
class PassthroughStats:
    """Process-wide counters (approximate across receivers: decoder threads update them)."""

    decoders: int = 0
    frames: int = 0
    keyframes: int = 0
    opus_packets: int = 0


STATS = PassthroughStats()


class PassthroughDecoder(Decoder):
    """Hands the encoded frame on as an `av.Packet` instead of decoding it."""

    def __init__(self) -> None:
        STATS.decoders += 1

    def decode(self, encoded_frame: JitterFrame) -> list[Packet]:  # type: ignore[override]
        data = encoded_frame.data
        if not data:
            return []
        packet = Packet(data)
        packet.pts = packet.dts = encoded_frame.timestamp
        packet.time_base = VIDEO_TIME_BASE
        key = is_keyframe(data)
        packet.is_keyframe = key
        STATS.frames += 1
        STATS.keyframes += key
        return [packet]


class OpusTeeDecoder(OpusDecoder):
    """Decodes to 16 kHz mono (48 kHz stereo without libopus) and hangs the received packet
    on the frame as `opaque`."""

    def __init__(self) -> None:
        super().__init__()
        self._pcm = PcmDecoder(TEE_RATE_HZ, 1) if load_libopus() is not None else None

    def decode(self, encoded_frame: JitterFrame) -> list[Frame]:
        if self._pcm is None:
            frames = super().decode(encoded_frame)
        else:
            frames = self._decode_16k(encoded_frame)
        if frames and encoded_frame.data:
            frames[0].opaque = encoded_frame.data  # the packet covers all of `frames`
            STATS.opus_packets += 1
        return frames

    def _decode_16k(self, encoded_frame: JitterFrame) -> list[Frame]:
        assert self._pcm is not None
        pcm = self._pcm.decode(encoded_frame.data)
        if not pcm:
            return []
        frame = AudioFrame(format="s16", layout="mono", samples=len(pcm) // 2)
        frame.planes[0].update(pcm)
        frame.sample_rate = TEE_RATE_HZ
        frame.pts = encoded_frame.timestamp
        frame.time_base = OPUS_TIME_BASE
        return [frame]


def _get_decoder(codec: RTCRtpCodecParameters) -> Decoder:
    mime_type = codec.mimeType.lower()
    if mime_type in PASSTHROUGH_MIME_TYPES:
        return PassthroughDecoder()
    if _tee_audio and mime_type in TEE_MIME_TYPES:
        return OpusTeeDecoder()
    return _original_get_decoder(codec)


class _InlineDecoding:
    """Takes over a receiver's decoder queue: each `put()` decodes on the event loop.

    aiortc's receiver calls `decoder_queue.put((codec, encoded_frame))` from the event loop
    when the jitter buffer completes a frame, and `put(None)` when it stops. The first codec
    not in `INLINE_MIME_TYPES` hands this and everything after it to aiortc's own thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        input_q: queue.Queue[Any],
        output_q: asyncio.Queue[Any],
        decode_error: threading.Event,
    ) -> None:
        self._loop = loop
        self._input_q = input_q
        self._output_q = output_q
        self._decode_error = decode_error
        self._codec_name: str | None = None
        self._decoder: Decoder | None = None
        self._thread_q: queue.Queue[Any] | None = None

    def take_over(self) -> None:
        """On the loop: decode what queued up meanwhile, then every later `put()` at once."""
        while True:
            try:
                task = self._input_q.get_nowait()
            except queue.Empty:
                break
            self.put(task)
        self._input_q.put = self.put  # type: ignore[method-assign]

    def put(self, task: Any, *_: Any) -> None:
        if self._thread_q is not None:
            self._thread_q.put(task)
            return
        if task is None:
            self._output_q.put_nowait(None)  # the track ends
            return
        codec, encoded_frame = task
        if codec.mimeType.lower() not in INLINE_MIME_TYPES:
            self._hand_to_thread(task)
            return
        if codec.name != self._codec_name:
            self._decoder = _get_decoder(codec)
            self._codec_name = codec.name
        assert self._decoder is not None
        try:
            frames = self._decoder.decode(encoded_frame)
        except av.FFmpegError:
            self._decode_error.set()  # as aiortc does: the receiver asks for a keyframe
            return
        consumer = _direct.get(self._output_q)
        for frame in frames:
            if consumer is None:
                self._output_q.put_nowait(frame)
            else:
                consumer(frame)

    def _hand_to_thread(self, task: Any) -> None:
        self._thread_q = queue.Queue()
        self._thread_q.put(task)
        threading.Thread(
            target=_original_decoder_worker,
            name="decoder",
            args=(self._loop, self._thread_q, self._output_q, self._decode_error),
            daemon=True,
        ).start()


INLINE_MIME_TYPES = PASSTHROUGH_MIME_TYPES | TEE_MIME_TYPES


def _decoder_worker(
    loop: asyncio.AbstractEventLoop,
    input_q: queue.Queue[Any],
    output_q: asyncio.Queue[Any],
    decode_error: threading.Event,
) -> None:
    """Runs as aiortc's decoder thread: hands the receiver's queue to the loop and ends."""
    inline = _InlineDecoding(loop, input_q, output_q, decode_error)
    try:
        loop.call_soon_threadsafe(inline.take_over)
    except RuntimeError:  # the loop closed before the receiver started: nothing to decode
        pass


def deliver_directly(track: object, consumer: Callable[[Any], None] | None) -> list[Any]:
    """From now on hand `track`'s decoded frames to `consumer` (synchronously, on the event
    loop, as the jitter buffer completes them) instead of queueing them for `recv()`; None
    stops that. Returns the frames queued before, for the caller to take first; a queued end of
    track (None) stays queued, so `recv()` still raises when the track ends. Frames that
    aiortc's own decoder thread makes (codecs not decoded inline) still arrive by `recv()`."""
    q = getattr(track, "_queue", None)
    if not isinstance(q, asyncio.Queue):
        return []
    if consumer is None:
        _direct.pop(q, None)
        return []
    earlier: list[Any] = []
    while not q.empty():
        frame = q.get_nowait()
        if frame is None:
            q.put_nowait(None)  # the track already ended: recv() raises
            break
        earlier.append(frame)
    _direct[q] = consumer
    return earlier


def install(*, opus_packets: bool = True, inline: bool = True) -> None:
    """Pass VP8 through, and tee Opus packets unless told not to, from now on (idempotent);
    decode those on the event loop unless told not to."""
    global _tee_audio
    with _lock:
        _tee_audio = opus_packets
        rtcrtpreceiver.get_decoder = _get_decoder  # type: ignore[attr-defined]
        rtcrtpreceiver.decoder_worker = (  # type: ignore[attr-defined]
            _decoder_worker if inline else _original_decoder_worker
        )


def uninstall() -> None:
    """Give aiortc its own decoders back (for tests and tools that want decoded video)."""
    with _lock:
        rtcrtpreceiver.get_decoder = _original_get_decoder  # type: ignore[attr-defined]
        rtcrtpreceiver.decoder_worker = _original_decoder_worker  # type: ignore[attr-defined]


def installed() -> bool:
    return rtcrtpreceiver.get_decoder is _get_decoder  # type: ignore[attr-defined]


async def request_keyframe(receiver: RTCRtpReceiver) -> int:
    """Ask the sender for a keyframe (RTCP PLI) on every SSRC heard lately; returns how many.

    aiortc 1.16 has no public API for this, so it calls the receiver's `_send_rtcp_pli`. With the
    pass-through installed aiortc never sees a decode error, so nothing else asks for one.
    """
    sources = receiver.getSynchronizationSources()
    for source in sources:
        await receiver._send_rtcp_pli(source.source)
    return len(sources)
