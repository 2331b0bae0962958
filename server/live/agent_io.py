"""The session's `AgentIO`: what the interviewer may read, say and record."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal

from agents.hooks import InterviewBrief, Speaker
from storage.lifecycle import PHASES
from storage.queries import interviews

if TYPE_CHECKING:
    from server.live.session import InterviewSession

MAX_TYPED_CHARS = 4000
DONE_DRAIN_MAX_S = 20.0


class SessionAgentIO:
    def __init__(self, session: InterviewSession, brief: InterviewBrief) -> None:
        self._s = session
        self.brief = brief
        self._typed: asyncio.Queue[str] = asyncio.Queue(maxsize=32)

    def typed(self, text: str) -> bool:
        """A `chat.text` from the browser; False when the agent is not keeping up."""
        try:
            self._typed.put_nowait(text[:MAX_TYPED_CHARS])
            return True
        except asyncio.QueueFull:
            return False

    async def pcm_in(self) -> AsyncIterator[bytes]:
        async for chunk in self._s.pcm:
            yield chunk

    async def text_in(self) -> AsyncIterator[str]:
        while True:
            yield await self._typed.get()

    def play(self, pcm_24k: bytes) -> None:
        self._s.outbound.feed(pcm_24k)

    def interrupt(self) -> None:
        self._s.outbound.flush()

    def send_event(self, event: dict[str, Any]) -> None:
        self._s.send_event(event)

    async def transcript(self, speaker: Speaker, text: str, final: bool) -> None:
        self._s.transcripts.add(speaker, text, final)

    async def set_question(self, question_id: str, text: str) -> None:
        async with self._s.db.begin() as s:
            await interviews.record_question(s, self.brief.interview_id, question_id, text)
        self._s.update_room(question=(question_id, text))

    async def set_phase(self, phase: str, state: dict[str, Any] | None = None) -> None:
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r}; phases are {', '.join(PHASES)}")
        async with self._s.db.begin() as s:
            await interviews.record_phase(s, self.brief.interview_id, phase, state)
        self.send_event({"type": "phase", "phase": phase})
        self._s.update_room(phase=phase)
        if phase == "done":
            await self._s.speech_played(DONE_DRAIN_MAX_S)  # let the goodbye be heard
            self._s.close("completed")

    async def finish(self, status: Literal["completed", "failed"], reason: str) -> None:
        self._s.close("completed" if status == "completed" else f"failed:{reason}")
