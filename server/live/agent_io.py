"""The session's `AgentIO`: what the interviewer may read, say and record.

It is built from the parts it uses, not from the session, so the session can be tested with
fakes and the two modules do not import each other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import Any, Literal, Protocol

from agents.hooks import BoardSnapshot, InterviewBrief, Speaker
from server.live.endings import EndReason
from server.live.record import FINAL_PHASE

MAX_TYPED_CHARS = 4000
DONE_DRAIN_MAX_S = 20.0


class Outbound(Protocol):
    """The track the agent's voice goes out on."""

    def feed(self, pcm: bytes) -> None: ...

    def flush(self) -> None: ...


class Captions(Protocol):
    """Captions to the browser; final lines stored as transcript rows."""

    def add(self, speaker: str, text: str, final: bool) -> None: ...


class Progress(Protocol):
    """Where the interview's question and phase are recorded."""

    async def set_question(self, question_id: str, text: str) -> None: ...

    async def set_phase(self, phase: str, state: dict[str, Any] | None = None) -> None: ...


class Board(Protocol):
    """The session's whiteboard (server/live/canvas.py): stored snapshots, expert reviews."""

    def latest(self) -> BoardSnapshot | None: ...

    def changes(self) -> AsyncIterator[BoardSnapshot]: ...

    async def save_review(self, review: dict[str, Any]) -> None: ...


class CodeSource(Protocol):
    """The coding room's latest code and judged results (`server.live.code.CodeDesk`)."""

    def current(self) -> dict[str, Any] | None: ...

    def results(self) -> AsyncIterator[dict[str, Any]]: ...


SendEvent = Callable[[dict[str, Any]], None]
SpeechPlayed = Callable[[float], Awaitable[None]]  # wait ≤ max seconds for queued speech to go out
EndCall = Callable[[EndReason, str | None], object]  # end the session: reason, free-text detail
RoomChanged = Callable[..., None]  # phase= / question=(id, text): the room state to resend


class SessionAgentIO:
    def __init__(
        self,
        brief: InterviewBrief,
        *,
        pcm: AsyncIterable[bytes],
        outbound: Outbound,
        captions: Captions,
        send_event: SendEvent,
        progress: Progress,
        speech_played: SpeechPlayed,
        end: EndCall,
        room_changed: RoomChanged = lambda **_: None,
        board: Board | None = None,
        code: CodeSource | None = None,
    ) -> None:
        self.brief = brief
        self._pcm = pcm
        self._outbound = outbound
        self._captions = captions
        self._send_event = send_event
        self._progress = progress
        self._speech_played = speech_played
        self._end = end
        self._room_changed = room_changed
        self._board = board
        self._code = code
        self._typed: asyncio.Queue[str] = asyncio.Queue(maxsize=32)
        self._rejoined: asyncio.Queue[None] = asyncio.Queue(maxsize=1)

    def candidate_rejoined(self) -> None:
        """The candidate is back on a new connection (issue 9): the agent welcomes them."""
        with contextlib.suppress(asyncio.QueueFull):  # one welcome covers quick repeats
            self._rejoined.put_nowait(None)

    async def rejoined(self) -> AsyncIterator[None]:
        while True:
            yield await self._rejoined.get()

    def typed(self, text: str) -> bool:
        """A `chat.text` from the browser; False when the agent is not keeping up."""
        try:
            self._typed.put_nowait(text[:MAX_TYPED_CHARS])
            return True
        except asyncio.QueueFull:
            return False

    def pcm_in(self) -> AsyncIterator[bytes]:
        return aiter(self._pcm)

    async def text_in(self) -> AsyncIterator[str]:
        while True:
            yield await self._typed.get()

    def current_code(self) -> dict[str, Any] | None:
        return self._code.current() if self._code is not None else None

    async def code_results(self) -> AsyncIterator[dict[str, Any]]:
        if self._code is None:
            await asyncio.Event().wait()  # no coding room: nothing ever arrives
        else:
            async for result in self._code.results():
                yield result

    def play(self, pcm_24k: bytes) -> None:
        self._outbound.feed(pcm_24k)

    def interrupt(self) -> None:
        self._outbound.flush()

    def send_event(self, event: dict[str, Any]) -> None:
        self._send_event(event)

    async def transcript(self, speaker: Speaker, text: str, final: bool) -> None:
        self._captions.add(speaker, text, final)

    async def set_question(self, question_id: str, text: str) -> None:
        await self._progress.set_question(question_id, text)
        self._room_changed(question=(question_id, text))

    async def set_phase(self, phase: str, state: dict[str, Any] | None = None) -> None:
        await self._progress.set_phase(phase, state)
        self.send_event({"type": "phase", "phase": phase})
        self._room_changed(phase=phase)
        if phase == FINAL_PHASE:
            await self._speech_played(DONE_DRAIN_MAX_S)  # let the goodbye be heard
            self._end(EndReason.COMPLETED, None)

    async def finish(self, status: Literal["completed", "failed"], reason: str) -> None:
        if status == "completed":
            self._end(EndReason.COMPLETED, reason or None)
        else:
            self._end(EndReason.AGENT_FAILED, reason)

    def latest_board(self) -> BoardSnapshot | None:
        return self._board.latest() if self._board is not None else None

    async def board_changes(self) -> AsyncIterator[BoardSnapshot]:
        if self._board is None:
            return
        async for snapshot in self._board.changes():
            yield snapshot

    async def save_review(self, review: dict[str, Any]) -> None:
        if self._board is not None:
            await self._board.save_review(review)
