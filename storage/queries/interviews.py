"""Interview records: creation, ownership-checked reads, status changes, soft delete."""

from __future__ import annotations

import json
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
SERVER_METADATA_KEYS = frozenset({"end_reason", "recording"})


@dataclass(frozen=True)
class InterviewStats:
    transcript_count: int
    snapshot_count: int


async def create_interview(
    s: AsyncSession, user_id: str, *, type: str, role: str, level: str, company: str
) -> Interview:
    row = Interview(
        user_id=user_id,
        type=type,
        role=role,
        level=level,
        company=company,
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
