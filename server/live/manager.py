"""The live sessions of this process: starting them, ending them all, and at start-up,
settling the interviews a previous process left mid-call."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.hooks import Agent, InterviewBrief
from server import metrics
from server.live.endings import EndReason
from server.live.peer_link import BadOffer
from server.live.record import abandon_after_restart, record_recording
from server.live.recordings import FinalRecording, RecordingShipper
from server.live.session import InterviewSession
from server.live.session_config import SessionBusy, SessionConfig
from storage.models import Interview, utcnow
from storage.objects import ObjectStore

log = logging.getLogger(__name__)


class AtCapacity(Exception):
    """This process already holds its MAX_SESSIONS live calls; a new one would degrade them."""


class SessionManager:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        shipper: RecordingShipper,
        config: SessionConfig,
        agent_factory: Callable[[], Agent | None],
        objects: ObjectStore | None = None,
        max_sessions: int = 10_000,
    ) -> None:
        self.db = db
        self.shipper = shipper
        self.config = config
        self.agent_factory = agent_factory
        self.objects = objects
        self.max_sessions = max_sessions
        self.live: dict[str, InterviewSession] = {}  # live or waiting for a rejoin
        self.ended_count = 0
        self.on_ended: list[Callable[[str], None]] = []  # sync hooks, after the record write

    async def start(self, row: Interview, offer_sdp: str) -> str:
        """Open a session for an interview the caller owns, or rejoin the one waiting for
        them (issue 9: at most one session per interview); returns the SDP answer."""
        interview_id = row.id
        existing = self.live.get(interview_id)
        if existing is not None:
            return await existing.rejoin(offer_sdp)  # SessionBusy while its peer is alive
        if self.full:  # checked and claimed below with no await between: no overshoot
            metrics.CALLS_REFUSED_FULL.inc()
            raise AtCapacity(f"this server holds {len(self.live)} of {self.max_sessions} calls")
        brief = InterviewBrief(
            interview_id=row.id,
            type=row.type,
            role=row.role,
            level=row.level,
            company=row.company,
            question_id=row.question_id,
            question_text=row.question_text,
            length_minutes=row.length_minutes or 45,
            started_at=(row.started_at or utcnow()).timestamp(),
        )
        session = InterviewSession(
            brief,
            db=self.db,
            config=self.config,
            shipper=self.shipper,
            agent=self.agent_factory(),
            on_ended=self._ended,
            objects=self.objects,
        )
        session.room.phase = row.current_phase or "routing"
        self.live[interview_id] = session
        metrics.LIVE_SESSIONS.set(len(self.live))
        try:
            answer = await session.open(offer_sdp)
            await session.record.mark_started()
        except BaseException as exc:
            self.live.pop(interview_id, None)
            await session.close(EndReason.BAD_OFFER, str(exc) or type(exc).__name__)
            raise
        return answer

    @property
    def full(self) -> bool:
        return len(self.live) >= self.max_sessions

    async def end(self, interview_id: str, reason: EndReason, timeout_s: float = 15.0) -> bool:
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
                        extra={"interview_id": interview_id, "reason": str(reason)})
        return True

    async def close_all(self, reason: EndReason = EndReason.SHUTDOWN) -> None:
        sessions = list(self.live.values())
        await asyncio.gather(*(s.close(reason) for s in sessions), return_exceptions=True)

    async def recover(self) -> None:
        """At start: finalise what a crash or stop left spooled; such interviews were cut off."""
        for interview_id in self.shipper.leftover_interviews():
            await abandon_after_restart(self.db, interview_id)
            self.shipper.finalize(interview_id)

    async def _ended(self, session: InterviewSession, reason: EndReason) -> None:
        """The session has written its ending to the record; forget it."""
        self.live.pop(session.interview_id, None)
        metrics.LIVE_SESSIONS.set(len(self.live))
        self.ended_count += 1
        for hook in self.on_ended:
            hook(session.interview_id)

    async def record_finalized(self, interview_id: str, final: FinalRecording) -> None:
        """The shipper's callback: store where the recording is and how long it lasts."""
        await record_recording(self.db, interview_id, final)


__all__ = ["AtCapacity", "BadOffer", "SessionBusy", "SessionManager"]
