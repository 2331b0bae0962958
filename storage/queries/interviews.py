"""Interview records: creation, ownership-checked reads, status changes, soft delete, and the
writes a live session makes (start, phase, question, ending, recording)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import IllegalTransition, LimitExceeded, NotFound, ReadOnly
from storage.lifecycle import TERMINAL, can_transition
from storage.models import CanvasSnapshot, Interview, Transcription, utcnow

USER_METADATA_MAX_KEYS = 32
USER_METADATA_MAX_BYTES = 4096
# What the server writes into `Interview.metadata_`; shown alongside the user's keys.
SERVER_METADATA_KEYS = frozenset({"end_reason", "end_detail", "recording", "paid_with"})


@dataclass(frozen=True)
class RecordedTrack:
    """One finished track of an interview's recording, as stored in the object store."""

    key: str
    duration_s: float


@dataclass(frozen=True)
class InterviewStats:
    transcript_count: int
    snapshot_count: int


async def create_interview(
    s: AsyncSession,
    user_id: str,
    *,
    type: str,
    role: str,
    level: str,
    company: str,
    length_minutes: int = 45,
    question_id: str | None = None,
    question_text: str | None = None,
) -> Interview:
    row = Interview(
        user_id=user_id,
        type=type,
        role=role,
        level=level,
        company=company,
        length_minutes=length_minutes,
        question_id=question_id,
        question_text=question_text,
        status="scheduled",
        canvas_snapshot_count=0,
    )
    s.add(row)
    await s.flush()
    return row


async def get_interview(s: AsyncSession, interview_id: str, user_id: str) -> Interview:
    """The caller's own, not deleted interview; anyone else's id is simply not found."""
    row = await s.scalar(
        select(Interview).where(
            Interview.id == interview_id,
            Interview.user_id == user_id,
            Interview.deleted_at.is_(None),
        )
    )
    if row is None:
        raise NotFound("interview", interview_id)
    return row


async def list_interviews(
    s: AsyncSession, user_id: str, *, limit: int, offset: int
) -> tuple[list[Interview], int]:
    visible = (Interview.user_id == user_id, Interview.deleted_at.is_(None))
    total = await s.scalar(select(func.count()).select_from(Interview).where(*visible))
    rows = await s.scalars(
        select(Interview)
        .where(*visible)
        .order_by(Interview.created_at.desc(), Interview.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def count_owned(s: AsyncSession, user_id: str, interview_ids: list[str]) -> int:
    """How many of `interview_ids` belong to `user_id` (e.g. of the live ones)."""
    if not interview_ids:
        return 0
    total = await s.scalar(
        select(func.count())
        .select_from(Interview)
        .where(Interview.user_id == user_id, Interview.id.in_(interview_ids))
    )
    return int(total or 0)


async def interview_stats(s: AsyncSession, interview_id: str) -> InterviewStats:
    transcripts = await s.scalar(
        select(func.count())
        .select_from(Transcription)
        .where(Transcription.interview_id == interview_id)
    )
    snapshots = await s.scalar(
        select(func.count())
        .select_from(CanvasSnapshot)
        .where(CanvasSnapshot.interview_id == interview_id)
    )
    return InterviewStats(int(transcripts or 0), int(snapshots or 0))


def apply_status(row: Interview, status: str) -> None:
    """Move `row` to `status`, filling the timestamps and duration the change implies.

    `completed_at` records when the interview ended, whichever terminal state it reached.
    """
    if not can_transition(row.status, status):
        raise IllegalTransition(row.status, status)
    now = utcnow()
    row.status = status
    if status == "in_progress" and row.started_at is None:
        row.started_at = now
    if status in TERMINAL:
        row.completed_at = now
        if row.started_at is not None:
            row.duration_seconds = max(0, int((now - row.started_at).total_seconds()))


async def update_status(
    s: AsyncSession,
    interview_id: str,
    user_id: str,
    *,
    status: str | None = None,
    phase: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Interview:
    """The client's changes. A finished interview is read-only; server-owned fields
    (`metadata_`, `session_state`) are never touched here: `metadata` goes to `user_metadata`."""
    row = await get_interview(s, interview_id, user_id)
    if row.status in TERMINAL:
        if status is not None:
            raise IllegalTransition(row.status, status)
        raise ReadOnly(f"interview {interview_id!r} is {row.status} and can no longer change")
    if metadata is not None:
        row.user_metadata = merged_user_metadata(row.user_metadata, metadata)
    if status is not None:
        apply_status(row, status)
    if phase is not None:
        row.current_phase = phase
    await s.flush()
    return row


def merged_user_metadata(current: dict[str, Any] | None, patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` over `current` (a null value removes its key), within the caps."""
    merged = dict(current or {})
    for key, value in patch.items():
        if key in SERVER_METADATA_KEYS:
            raise LimitExceeded(f"metadata.{key}: reserved for the server")
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > USER_METADATA_MAX_KEYS:
        raise LimitExceeded(f"metadata: at most {USER_METADATA_MAX_KEYS} keys")
    size = len(json.dumps(merged, separators=(",", ":")).encode())
    if size > USER_METADATA_MAX_BYTES:
        raise LimitExceeded(f"metadata: at most {USER_METADATA_MAX_BYTES} bytes of JSON")
    return merged


async def soft_delete_interview(s: AsyncSession, interview_id: str, user_id: str) -> None:
    row = await get_interview(s, interview_id, user_id)
    row.deleted_at = utcnow()
    await s.flush()


async def record_phase(
    s: AsyncSession, interview_id: str, phase: str, state: dict[str, Any] | None
) -> None:
    """Write the live interview's phase (and the agent's state) as the session reports it."""
    row = await s.get(Interview, interview_id)
    if row is None:
        raise NotFound("interview", interview_id)
    if row.current_phase != phase:  # when each phase began, for the replay's timeline
        times = list((row.metadata_ or {}).get("phases") or [])
        times.append({"phase": phase, "at": utcnow().isoformat()})
        row.metadata_ = {**(row.metadata_ or {}), "phases": times[-20:]}
    row.current_phase = phase
    if state is not None:
        row.session_state = {**(row.session_state or {}), **state}
    await s.flush()


async def record_question(s: AsyncSession, interview_id: str, question_id: str, text: str) -> None:
    row = await s.get(Interview, interview_id)
    if row is None:
        raise NotFound("interview", interview_id)
    row.question_id = question_id
    row.question_text = text
    await s.flush()


async def mark_started(s: AsyncSession, interview_id: str, first_phase: str) -> bool:
    """A peer connected: a scheduled interview is now in progress, at its first phase.

    A reconnect to an interview already in progress keeps its status and phase.
    """
    row = await s.get(Interview, interview_id)
    if row is None:
        return False
    if row.status == "scheduled":
        apply_status(row, "in_progress")
    row.current_phase = row.current_phase or first_phase
    await s.flush()
    return True


async def end_interview(
    s: AsyncSession,
    interview_id: str,
    status: str,
    *,
    reason: str,
    detail: str | None = None,
    final_phase: str | None = None,
) -> bool:
    """Move the interview to the terminal `status`, noting why in its metadata (`end_reason`,
    and `end_detail` when there is free text). False, and nothing written, when it is gone,
    already ended, or cannot reach `status` from where it is."""
    row = await s.get(Interview, interview_id)
    if row is None or row.status in TERMINAL or not can_transition(row.status, status):
        return False
    apply_status(row, status)
    ending: dict[str, Any] = {"end_reason": reason}
    if detail is not None:
        ending["end_detail"] = detail
    row.metadata_ = {**(row.metadata_ or {}), **ending}
    if final_phase is not None:
        row.current_phase = final_phase
    await s.flush()
    return True


async def mark_abandoned_after_restart(s: AsyncSession, interview_id: str, *, reason: str) -> bool:
    """The process stopped during this interview's call: if it was still in progress, it was
    cut off. A scheduled or ended interview is left as it is."""
    row = await s.get(Interview, interview_id)
    if row is None or row.status != "in_progress":
        return False
    return await end_interview(s, interview_id, "abandoned", reason=reason)


async def record_recording(
    s: AsyncSession, interview_id: str, tracks: Mapping[str, RecordedTrack]
) -> bool:
    """Store where the finished recording is and how long each file lasts; the interview's
    duration comes from the recording when the status change did not set one. An empty mapping
    still marks the recording as finished (nothing was recorded)."""
    row = await s.get(Interview, interview_id)
    if row is None:
        return False
    if "audio" in tracks:
        row.audio_key = tracks["audio"].key
    if "video" in tracks:
        row.video_key = tracks["video"].key
    # Every file by what it holds: "audio" (both voices mixed), "video", "interview" (video with
    # the mix), "candidate" and "interviewer" (the voice stems).
    row.recording_keys = {name: t.key for name, t in tracks.items()}
    recording = {name: {"duration_s": round(t.duration_s, 3)} for name, t in tracks.items()}
    row.metadata_ = {**(row.metadata_ or {}), "recording": recording}
    if row.duration_seconds is None and tracks:
        row.duration_seconds = round(max(t.duration_s for t in tracks.values()))
    await s.flush()
    return True


async def record_transcript_key(s: AsyncSession, interview_id: str, key: str) -> bool:
    """Note where the exported transcript is stored."""
    row = await s.get(Interview, interview_id)
    if row is None:
        return False
    row.transcript_key = key
    await s.flush()
    return True


async def record_payment_method(s: AsyncSession, row: Interview, paid_with: str) -> None:
    """How a premium interview was paid for ("subscription" | "credit"): a server-owned field."""
    row.metadata_ = {**(row.metadata_ or {}), "paid_with": paid_with}
    await s.flush()
