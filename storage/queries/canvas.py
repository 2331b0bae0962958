"""Whiteboard snapshots and the expert reviews of them.

A snapshot row and the interview's `canvas_snapshot_count` change in one transaction, so
the count and the list always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import CanvasSnapshot, ExpertReview, Interview, utcnow


@dataclass(frozen=True)
class NewSnapshot:
    object_key: str
    elements: list[Any]
    app_state: dict[str, Any] | None
    offset_s: float | None
    width: int
    height: int
    sha256: str
    scene_hash: str
    timestamp: datetime | None = None


def snapshot_key(interview_id: str, seq: int) -> str:
    return f"interviews/{interview_id}/canvas/{seq}.png"


async def next_seq(s: AsyncSession, interview_id: str) -> int:
    last = await s.scalar(
        select(func.max(CanvasSnapshot.seq)).where(CanvasSnapshot.interview_id == interview_id)
    )
    return (last or 0) + 1


async def add_snapshot(
    s: AsyncSession, interview_id: str, seq: int, snap: NewSnapshot
) -> CanvasSnapshot:
    row = CanvasSnapshot(
        interview_id=interview_id,
        seq=seq,
        object_key=snap.object_key,
        elements=snap.elements,
        app_state=snap.app_state,
        offset_s=snap.offset_s,
        width=snap.width,
        height=snap.height,
        sha256=snap.sha256,
        scene_hash=snap.scene_hash,
        timestamp=snap.timestamp or utcnow(),
    )
    s.add(row)
    await s.execute(
        update(Interview)
        .where(Interview.id == interview_id)
        .values(canvas_snapshot_count=Interview.canvas_snapshot_count + 1)
    )
    await s.flush()
    return row


async def list_snapshots(s: AsyncSession, interview_id: str) -> list[CanvasSnapshot]:
    rows = await s.scalars(
        select(CanvasSnapshot)
        .where(CanvasSnapshot.interview_id == interview_id)
        .order_by(CanvasSnapshot.seq)
    )
    return list(rows)


async def get_snapshot(s: AsyncSession, interview_id: str, seq: int) -> CanvasSnapshot:
    row = await s.scalar(
        select(CanvasSnapshot).where(
            CanvasSnapshot.interview_id == interview_id, CanvasSnapshot.seq == seq
        )
    )
    if row is None:
        raise NotFound("canvas snapshot", str(seq))
    return row


async def latest_snapshot(s: AsyncSession, interview_id: str) -> CanvasSnapshot | None:
    return await s.scalar(
        select(CanvasSnapshot)
        .where(CanvasSnapshot.interview_id == interview_id)
        .order_by(CanvasSnapshot.seq.desc())
        .limit(1)
    )


async def add_review(
    s: AsyncSession,
    interview_id: str,
    *,
    company: str,
    expert: str,
    question: str,
    snapshot_seq: int | None,
    review: dict[str, Any],
) -> ExpertReview:
    row = ExpertReview(
        interview_id=interview_id,
        company=company,
        expert=expert[:200],
        question=question,
        snapshot_seq=snapshot_seq,
        review=review,
    )
    s.add(row)
    await s.flush()
    return row


async def list_reviews(s: AsyncSession, interview_id: str) -> list[ExpertReview]:
    rows = await s.scalars(
        select(ExpertReview)
        .where(ExpertReview.interview_id == interview_id)
        .order_by(ExpertReview.created_at, ExpertReview.id)
    )
    return list(rows)
