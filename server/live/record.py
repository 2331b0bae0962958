"""One interview's record as its live session writes it: each write is one transaction
through `storage.queries.interviews`, so the session never touches ORM rows itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.live.endings import END_STATUS, MAX_DETAIL_CHARS, EndReason
from storage.lifecycle import PHASES
from storage.queries import interviews
from storage.queries.billing import refund_interview_credit
from storage.queries.feedback import enqueue_after_ending
from storage.queries.interviews import RecordedTrack

FIRST_PHASE = PHASES[0]
FINAL_PHASE = PHASES[-1]


class LiveRecord:
    def __init__(self, db: async_sessionmaker[AsyncSession], interview_id: str) -> None:
        self._db = db
        self.interview_id = interview_id

    async def mark_started(self) -> None:
        async with self._db.begin() as s:
            await interviews.mark_started(s, self.interview_id, FIRST_PHASE)

    async def set_question(self, question_id: str, text: str) -> None:
        async with self._db.begin() as s:
            await interviews.record_question(s, self.interview_id, question_id, text)

    async def set_phase(self, phase: str, state: dict[str, Any] | None = None) -> None:
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; phases are {', '.join(PHASES)}")
        async with self._db.begin() as s:
            await interviews.record_phase(s, self.interview_id, phase, state)

    async def end(self, reason: EndReason, detail: str | None = None) -> bool:
        """Write the status this ending implies; False when there is none or it already ended."""
        status = END_STATUS[reason]
        if status is None:
            return False
        async with self._db.begin() as s:
            ended = await interviews.end_interview(
                s,
                self.interview_id,
                status,
                reason=reason.value,
                detail=detail[:MAX_DETAIL_CHARS] if detail else None,
                final_phase=FINAL_PHASE if status == "completed" else None,
            )
            if ended and status == "failed":
                # Our fault: a premium credit spent on a call the candidate never spoke in
                # comes back (a ledger row; nothing happens for free or subscribed calls).
                await s.flush()
                await refund_interview_credit(s, self.interview_id)
            if ended:  # in the same transaction: an ending is never left without its job
                await enqueue_after_ending(s, self.interview_id, status)
            return ended


async def abandon_after_restart(db: async_sessionmaker[AsyncSession], interview_id: str) -> bool:
    async with db.begin() as s:
        ended = await interviews.mark_abandoned_after_restart(
            s, interview_id, reason=EndReason.SERVER_RESTART.value
        )
        if ended:
            await enqueue_after_ending(s, interview_id, "abandoned")
        return ended


async def record_recording(
    db: async_sessionmaker[AsyncSession], interview_id: str, tracks: dict[str, RecordedTrack]
) -> None:
    async with db.begin() as s:
        await interviews.record_recording(s, interview_id, tracks)
