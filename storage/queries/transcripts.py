"""Transcript rows: appended as they become final, read back in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Transcription


@dataclass(frozen=True)
class NewRow:
    seq: int
    speaker: str
    text: str
    timestamp: datetime


async def next_seq(s: AsyncSession, interview_id: str) -> int:
    last = await s.scalar(
        select(func.max(Transcription.seq)).where(Transcription.interview_id == interview_id)
    )
    return (last or 0) + 1


async def add_rows(s: AsyncSession, interview_id: str, rows: Sequence[NewRow]) -> None:
    s.add_all(
        Transcription(
            interview_id=interview_id,
            seq=r.seq,
            speaker=r.speaker,
            text=r.text,
            is_final=True,
            timestamp=r.timestamp,
        )
        for r in rows
    )
    await s.flush()


async def list_rows(s: AsyncSession, interview_id: str) -> list[Transcription]:
    rows = await s.scalars(
        select(Transcription)
        .where(Transcription.interview_id == interview_id)
        .order_by(Transcription.seq)
    )
    return list(rows)
