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
        self.on_ended: list[Callable[[str], None]] = []  # sync hooks, after the record write

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

    async def end(self, interview_id: str, reason: str, timeout_s: float = 15.0) -> bool:
        """End the interview's live call, if it has one, and wait (bounded) for it to close;
        its recording is finalised and stored as on any ending. True if there was a call."""
        session = self.live.get(interview_id)
        if session is None:
            return False
        closing = session.close(reason)
        try:
            await asyncio.wait_for(asyncio.shield(closing), timeout_s)
        except TimeoutError:
            log.warning("session still closing after %.0f s", timeout_s,
                        extra={"interview_id": interview_id, "reason": reason})
        return True

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
        try:
            await self._record_ending(session, reason)
        finally:
            for hook in self.on_ended:
                hook(session.interview_id)

    async def _record_ending(self, session: InterviewSession, reason: str) -> None:
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
        async with self.db.begin() as s:
            row = await s.get(Interview, interview_id)
            if row is None:
                return
            if "audio" in final:
                row.audio_key = final["audio"].key
            if "video" in final:
                row.video_key = final["video"].key
            recording = {
                track: {"duration_s": round(t.duration_s, 3)} for track, t in final.items()
            }
            row.metadata_ = {**(row.metadata_ or {}), "recording": recording}
            if row.duration_seconds is None and final:
                row.duration_seconds = round(max(t.duration_s for t in final.values()))


__all__ = ["BadOffer", "SessionBusy", "SessionManager"]
