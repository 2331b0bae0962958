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


# Rows turned into objects per step: a long interview's thousands of rows are built a
# partition at a time, each a millisecond or two of the caller's event loop, not all at once.
LIST_PARTITION = 200


async def list_rows(s: AsyncSession, interview_id: str) -> list[Transcription]:
    result = await s.stream_scalars(
        select(Transcription)
        .where(Transcription.interview_id == interview_id)
        .order_by(Transcription.seq)
        .execution_options(yield_per=LIST_PARTITION)
    )
    rows: list[Transcription] = []
    async for part in result.partitions():
        rows.extend(part)
    return rows
