"""Join a track's segments into one playable file, and salvage what a crash left in a spool.

Remux only (no decoding): packets are copied with their timestamps, which the writers keep
continuous across segments. Segments that restart their clock (e.g. recorded after a server
restart) are moved to just after the previous one. A truncated file yields every packet before
the damage; a file whose header never reached the disk is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.container import InputContainer, OutputContainer
from av.stream import Stream

from media.segment import PART_SUFFIX, list_segments

logger = logging.getLogger(__name__)


class EmptyRecording(Exception):
    """None of the given segments held a readable packet."""


@dataclass(frozen=True)
class ConcatResult:
    path: Path
    packets: int
    duration_s: float
    segments_read: int
    segments_unreadable: int
    segments_truncated: int
    packets_skipped: int


class _Joiner:
    """Accumulates packets from successive segments into one output container."""

    def __init__(self, out_path: Path) -> None:
        self.out_path = out_path
        self.out: OutputContainer | None = None
        self.stream: Stream | None = None
        self.time_base: Fraction | None = None
        self.is_video = False
        self.first_pts: int | None = None
        self.end: int | None = None  # pts just after the last packet written
        self.last_dts: int | None = None
        self.last_step = 0
        self.packets = 0
        self.skipped = 0

    def add_segment(self, container: InputContainer) -> None:
        stream = container.streams[0]
        shift: int | None = None
        for packet in container.demux(stream):
            if packet.dts is None or packet.pts is None or packet.is_corrupt:
                continue  # flush markers, damaged tail
            if self.out is None:
                self._open(stream)
            assert self.time_base is not None
            if self.is_video and self.packets == 0 and not packet.is_keyframe:
                self.skipped += 1  # a decoder cannot start on an inter frame
                continue
            pts = self._rescale(packet.pts, packet.time_base)
            dts = self._rescale(packet.dts, packet.time_base)
            duration = self._rescale(packet.duration or 0, packet.time_base)
            if shift is None:
                # The first packet of a segment decides: keep its clock if it runs on from the
                # previous segment (gaps stay gaps), else move the whole segment just past it.
                nominal_end = self._nominal_end()
                restarted = self.last_dts is not None and dts <= self.last_dts
                shift = nominal_end - dts if restarted and nominal_end is not None else 0
            pts, dts = pts + shift, dts + shift
            if self.last_dts is not None and dts <= self.last_dts:
                self.skipped += 1
                continue
            packet.pts, packet.dts = pts, dts
            packet.time_base = self.time_base
            assert self.out is not None and self.stream is not None
            packet.stream = self.stream
            self.out.mux(packet)
            self.packets += 1
            if self.first_pts is None:
                self.first_pts = pts
            if self.last_dts is not None:
                self.last_step = dts - self.last_dts
            self.last_dts = dts
            self.end = pts + duration if self.end is None else max(self.end, pts + duration)

    def close(self) -> None:
        if self.out is not None:
            self.out.close()

    @property
    def duration_s(self) -> float:
        if self.first_pts is None or self.end is None or self.time_base is None:
            return 0.0
        end = self.end if self.end > (self.last_dts or 0) else self.end + self.last_step
        return float((end - self.first_pts) * self.time_base)

    def _nominal_end(self) -> int | None:
        if self.end is None:
            return None
        # Video packets may carry no duration: count one frame interval after the last one.
        return self.end if self.end > (self.last_dts or 0) else self.end + max(self.last_step, 1)

    def _open(self, template: Stream) -> None:
        self.out = av.open(str(self.out_path), "w")
        self.stream = self.out.add_stream_from_template(template)
        self.time_base = template.time_base
        self.is_video = template.type == "video"

    def _rescale(self, value: int, time_base: Fraction | None) -> int:
        if time_base is None or time_base == self.time_base:
            return value
        assert self.time_base is not None
        return round(value * time_base / self.time_base)


def concat_segments(paths: Sequence[Path | str], out_path: Path | str) -> ConcatResult:
    """Remux the segments of one track (in order) into `out_path` (.ogg or .webm).

    Reads `.part` files and damaged files as far as they go. Raises `EmptyRecording` if
    nothing was readable (and then leaves no output file).
    """
    out = Path(out_path)
    joiner = _Joiner(out)
    read = unreadable = truncated = 0
    try:
        for path in paths:
            try:
                container = av.open(str(path))
            except (av.FFmpegError, OSError) as exc:
                unreadable += 1
                logger.warning("skipping unreadable segment %s: %s", path, exc)
                continue
            with container:
                if not container.streams:
                    unreadable += 1
                    continue
                read += 1
                try:
                    joiner.add_segment(container)
                except av.FFmpegError as exc:  # damaged or cut short: keep what came before
                    truncated += 1
                    logger.warning("segment %s ends early: %s", path, exc)
    finally:
        joiner.close()
    if joiner.packets == 0:
        out.unlink(missing_ok=True)
        raise EmptyRecording(f"no readable packets in {len(paths)} segments for {out}")
    return ConcatResult(
        path=out,
        packets=joiner.packets,
        duration_s=joiner.duration_s,
        segments_read=read,
        segments_unreadable=unreadable,
        segments_truncated=truncated,
        packets_skipped=joiner.skipped,
    )


def recover_spool(spool_dir: Path | str, out_dir: Path | str) -> dict[str, ConcatResult]:
    """Join every track a (possibly crashed) recorder left in `spool_dir` into `out_dir`.

    Produces `out_dir/<track><ext>` (e.g. `audio.ogg`, `video.webm`) for each track with any
    readable packet, including the half-written last segment of a killed process.
    """
    spool, out = Path(spool_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, ConcatResult] = {}
    for track_dir in sorted(p for p in spool.iterdir() if p.is_dir()):
        segments = list_segments(track_dir)
        if not segments:
            continue
        ext = segments[0].name.removesuffix(PART_SUFFIX)[6:]  # "000001.ogg" -> ".ogg"
        try:
            results[track_dir.name] = concat_segments(segments, out / f"{track_dir.name}{ext}")
        except EmptyRecording as exc:
            logger.warning("nothing to recover: %s", exc)
    return results
