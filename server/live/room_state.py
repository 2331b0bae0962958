"""What the room shows whatever moment the candidate joins: the question, the phase, when
the interview started and how long it lasts, and the time plan for the progress bar.

Sent as one `session.state` event when the data channel opens (every join) and again when
the question or the phase changes, so the browser never depends on having caught a one-off
event: a late or repeated join sees the same room.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.hooks import InterviewBrief
from agents.pacing import plan
from agents.questions import find_question


@dataclass
class RoomState:
    interview_id: str
    type: str
    length_minutes: int
    started_at: float | None  # epoch seconds
    phase: str | None = None
    question_id: str | None = None
    question_title: str | None = None
    question_text: str | None = None

    @classmethod
    def from_brief(cls, brief: InterviewBrief, phase: str | None = None) -> RoomState:
        state = cls(brief.interview_id, brief.type, brief.length_minutes, brief.started_at,
                    phase=phase)
        if brief.question_text:
            state.set_question(brief.question_id, brief.question_text)
        return state

    def set_question(self, question_id: str | None, text: str) -> None:
        known = find_question(question_id)
        self.question_id = question_id
        self.question_title = known.title if known is not None else None
        self.question_text = known.text if known is not None else text

    def event(self) -> dict[str, Any]:
        question = None
        if self.question_text:
            question = {
                "id": self.question_id,
                "title": self.question_title,
                "text": self.question_text,
                "type": self.type,
            }
        return {
            "type": "session.state",
            "interview_id": self.interview_id,
            "interview_type": self.type,
            "phase": self.phase,
            "question": question,
            "started_at": self.started_at,
            "length_minutes": self.length_minutes,
            "plan": [s.to_dict() for s in plan(self.type, self.length_minutes)],
        }
