"""One playable file from the recorded picture and the mixed sound: WebM with VP8 + Opus.

Remux only: the VP8 packets are copied as recorded and the Opus packets as the mixer encoded
them (no decoding, no encoding), interleaved by time so the muxer never holds a stream back.
Each input is moved by its offset on the interview's timeline; blocking file work, so call it
via `asyncio.to_thread`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.container import InputContainer
from av.packet import Packet
from av.stream import Stream

# An Opus stream starts a few ms before zero (its pre-skip, dropped by the decoder): keep that.
PRE_ROLL_S = 0.08


class NothingToRemux(Exception):
    """An input had no readable stream of the kind needed."""


@dataclass(frozen=True)
class RemuxResult:
    path: Path
    video_packets: int
    audio_packets: int
    duration_s: float


def _packets(
    container: InputContainer, stream: Stream, offset_s: float, order: int
) -> Iterator[tuple[float, int, Packet]]:
    """(time in seconds, tie-break, packet) with pts/dts moved by `offset_s`."""
    time_base = stream.time_base or Fraction(1, 1000)
    shift = round(offset_s / time_base)
    for packet in container.demux(stream):
        if packet.dts is None or packet.pts is None or packet.is_corrupt:
            continue
        packet.pts += shift
        packet.dts += shift
        yield float(packet.dts * time_base), order, packet


def mux_webm(
    video_path: Path | str,
    audio_path: Path | str,
    out_path: Path | str,
    *,
    video_offset_s: float = 0.0,
    audio_offset_s: float = 0.0,
) -> RemuxResult:
    """Write `out_path` (WebM) with the video of `video_path` and the audio of `audio_path`."""
    out = Path(out_path)
    with av.open(str(video_path)) as vin, av.open(str(audio_path)) as ain:
        if not vin.streams.video or not ain.streams.audio:
            raise NothingToRemux(f"need video in {video_path} and audio in {audio_path}")
        vsrc, asrc = vin.streams.video[0], ain.streams.audio[0]
        counts = {"video": 0, "audio": 0}
        end_s = 0.0
        with av.open(str(out), "w", format="webm") as container:
            targets = {
                "video": container.add_stream_from_template(vsrc),
                "audio": container.add_stream_from_template(asrc),
            }
            merged = heapq.merge(
                _packets(vin, vsrc, video_offset_s, 0),
                _packets(ain, asrc, audio_offset_s, 1),
                key=lambda item: (item[0], item[1]),
            )
            for at_s, _, packet in merged:
                kind = packet.stream.type
                if at_s < -PRE_ROLL_S:
                    continue  # before the interview's time zero
                duration_s = float((packet.duration or 0) * packet.time_base)
                packet.stream = targets[kind]
                container.mux(packet)
                counts[kind] += 1
                end_s = max(end_s, at_s + duration_s)
    return RemuxResult(out, counts["video"], counts["audio"], end_s)
