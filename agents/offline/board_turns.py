"""The offline interviewer and the whiteboard: it keeps the latest description of the board
and a late expert review (both arrive as notes, not as the candidate's words), asks the A2A
expert once the design has taken shape, and turns what is drawn into follow-up questions. A
mixin of `Brain` (agents/offline/brain.py), whose state it reads and updates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agents.memory import normalize
from agents.offline import board as whiteboard
from agents.offline import lines
from agents.offline.actions import Action, CallTool, Say
from agents.scene import is_description

if TYPE_CHECKING:
    from agents.offline.brief import Brief


class BoardTurns:
    brief: Brief
    seed: int
    tool_names: tuple[str, ...]
    phase: str
    interview_turns: int
    asked: list[str]
    calls: int
    pending: dict[str, Any] | None
    board: str
    board_rev: int
    board_used_rev: int
    expert_asked: bool
    expert_follow_up: str

    def _pick(self, key: str, bank: Sequence[str]) -> str:
        raise NotImplementedError

    def _say(self, text: str) -> Say:
        raise NotImplementedError

    def _observe_note(self, text: str) -> bool:
        """A whiteboard description or a late expert review: context, not the candidate."""
        if is_description(text):
            if text != self.board:
                self.board = text.strip()
                self.board_rev += 1
            return True
        if text.lstrip().startswith(whiteboard.EXPERT_NOTE):
            self.expert_follow_up = whiteboard.follow_up_from_note(text) or ""
            return True
        return False

    def _should_ask_expert(self) -> bool:
        return (whiteboard.EXPERT_TOOL in self.tool_names and bool(self.board)
                and not self.expert_asked and not self.brief.coding
                and self.interview_turns >= whiteboard.EXPERT_AFTER_TURNS)

    def _ask_expert(self) -> list[Action]:
        self.expert_asked = True
        self.calls += 1
        call_id = f"fc-{self.seed & 0xFFFFFF:06x}-{self.calls}"
        self.pending = {"id": call_id, "then": "expert", "from": self.phase}
        question = whiteboard.expert_question(self.board, self.brief.question)
        lead = f"{self._pick('ack', lines.ACKS)} {whiteboard.EXPERT_LEAD}"
        return [self._say(lead), CallTool(call_id, whiteboard.EXPERT_TOOL,
                                          {"question": question})]

    def _board_follow_up(self) -> tuple[str, str] | None:
        if self.expert_follow_up:
            text, self.expert_follow_up = self.expert_follow_up, ""
            return "expert:" + normalize(text)[:40], text
        if not self.board or self.board_rev == self.board_used_rev:
            return None
        found = whiteboard.board_question(self.board, self.brief.expected_topics, self.asked)
        if found is not None:
            self.board_used_rev = self.board_rev
        return found
