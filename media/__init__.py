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

    voice.add_sink(await recorder.add_track("audio", name=INTERVIEWER_TRACK))  # record both sides

`concat_segments`, `recover_spool`, `compose_recording` (the finished files: both voices
mixed, stems, video, picture + sound), `mix_to_ogg` and `mux_webm` block (file I/O, codec
work): call them via asyncio.to_thread.
"""

from media.compose import INTERVIEWER_TRACK, ComposedFile, Composition, compose_recording
from media.concat import ConcatResult, EmptyRecording, concat_segments, recover_spool
from media.fanout import Fanout, FrameSink
from media.mixer import MixInput, MixResult, NothingToMix, mix_to_ogg
from media.playout import AgentAudioTrack
from media.recorder import (
    Recorder,
    RecorderError,
    RecordingSummary,
    SegmentCallback,
    TrackRecorder,
    TrackSummary,
)
from media.remux import RemuxResult, mux_webm
from media.resample import Resampler
from media.segment import Segment, list_segments

__all__ = [
    "INTERVIEWER_TRACK",
    "AgentAudioTrack",
    "ComposedFile",
    "Composition",
    "ConcatResult",
    "EmptyRecording",
    "Fanout",
    "FrameSink",
    "MixInput",
    "MixResult",
    "NothingToMix",
    "Recorder",
    "RecorderError",
    "RecordingSummary",
    "RemuxResult",
    "Resampler",
    "Segment",
    "SegmentCallback",
    "TrackRecorder",
    "TrackSummary",
    "compose_recording",
    "concat_segments",
    "list_segments",
    "mix_to_ogg",
    "mux_webm",
    "recover_spool",
]
