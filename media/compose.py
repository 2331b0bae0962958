"""The finished recording of an interview, from its spool: both voices, the picture, one player.

A recorder spool holds the candidate's audio (`audio/`), the interviewer's outbound audio
(`interviewer/`) and the camera (`video/`), each with the `start.json` that places it on the
session's clock. From them (or what a crash left of them) this makes:

- `audio.ogg`: both voices mixed (`media.mixer`: decoded, lined up, summed, encoded once);
- `audio.candidate.ogg`, `audio.interviewer.ogg`: each voice as recorded (stems, for the
  evaluator; remuxed, not re-encoded);
- `video.webm`: the camera as recorded;
- `interview.webm`: the camera with the mixed sound (`media.remux`), the one file to replay.

Time zero of the mixed audio and of `interview.webm` is the earliest start of any track. A step
that fails leaves the others standing: a mix that cannot be made falls back to the
candidate's own audio, so the recording is never lost over it. Blocking: call it via
`asyncio.to_thread` (it costs about a second of CPU per minute of interview).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from media.concat import recover_spool
from media.mixer import MixInput, mix_to_ogg
from media.remux import mux_webm
from media.segment import read_track_start

logger = logging.getLogger(__name__)

# Track names in the spool (the recorder's `add_track(name=...)`).
CANDIDATE_TRACK = "audio"
INTERVIEWER_TRACK = "interviewer"
VIDEO_TRACK = "video"

# Names of the finished files, by what they hold.
OUTPUT_NAMES = {
    "audio": "audio.ogg",  # the mix
    "candidate": "audio.candidate.ogg",
    "interviewer": "audio.interviewer.ogg",
    "video": "video.webm",
    "interview": "interview.webm",
}


@dataclass(frozen=True)
class ComposedFile:
    path: Path
    duration_s: float
    offset_s: float = 0.0  # where it starts on the interview's timeline (stems, video)


Composition = dict[str, ComposedFile]  # by OUTPUT_NAMES key


def compose_recording(spool_dir: Path | str, out_dir: Path | str) -> Composition:
    """Make the finished files of the spool in `out_dir`; returns those that exist."""
    spool, out = Path(spool_dir), Path(out_dir)
    joined = recover_spool(spool, out)  # out/audio.ogg, out/interviewer.ogg, out/video.webm
    starts = {track: read_track_start(spool / track) or 0.0 for track in joined}
    zero = min(starts.values(), default=0.0)
    done: Composition = {}
    for track, name in ((CANDIDATE_TRACK, "candidate"), (INTERVIEWER_TRACK, "interviewer")):
        if track in joined:
            stem = out / OUTPUT_NAMES[name]
            os.replace(joined[track].path, stem)
            done[name] = ComposedFile(stem, joined[track].duration_s, starts[track] - zero)
    if VIDEO_TRACK in joined:
        video = joined[VIDEO_TRACK]
        done["video"] = ComposedFile(video.path, video.duration_s, starts[VIDEO_TRACK] - zero)
    voices = [done[name] for name in ("candidate", "interviewer") if name in done]
    if voices:
        mixed = out / OUTPUT_NAMES["audio"]
        try:
            result = mix_to_ogg([MixInput(v.path, v.offset_s) for v in voices], mixed)
            done["audio"] = ComposedFile(mixed, result.duration_s)
            logger.info(
                "voices mixed",
                extra={"duration_s": round(result.duration_s, 1), "cpu_s": round(result.cpu_s, 2)},
            )
        except Exception:
            logger.exception("mixing the voices failed; keeping the candidate's audio alone")
            if "candidate" in done:
                done["audio"] = done["candidate"]
    if "video" in done and "audio" in done:
        combined = out / OUTPUT_NAMES["interview"]
        try:
            muxed = mux_webm(
                done["video"].path,
                done["audio"].path,
                combined,
                video_offset_s=done["video"].offset_s,
                audio_offset_s=done["audio"].offset_s,
            )
            done["interview"] = ComposedFile(combined, muxed.duration_s)
        except Exception:
            logger.exception("joining picture and sound failed; keeping them apart")
            combined.unlink(missing_ok=True)
    return done
