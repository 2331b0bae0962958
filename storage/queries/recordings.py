"""Where an interview's finished recording is stored, written once it is."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Interview

# Files that keep their own column (older readers use them); every file is in recording_keys.
KEY_COLUMNS = {"audio": "audio_key", "video": "video_key"}


async def save_recording(
    s: AsyncSession, interview_id: str, files: Mapping[str, tuple[str, float]]
) -> None:
    """Store `files` (name → (object key, duration_s)) on the interview.

    Names are what the file holds: "audio" (both voices mixed), "video", "interview" (video with
    the mixed sound), "candidate" and "interviewer" (the voices alone). An empty mapping still
    marks the recording as finished (nothing was recorded). A deleted interview is ignored.
    """
    row = await s.get(Interview, interview_id)
    if row is None:
        return
    for name, column in KEY_COLUMNS.items():
        if name in files:
            setattr(row, column, files[name][0])
    row.recording_keys = {name: key for name, (key, _) in files.items()}
    durations = {name: {"duration_s": round(seconds, 3)} for name, (_, seconds) in files.items()}
    row.metadata_ = {**(row.metadata_ or {}), "recording": durations}
    if row.duration_seconds is None and files:
        row.duration_seconds = round(max(seconds for _, seconds in files.values()))
    await s.flush()
