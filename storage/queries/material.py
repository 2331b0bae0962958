"""What an interview left behind for its feedback and replay: transcript rows, whiteboard
snapshots, code submissions (and code snapshots, when that table exists), in time order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models
from storage.models import CanvasSnapshot, CodingQuestion, CodingSubmission, Transcription


@dataclass
class Material:
    transcript: list[Transcription] = field(default_factory=list)
    snapshots: list[CanvasSnapshot] = field(default_factory=list)
    submissions: list[tuple[CodingSubmission, str]] = field(default_factory=list)  # + slug
    code_snapshots: list[Any] = field(default_factory=list)


async def load_material(s: AsyncSession, interview_id: str, *, max_rows: int = 5000) -> Material:
    transcript = await s.scalars(
        select(Transcription)
        .where(Transcription.interview_id == interview_id, Transcription.is_final.is_(True))
        .order_by(Transcription.seq)
        .limit(max_rows)
    )
    snapshots = await s.scalars(
        select(CanvasSnapshot)
        .where(CanvasSnapshot.interview_id == interview_id)
        .order_by(CanvasSnapshot.seq)
        .limit(500)
    )
    submissions = await s.execute(
        select(CodingSubmission, CodingQuestion.slug)
        .join(CodingQuestion, CodingQuestion.id == CodingSubmission.question_id)
        .where(CodingSubmission.interview_id == interview_id)
        .order_by(CodingSubmission.created_at)
        .limit(500)
    )
    return Material(
        transcript=list(transcript),
        snapshots=list(snapshots),
        submissions=[(row, slug) for row, slug in submissions.all()],
        code_snapshots=await load_code_snapshots(s, interview_id),
    )


async def load_code_snapshots(s: AsyncSession, interview_id: str) -> list[Any]:
    """Code snapshots arrive with the coding-room work (`storage.models.CodeSnapshot`: id,
    language, code, created_at); until then there are none."""
    model = getattr(models, "CodeSnapshot", None)
    if model is None:
        return []
    rows = await s.scalars(
        select(model).where(model.interview_id == interview_id).order_by(model.id).limit(2000)
    )
    return list(rows)
