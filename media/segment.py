"""One track on disk as a run of short, closed files, so a crash costs only the open one.

A `SegmentWriter` owns the PyAV containers of one track and is only ever called from a worker
thread (muxing and encoding stay off the event loop). Each segment is written as
`<dir>/<index:06d><ext>.part` and renamed to `<index:06d><ext>` once closed; the muxers flush
to the kernel at least once a second, so even the `.part` of a killed process is readable up to
about a second before the kill.

Next to the segments, `start.json` says when the track's media time zero was, in seconds after
the recorder started (the arrival of its first recorded item). Tracks recorded side by side
(the candidate, the interviewer, the video) line up by it, also after a crash.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import av
from av.container import OutputContainer
from av.packet import Packet
from av.stream import Stream

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"
_SEGMENT_NAME = re.compile(r"^(\d{6})(\.[a-z0-9]+)(\.part)?$")
START_FILE = "start.json"


@dataclass(frozen=True)
class Resume:
    """Queued before the first item of a new source of the same track (the candidate rejoined
    on a new connection): that item belongs at `media_s` on the track's timeline, and the
    time since the last item is a gap to keep (silence), not to cut."""

    media_s: float


@dataclass(frozen=True)
class Segment:
    """A closed, playable segment file of one track."""

    kind: str  # the track's name in the spool: "audio", "video"
    index: int
    path: Path
    start_s: float  # media time of the first packet, continuous across segments
    duration_s: float


def segment_path(directory: Path, index: int, ext: str) -> Path:
    return directory / f"{index:06d}{ext}"


def list_segments(directory: Path) -> list[Path]:
    """Segment files in `directory` (closed and `.part`) in recording order."""
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        match = _SEGMENT_NAME.match(entry.name)
        if match and entry.is_file():
            found.append((int(match.group(1)), entry.name, entry))
    return [path for _, _, path in sorted(found)]


def read_track_start(directory: Path) -> float | None:
    """The track's start offset saved by its writer, or None (none saved, or unreadable)."""
    try:
        value = json.loads((directory / START_FILE).read_text())["start_offset_s"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def _save_track_start(directory: Path, offset_s: float, *, replace: bool) -> bool:
    """Save the start; unless `replace`, keep one already there (a restarted writer continues
    the same track). Returns whether it was written."""
    path = directory / START_FILE
    if path.exists() and not replace:
        return False
    tmp = path.with_name(START_FILE + PART_SUFFIX)
    tmp.write_text(json.dumps({"start_offset_s": round(offset_s, 6)}))
    os.replace(tmp, path)
    return True


def next_index(directory: Path) -> int:
    """1 for an empty spool; after a restart, one past what is already there."""
    names = (_SEGMENT_NAME.match(p.name) for p in list_segments(directory))
    return max((int(m.group(1)) for m in names if m), default=0) + 1


class SegmentWriter(ABC):
    """Writes one track's packets into segments of at most `segment_s` wall seconds each.

    Subclasses turn input items (frames or packets) into packets via `_write_item`, which calls
    `_mux`. A lock serialises every call, so a `close()` arriving late from another thread
    waits for the write in progress rather than racing it.
    """

    ext: ClassVar[str]
    format_name: ClassVar[str]
    muxer_options: ClassVar[dict[str, str]] = {}
    mode: str | None = None  # "copy" (no codec work) or "encode", once known

    def __init__(self, directory: Path, name: str, *, segment_s: float = 5.0) -> None:
        self.directory = directory
        self.name = name
        self.segment_s = segment_s
        directory.mkdir(parents=True, exist_ok=True)
        self._index = next_index(directory)
        self._lock = threading.Lock()
        self._container: OutputContainer | None = None
        self._stream: Stream | None = None
        self._opened_at = 0.0
        self._seg_start_s: float | None = None
        self._seg_end_s = 0.0
        self._last_dts: tuple[int, tuple[int, int]] | None = None
        self._closed = False
        self.segments: list[Segment] = []
        self.packets = 0
        self.errors = 0
        self.cpu_s = 0.0  # worker-thread CPU spent in this writer
        self.items = 0
        # Set by the event-loop side before the first item is handed over (see `start.json`).
        self.start_offset_s: float | None = None
        self._saved_start: float | None = None

    # Called from the worker thread ------------------------------------------------------------

    def write(self, items: Sequence[object], now: float) -> list[Segment]:
        """Write `items`, close the segment if it is due; returns the segments closed."""
        with self._lock:
            if self._closed:
                return []
            started = time.thread_time()
            done: list[Segment] = []
            start = self.start_offset_s
            if start is not None and (self._saved_start is None or start < self._saved_start):
                # Rare: once, then when the estimate improves (see TrackRecorder._anchor).
                first = self._saved_start is None
                try:
                    written = _save_track_start(self.directory, start, replace=not first)
                except OSError as exc:
                    self._count_error(exc)
                    written = True  # retried only if the estimate improves again
                # A start left by an earlier writer stands: never replace it (-inf).
                self._saved_start = start - 0.0005 if written else float("-inf")
            for item in items:
                self.items += 1
                try:
                    if isinstance(item, Resume):
                        self._resume(item.media_s, now, done)
                    else:
                        self._write_item(item, now, done)
                except av.FFmpegError as exc:
                    self._count_error(exc)
            if self._due(now):
                self._close_segment(done)
            self.cpu_s += time.thread_time() - started
            return done

    def close(self) -> list[Segment]:
        """Flush what the codec holds and close the last segment (idempotent)."""
        with self._lock:
            if self._closed:
                return []
            started = time.thread_time()
            done: list[Segment] = []
            try:
                self._finish(done)
            except av.FFmpegError as exc:
                self._count_error(exc)
            self._close_segment(done)
            self._closed = True
            self.cpu_s += time.thread_time() - started
            return done

    def rotation_due(self, now: float) -> bool:
        """Cheap check the event loop may make without the lock (a stale answer is harmless)."""
        return self._container is not None and now - self._opened_at >= self.segment_s

    # For subclasses -------------------------------------------------------------------------

    @property
    @abstractmethod
    def duration_s(self) -> float:
        """Media time written so far."""

    @abstractmethod
    def _write_item(self, item: object, now: float, done: list[Segment]) -> None: ...

    @abstractmethod
    def _add_stream(self, container: OutputContainer) -> Stream: ...

    @abstractmethod
    def _resume(self, media_s: float, now: float, done: list[Segment]) -> None:
        """A new source continues the track: its next item goes at `media_s` (see Resume)."""

    def _finish(self, done: list[Segment]) -> None:  # noqa: B027 - optional hook
        """Drain codec state into the last segment before it closes."""

    def _mux(self, packet: Packet, now: float, done: list[Segment]) -> None:
        if packet.dts is None or packet.pts is None:
            return
        if self._container is not None and self._due(now):
            self._close_segment(done)
        if self._container is None:
            self._open_segment(now)
        assert self._container is not None and self._stream is not None
        # Plain int arithmetic: Fraction maths was most of the per-packet cost.
        num, den = packet.time_base.numerator, packet.time_base.denominator
        if self._last_dts is not None:
            last_dts, last_base = self._last_dts
            if last_base == (num, den) and packet.dts <= last_dts:
                self.errors += 1  # a muxer refuses non-increasing dts; drop the duplicate
                return
        self._last_dts = (packet.dts, (num, den))
        start_s = packet.pts * num / den
        end_s = (packet.pts + (packet.duration or 0)) * num / den
        packet.stream = self._stream
        self._container.mux(packet)
        self.packets += 1
        if self._seg_start_s is None:
            self._seg_start_s = start_s
        self._seg_end_s = max(self._seg_end_s, end_s, start_s)

    def _close_segment(self, done: list[Segment]) -> None:
        container, self._container = self._container, None
        self._stream = None
        if container is None:
            return
        part = self._part_path()
        try:
            container.close()
        except av.FFmpegError as exc:
            self._count_error(exc)
        final = segment_path(self.directory, self._index, self.ext)
        try:
            os.replace(part, final)
        except OSError as exc:  # keep the .part name: recovery reads those too
            self._count_error(exc)
            final = part
        start = self._seg_start_s or 0.0
        segment = Segment(self.name, self._index, final, start, self._seg_end_s - start)
        self.segments.append(segment)
        done.append(segment)
        self._index += 1
        self._seg_start_s = None

    # Internals ------------------------------------------------------------------------------

    def _open_segment(self, now: float) -> None:
        options = dict(self.muxer_options, flush_packets="1")
        self._container = av.open(
            str(self._part_path()), "w", format=self.format_name, container_options=options
        )
        self._stream = self._add_stream(self._container)
        self._opened_at = now

    def _part_path(self) -> Path:
        path = segment_path(self.directory, self._index, self.ext)
        return path.with_name(path.name + PART_SUFFIX)

    def _due(self, now: float) -> bool:
        return self._container is not None and now - self._opened_at >= self.segment_s

    def _count_error(self, exc: Exception) -> None:
        self.errors += 1
        if self.errors == 1:
            logger.warning("recorder %s: %s (further errors only counted)", self.name, exc)
