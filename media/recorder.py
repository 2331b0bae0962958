"""Server-side recording: every inbound track to its own run of segment files.

`push()` only queues (bounded, drop-oldest, counted); a task per track hands the queue to a
worker thread every `batch_s`, where `media.segment` writers encode/mux and close a segment every
`segment_s`. Each closed segment is announced through `on_segment(kind, index, path)` on the
event loop: the server uploads it and deletes it, media knows nothing about storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from av.frame import Frame
from av.packet import Packet

from media.opus_writer import OpusSegmentWriter
from media.segment import Resume, Segment, SegmentWriter
from media.vp8_writer import Vp8SegmentWriter

logger = logging.getLogger(__name__)

SegmentCallback = Callable[[str, int, Path], object]
ANCHOR_WINDOW_S = 10.0
KeyframeRequest = Callable[[], Awaitable[object]]


class RecorderError(Exception):
    """Misuse of the recorder, e.g. `Cannot record track "audio": it is already recorded`."""


@dataclass(frozen=True)
class TrackSummary:
    name: str
    kind: str
    mode: str | None  # "copy": stored as received; "encode": audio encoded from decoded frames
    segments: tuple[Segment, ...]
    duration_s: float  # media time in the files (audio counts silence filled into gaps)
    start_offset_s: float | None  # first frame, seconds after the recorder started
    frames_in: int
    dropped: int  # queue overflow
    skipped: int  # not recordable: before the first keyframe, decoded video, duplicates
    errors: int
    cpu_s: float  # worker-thread CPU of the writer


@dataclass(frozen=True)
class RecordingSummary:
    tracks: dict[str, TrackSummary]

    @property
    def duration_s(self) -> float:
        return max((t.duration_s for t in self.tracks.values()), default=0.0)


class TrackRecorder:
    """The event-loop side of one recorded track: a `FrameSink` for `media.fanout.Fanout`."""

    def __init__(
        self,
        writer: SegmentWriter,
        *,
        kind: str,
        on_segment: SegmentCallback | None = None,
        executor: Executor | None = None,
        clock: Callable[[], float] = time.monotonic,
        origin: float | None = None,
        max_queue: int = 250,
        batch_s: float = 0.1,
        request_keyframe: KeyframeRequest | None = None,
        keyframe_retry_s: float = 1.0,
    ) -> None:
        self.kind = kind
        self.name = writer.name
        self._writer = writer
        self._on_segment = on_segment
        self._executor = executor
        self._clock = clock
        self._origin = clock() if origin is None else origin
        self._q: deque[Frame | Packet | Resume] = deque(maxlen=max_queue)
        self._batch_s = batch_s
        self._gate_keyframes = kind == "video"
        self._awaiting_keyframe = self._gate_keyframes
        self._request_keyframe = request_keyframe
        self._keyframe_retry_s = keyframe_retry_s
        self._last_request: float | None = None
        self._closing = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._writer_closed = False
        self._warned: set[str] = set()
        self.first_frame_at: float | None = None
        self._anchoring = True
        self._pts0: float | None = None
        self._anchor_until = 0.0
        self._resume_pending = False
        self.frames_in = 0
        self.dropped = 0
        self.skipped = 0
        self.errors = 0
        self.keyframe_requests = 0
        self.segments: list[Segment] = []

    @property
    def duration_s(self) -> float:
        return self._writer.duration_s

    def push(self, frame: Frame | Packet) -> None:
        if self._closing:
            return
        self.frames_in += 1
        if self.first_frame_at is None:
            self.first_frame_at = self._clock()
        q = self._q
        if self._gate_keyframes:
            # A lost VP8 frame breaks every frame up to the next keyframe: drop in whole GOPs.
            key = isinstance(frame, Packet) and frame.is_keyframe
            if not isinstance(frame, Packet):
                self._warn_once("decoded", "video arrives decoded: install media.passthrough")
            if self._awaiting_keyframe and not key:
                self.skipped += 1
                return
            self._awaiting_keyframe = False
            if len(q) == q.maxlen:
                self.dropped += len(q)
                q.clear()
                if not key:
                    self.dropped += 1
                    self._awaiting_keyframe = True
                    return
        elif len(q) == q.maxlen:
            self.dropped += 1
        if self._resume_pending:
            self._resume_pending = False
            start = self._writer.start_offset_s
            if start is not None:  # where this item falls on the track's own clock
                q.append(Resume(self._clock() - self._origin - start))
        if self._anchoring:
            self._anchor(frame)
        q.append(frame)

    def _anchor(self, item: Frame | Packet) -> None:
        """Place the track's time zero (its first item) on the recorder's clock.

        The first item alone would do if nothing were ever late, but the first packets of a
        call often arrive in a burst after the connection settles. So the start is the
        earliest `arrival - media time` seen in the first `ANCHOR_WINDOW_S`: network delay only
        ever adds, and a short window keeps the two ends' clock drift out of it.
        """
        now = self._clock()
        pts, time_base = item.pts, item.time_base
        if pts is None or time_base is None:
            media_s = 0.0 if self._pts0 is None else None
        else:
            media_s = pts * time_base.numerator / time_base.denominator
        if self._pts0 is None:
            self._pts0 = media_s or 0.0
            self._anchor_until = now + ANCHOR_WINDOW_S
        elif now > self._anchor_until:
            self._anchoring = False
            return
        if media_s is None:
            return
        start = now - self._origin - (media_s - self._pts0)
        current = self._writer.start_offset_s
        if current is None or start < current:
            self._writer.start_offset_s = start

    def resume(self, request_keyframe: KeyframeRequest | None = None) -> None:
        """The same track continues from a new source (the candidate rejoined on a new
        connection): the time between is kept as silence (audio) or the last picture (video),
        the new source's timestamps start a new run, and video waits for a keyframe again."""
        self._resume_pending = True
        self._anchoring = False
        if self._gate_keyframes:
            self._awaiting_keyframe = True
            self._request_keyframe = request_keyframe
            self._last_request = None

    async def start(self) -> None:
        if self._task is None and not self._closing:
            self._task = asyncio.create_task(self._run(), name=f"recorder-{self.name}")

    async def close(self) -> TrackSummary:
        """Write what is queued, close the last segment, and stop the task."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await asyncio.wait({self._task})  # finishes even if our caller is cancelled
            if not self._task.cancelled() and self._task.exception() is not None:
                self.errors += 1
                logger.error("recorder %s failed", self.name, exc_info=self._task.exception())
        elif not self._writer_closed:
            await self._close_writer(asyncio.get_running_loop())
        return self.summary()

    def summary(self) -> TrackSummary:
        origin = self._origin
        return TrackSummary(
            name=self.name,
            kind=self.kind,
            mode=self._writer.mode,
            segments=tuple(self.segments),
            duration_s=self._writer.duration_s,
            start_offset_s=None if self.first_frame_at is None else self.first_frame_at - origin,
            frames_in=self.frames_in,
            dropped=self.dropped,
            skipped=self.skipped + getattr(self._writer, "skipped", 0),
            errors=self.errors + self._writer.errors,
            cpu_s=self._writer.cpu_s,
        )

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while not self._closing:
                await self._ask_keyframe()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._batch_s):
                        await self._wake.wait()
                await self._flush(loop)
            await self._flush(loop)
            await self._close_writer(loop)
        finally:
            if not self._writer_closed:
                # Cancelled mid-write: still close the files. The writer's lock orders this
                # after the write in flight, so nothing here needs to wait.
                self._writer_closed = True
                try:
                    loop.run_in_executor(self._executor, self._writer.close)
                except RuntimeError:  # executor already shut down
                    self._writer.close()

    async def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        now = self._clock()
        if not self._q and not self._writer.rotation_due(now):
            return
        batch = list(self._q)
        self._q.clear()
        try:
            done = await loop.run_in_executor(self._executor, self._writer.write, batch, now)
        except Exception:
            self.errors += 1
            self._warn_once("write", "writing failed", exc_info=True)
            return
        self._announce(done)

    async def _close_writer(self, loop: asyncio.AbstractEventLoop) -> None:
        done = await loop.run_in_executor(self._executor, self._writer.close)
        self._writer_closed = True
        self._announce(done)

    async def _ask_keyframe(self) -> None:
        if self._request_keyframe is None or not self._awaiting_keyframe:
            return
        now = self._clock()
        if self._last_request is not None and now - self._last_request < self._keyframe_retry_s:
            return
        self._last_request = now
        self.keyframe_requests += 1
        try:
            await self._request_keyframe()
        except Exception:
            self._warn_once("pli", "keyframe request failed", exc_info=True)

    def _announce(self, segments: Sequence[Segment]) -> None:
        for segment in segments:
            self.segments.append(segment)
            if self._on_segment is None:
                continue
            try:
                self._on_segment(segment.kind, segment.index, segment.path)
            except Exception:
                self.errors += 1
                self._warn_once("callback", "on_segment callback failed", exc_info=True)

    def _warn_once(self, key: str, message: str, *, exc_info: bool = False) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning("recorder %s: %s", self.name, message, exc_info=exc_info)


class Recorder:
    """Records one interview's tracks under `spool_dir/<name>/NNNNNN.{ogg,webm}`.

    `on_segment(kind, index, path)` runs on the event loop once per closed segment and must not
    block (schedule the upload). `close()` finalises every track and returns what was recorded.
    """

    def __init__(
        self,
        spool_dir: Path | str,
        *,
        on_segment: SegmentCallback | None = None,
        segment_s: float = 5.0,
        executor: Executor | None = None,
        clock: Callable[[], float] = time.monotonic,
        audio_bitrate: int = 32_000,
        batch_s: float = 0.1,
    ) -> None:
        self.spool_dir = Path(spool_dir)
        self._batch_s = batch_s
        self._on_segment = on_segment
        self._segment_s = segment_s
        self._executor = executor
        self._clock = clock
        self._audio_bitrate = audio_bitrate
        self._origin = clock()
        self._tracks: dict[str, TrackRecorder] = {}
        self._closed = False

    @property
    def tracks(self) -> dict[str, TrackRecorder]:
        return dict(self._tracks)

    @property
    def duration_s(self) -> float:
        return max((t.duration_s for t in self._tracks.values()), default=0.0)

    async def start(self) -> None:
        """Mark time zero for the tracks' start offsets."""
        self._origin = self._clock()

    async def add_track(
        self,
        kind: str,
        *,
        name: str | None = None,
        request_keyframe: KeyframeRequest | None = None,
    ) -> TrackRecorder:
        """Start recording a track of `kind` ("audio" or "video"); push its frames to the result.

        For video pass `request_keyframe` (e.g. `lambda: passthrough.request_keyframe(receiver)`):
        it is called at start and every second until a keyframe arrives.
        """
        name = name or kind
        if self._closed:
            raise RecorderError(f'Cannot record track "{name}": the recorder is closed')
        if name in self._tracks:
            raise RecorderError(f'Cannot record track "{name}": it is already recorded')
        if kind not in ("audio", "video"):
            raise RecorderError(f'Cannot record track "{name}" of kind "{kind}"')
        directory = self.spool_dir / name
        loop = asyncio.get_running_loop()
        writer: SegmentWriter
        if kind == "audio":
            writer = await loop.run_in_executor(self._executor, self._audio_writer, directory, name)
            max_queue = 250  # 5 s of 20 ms frames
        else:
            writer = await loop.run_in_executor(self._executor, self._video_writer, directory, name)
            max_queue = 300  # 10 s at 30 fps
        track = TrackRecorder(
            writer,
            kind=kind,
            on_segment=self._on_segment,
            executor=self._executor,
            clock=self._clock,
            origin=self._origin,
            max_queue=max_queue,
            batch_s=self._batch_s,
            request_keyframe=request_keyframe,
        )
        self._tracks[name] = track
        await track.start()
        return track

    async def close(self) -> RecordingSummary:
        self._closed = True
        summaries = await asyncio.gather(*(t.close() for t in self._tracks.values()))
        return RecordingSummary({s.name: s for s in summaries})

    def _audio_writer(self, directory: Path, name: str) -> SegmentWriter:
        return OpusSegmentWriter(
            directory, name, segment_s=self._segment_s, bitrate=self._audio_bitrate
        )

    def _video_writer(self, directory: Path, name: str) -> SegmentWriter:
        return Vp8SegmentWriter(directory, name, segment_s=self._segment_s)
