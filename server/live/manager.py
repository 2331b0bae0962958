"""The live sessions of this process, and what their endings write to the interview record."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.hooks import Agent, InterviewBrief
from server import metrics
from server.live.recordings import FinalRecording, RecordingShipper
from server.live.session import END_STATUS, BadOffer, InterviewSession, SessionConfig
from storage import IllegalTransition
from storage.lifecycle import TERMINAL
from storage.models import Interview
from storage.queries.interviews import apply_status
from storage.queries.recordings import save_recording

log = logging.getLogger(__name__)


class SessionBusy(Exception):
    """The interview already has a live peer."""


class SessionManager:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        shipper: RecordingShipper,
        config: SessionConfig,
        agent_factory: Callable[[], Agent | None],
    ) -> None:
        self.db = db
        self.shipper = shipper
        self.config = config
        self.agent_factory = agent_factory
        self.live: dict[str, InterviewSession] = {}
        self.ended_count = 0

    async def start(self, row: Interview, offer_sdp: str) -> str:
        """Open a session for an interview the caller owns; returns the SDP answer."""
        interview_id = row.id
        if interview_id in self.live:
            raise SessionBusy(f"interview {interview_id} already has a live connection")
        brief = InterviewBrief(
            interview_id=row.id,
            type=row.type,
            role=row.role,
            level=row.level,
            company=row.company,
            question_id=row.question_id,
            question_text=row.question_text,
        )
        session = InterviewSession(
            brief,
            db=self.db,
            config=self.config,
            shipper=self.shipper,
            agent=self.agent_factory(),
            on_ended=self._ended,
        )
        self.live[interview_id] = session
        metrics.LIVE_SESSIONS.set(len(self.live))
        try:
            answer = await session.open(offer_sdp)
            await self._mark_started(interview_id)
        except BaseException:
            self.live.pop(interview_id, None)
            await session.close("bad_offer")
            raise
        return answer

    async def close_all(self, reason: str = "server_shutdown") -> None:
        sessions = list(self.live.values())
        await asyncio.gather(*(s.close(reason) for s in sessions), return_exceptions=True)

    async def recover(self) -> None:
        """At start: finalise what a crash or stop left spooled; such interviews were cut off."""
        for interview_id in self.shipper.leftover_interviews():
            async with self.db.begin() as s:
                row = await s.get(Interview, interview_id)
                if row is not None and row.status == "in_progress":
                    apply_status(row, "abandoned")
                    row.metadata_ = {**(row.metadata_ or {}), "end_reason": "server_restart"}
            self.shipper.finalize(interview_id)

    async def _mark_started(self, interview_id: str) -> None:
        async with self.db.begin() as s:
            row = await s.scalar(select(Interview).where(Interview.id == interview_id))
            if row is None:
                return
            if row.status == "scheduled":
                apply_status(row, "in_progress")
            row.current_phase = row.current_phase or "routing"

    async def _ended(self, session: InterviewSession, reason: str) -> None:
        self.live.pop(session.interview_id, None)
        metrics.LIVE_SESSIONS.set(len(self.live))
        metrics.SESSIONS_ENDED.labels(reason).inc()
        self.ended_count += 1
        if reason == "bad_offer":
            return
        status = END_STATUS.get(reason, "failed")
        async with self.db.begin() as s:
            row = await s.get(Interview, session.interview_id)
            if row is None or row.status in TERMINAL:
                return
            try:
                apply_status(row, status)
            except IllegalTransition:
                return
            row.metadata_ = {**(row.metadata_ or {}), "end_reason": reason}
            if status == "completed":
                row.current_phase = "done"

    async def record_finalized(self, interview_id: str, final: FinalRecording) -> None:
        """The shipper's callback: store where the recording is and how long it lasts."""
        files = {name: (t.key, t.duration_s) for name, t in final.items()}
        async with self.db.begin() as s:
            await save_recording(s, interview_id, files)


__all__ = ["BadOffer", "SessionBusy", "SessionManager"]
