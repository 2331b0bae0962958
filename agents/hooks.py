"""What an interviewer sees of a live session, so agents need nothing from server or media.

The server implements `AgentIO` for each session and calls an `Agent` with it; the agent
returns when the conversation is over (or is cancelled when the session ends first).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Speaker = Literal["candidate", "agent"]


@dataclass(frozen=True)
class InterviewBrief:
    """The interview being held, as the candidate chose it."""

    interview_id: str
    type: str  # one of storage.vocabulary.INTERVIEW_TYPES
    role: str
    level: str  # one of storage.vocabulary.LEVELS
    company: str  # one of storage.vocabulary.COMPANIES
    question_id: str | None = None
    question_text: str | None = None
    length_minutes: int = 45  # the candidate's choice: 30, 45 or 60 (agents/pacing.py)
    started_at: float | None = None  # epoch seconds the call began, when it has


@dataclass(frozen=True)
class BoardSnapshot:
    """One stored whiteboard snapshot, as the session keeps it for the agents (the last few
    in memory: see server/live/canvas.py)."""

    seq: int
    png: bytes
    elements: list[dict[str, Any]]
    sha256: str  # of `png`
    width: int
    height: int
    version: int | None = None  # Excalidraw's scene version, as the client sent it


class AgentIO(Protocol):
    """The session's side of the conversation, as handed to an agent."""

    brief: InterviewBrief

    def pcm_in(self) -> AsyncIterator[bytes]:
        """The candidate's voice: 16 kHz mono s16 PCM, 20 ms chunks; ends with the session."""

    def text_in(self) -> AsyncIterator[str]:
        """Answers the candidate typed instead of speaking (`chat.text` events)."""

    def current_code(self) -> dict[str, Any] | None:
        """The candidate's latest code in the coding room: {language, code, question_slug,
        unchanged_s, version}; None before they type anything (or in other interview types)."""

    def code_results(self) -> AsyncIterator[dict[str, Any]]:
        """Each judged run or submission as it happens: {kind: "run"|"submit", language,
        status, passed, total, compile_output, tests: [{index, hidden, passed, args,
        expected, actual, error_kind, stderr}]}."""

    def rejoined(self) -> AsyncIterator[None]:
        """Once each time the candidate comes back after their connection was lost (a reload,
        a network drop): the interviewer welcomes them back and carries on."""

    def play(self, pcm_24k: bytes) -> None:
        """Queue agent speech (24 kHz mono s16, any length) for the candidate."""

    def interrupt(self) -> None:
        """Drop all queued agent speech at once (barge-in)."""

    def send_event(self, event: dict[str, Any]) -> None:
        """Send a data-channel event to the browser."""

    async def transcript(self, speaker: Speaker, text: str, final: bool) -> None:
        """Partial text becomes a caption; final text is also stored as a transcript row."""

    async def set_question(self, question_id: str, text: str) -> None:
        """Record which question this interview is about."""

    async def set_phase(self, phase: str, state: dict[str, Any] | None = None) -> None:
        """Record the phase (and agent state) and tell the browser; "done" ends the interview."""

    async def finish(self, status: Literal["completed", "failed"], reason: str) -> None:
        """End the interview now with this outcome."""

    def latest_board(self) -> BoardSnapshot | None:
        """The newest stored whiteboard snapshot, or None while the board is empty."""

    def board_changes(self) -> AsyncIterator[BoardSnapshot]:
        """Each newly stored snapshot (a slow reader skips to the newest); ends with the
        session."""

    async def save_review(self, review: dict[str, Any]) -> None:
        """Store an expert's review of the board with the interview (`company`, `expert`,
        `question`, `snapshot_seq`, `review`)."""


Agent = Callable[[AgentIO], Awaitable[None]]
