"""The interviewer's function tools. `advance_phase` is how the model moves the interview on:
the phase (with the interviewer's state) is written to the interview record and shown in
the browser through `AgentIO.set_phase`.

"done" is different: the model calls it right after its goodbye, and the goodbye has to be
heard before the call ends. So the tool only records the wish and calls `on_done`; the live
bridge ends the interview once the model has gone quiet (see agents/interviewer.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from agents.hooks import AgentIO
from agents.phases import InterviewState, PhaseError, check_move

log = logging.getLogger(__name__)


class PhaseKeeper:
    def __init__(
        self,
        io: AgentIO,
        state: InterviewState,
        *,
        snapshot: Callable[[], dict[str, Any]] | None = None,
        on_done: Callable[[], None] = lambda: None,
    ) -> None:
        self._io = io
        self.state = state
        self._snapshot = snapshot or state.to_session_state
        self._on_done = on_done

    async def advance(self, phase: str, reason: str) -> dict[str, Any]:
        phase = phase.strip().lower()
        try:
            moved = check_move(self.state.phase, phase)
        except PhaseError as exc:
            return {"ok": False, "error": str(exc), "phase": self.state.phase}
        if not moved:
            return {"ok": True, "phase": phase}
        self.state.phase = phase
        self.state.history.append({"phase": phase, "reason": reason[:200]})
        log.info("phase", extra={"interview_id": self._io.brief.interview_id, "phase": phase})
        if phase == "done":
            self._on_done()
        else:
            await self._io.set_phase(phase, self._snapshot())
        return {"ok": True, "phase": phase}

    def tool(self) -> Callable[..., Any]:
        """The function ADK declares to the model (its name, parameters and docstring are
        what the model sees)."""
        keeper = self

        async def advance_phase(phase: str, reason: str) -> dict[str, Any]:
            """Move the interview to its next phase, at the moment the conversation moves on.

            Args:
              phase: One of "intro", "interview", "closing", "done" (forward only).
              reason: A few words on why now, for the interview record.
            """
            return await keeper.advance(phase, reason)

        return advance_phase
