"""What an interviewer sees of a live session, so agents need nothing from server or media."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol


class AgentIO(Protocol):
    """The session's side of the conversation, as handed to an agent."""

    interview_id: str

    def pcm_in(self) -> AsyncIterator[bytes]:
        """The candidate's voice: 16 kHz mono s16 PCM, 20 ms chunks; ends with the session."""

    def play(self, pcm_24k: bytes) -> None:
        """Queue agent speech (24 kHz mono s16, any length) for the candidate."""

    def interrupt(self) -> None:
        """Drop all queued agent speech at once (barge-in)."""

    def send_event(self, event: dict[str, Any]) -> None:
        """Send a data-channel event (caption, phase, ...) to the browser."""


Agent = Callable[[AgentIO], Awaitable[None]]
