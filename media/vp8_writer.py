"""Video segments: VP8 frames from the pass-through decoder muxed into WebM as they came.

No decoding or encoding: each `av.Packet` (one VP8 frame, pts in 1/90000) is copied into a WebM
`libvpx` stream whose size comes from the last keyframe header. Only the first segment is
guaranteed to start with a keyframe; the others continue the same VP8 stream, so they play
once joined (`media.concat.concat_segments`), not on their own. A keyframe of a new size starts
a new segment so each file's header matches its pictures.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

from av.container import OutputContainer
from av.packet import Packet
from av.stream import Stream

from media.segment import Segment, SegmentWriter
from media.vp8 import keyframe_size

logger = logging.getLogger(__name__)

TIME_BASE = Fraction(1, 90_000)


class Vp8SegmentWriter(SegmentWriter):
    ext = ".webm"
    format_name = "webm"
    mode = "copy"
    # ms: a WebM cluster reaches the disk every second, so a killed process loses at most that.
    muxer_options = {"cluster_time_limit": "1000"}

    def __init__(self, directory: Path, name: str = "video", *, segment_s: float = 5.0) -> None:
        super().__init__(directory, name, segment_s=segment_s)
        self._size: tuple[int, int] | None = None
        self._base_pts: int | None = None
        self._first_pts: int | None = None
        self._last_pts: int | None = None
        self._resume_at: int | None = None  # pts for the next frame: a new source continues
        self.frames = 0
        self.keyframes = 0
        self.skipped = 0  # decoded frames (no pass-through) and frames before the first keyframe

    @property
    def duration_s(self) -> float:
        if self._first_pts is None or self._last_pts is None:
            return 0.0
        span = self._last_pts - self._first_pts
        frame_s = span / (self.frames - 1) if self.frames > 1 else 0  # one more frame's time
        return float((span + frame_s) * TIME_BASE)

    def _write_item(self, item: object, now: float, done: list[Segment]) -> None:
        if not isinstance(item, Packet) or item.pts is None:
            self.skipped += 1
            if self.skipped == 1:
                logger.warning(
                    "recorder %s: got %s, not VP8 packets: call media.passthrough.install() "
                    "before peers connect (and negotiate VP8); video is not recorded",
                    self.name,
                    type(item).__name__,
                )
            return
        data = bytes(item)
        size = keyframe_size(data)
        if self._size is None and size is None:
            self.skipped += 1  # cannot start a stream on an inter frame
            return
        if size is not None:
            if self._size is not None and size != self._size:
                self._close_segment(done)
            self._size = size
            self.keyframes += 1
        pts = item.pts
        if item.time_base is not None and item.time_base != TIME_BASE:
            pts = round(pts * item.time_base / TIME_BASE)
        if self._base_pts is None:
            self._base_pts = pts
        elif self._resume_at is not None:
            # A new connection numbers its frames afresh: place its first one where it arrived
            # on the track's clock, so the time away stays in the file (the last picture holds).
            self._base_pts = pts - max(self._resume_at, (self._last_pts or 0) + 1)
        self._resume_at = None
        pts -= self._base_pts
        if self._last_pts is not None and pts <= self._last_pts:
            self.skipped += 1
            return
        packet = Packet(data)
        packet.pts = packet.dts = pts
        packet.time_base = TIME_BASE
        packet.is_keyframe = size is not None
        self._mux(packet, now, done)
        if self._first_pts is None:
            self._first_pts = pts
        self._last_pts = pts
        self.frames += 1

    def _resume(self, media_s: float, now: float, done: list[Segment]) -> None:
        if self._base_pts is not None:
            self._resume_at = round(media_s / TIME_BASE)

    def _add_stream(self, container: OutputContainer) -> Stream:
        assert self._size is not None
        width, height = self._size
        return container.add_mux_stream("libvpx", width=width, height=height, time_base=TIME_BASE)
