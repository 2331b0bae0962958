"""Real-time media for one interview: fan-out, 16 kHz resampling, agent playout, recording.

Imports none of the other project packages; the server wires them per session, e.g.:

    passthrough.install()                        # once, before any RTCPeerConnection
                                                 # (the server: in server/patches.py)
    recorder = Recorder(spool_dir, on_segment=upload_later)   # (kind, index, path), non-blocking
    ears, voice = Resampler(chunk_ms=20), AgentAudioTrack()   # voice.feed(pcm24k) / voice.flush()

    @pc.on("track")
    def on_track(track):
        if track.kind == "audio":
            pc.addTrack(voice)                   # synchronously: the answer must include it
        asyncio.ensure_future(attach(track))     # recorder.add_track + Fanout(track, sinks)

`concat_segments` and `recover_spool` block (file I/O, remux): call them via asyncio.to_thread.
"""

from media.concat import ConcatResult, EmptyRecording, concat_segments, recover_spool
from media.fanout import Fanout, FrameSink
from media.playout import AgentAudioTrack
from media.recorder import (
    Recorder,
    RecorderError,
    RecordingSummary,
    SegmentCallback,
    TrackRecorder,
    TrackSummary,
)
from media.resample import Resampler
from media.segment import Segment, list_segments

__all__ = [
    "AgentAudioTrack",
    "ConcatResult",
    "EmptyRecording",
    "Fanout",
    "FrameSink",
    "Recorder",
    "RecorderError",
    "RecordingSummary",
    "Resampler",
    "Segment",
    "SegmentCallback",
    "TrackRecorder",
    "TrackSummary",
    "concat_segments",
    "list_segments",
    "recover_spool",
]
