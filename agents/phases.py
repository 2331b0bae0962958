"""The phases of an interview, as the interviewer moves through them, and the small state
that goes with them (what is written to the interview's `session_state`).

`routing → intro → interview → closing → done`. The model moves the interview on by calling
the `advance_phase` tool (agents/tools.py); this module decides whether a move is allowed:
forward only, skipping allowed (a candidate who dives straight in skips nothing of value),
repeating the current phase is a harmless no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.vocabulary import PHASES


class PhaseError(ValueError):
    """A phase move the interview cannot make; the message says why (it goes to the model)."""


def check_move(current: str, requested: str) -> bool:
    """True when `requested` is a new phase after `current`; False when it is `current`.

    Raises PhaseError for unknown names and moves backwards."""
    if requested not in PHASES:
        raise PhaseError(f"unknown phase {requested!r}; phases are {', '.join(PHASES)}")
    if requested == current:
        return False
    if PHASES.index(requested) < PHASES.index(current):
        raise PhaseError(f"the interview is already past {requested!r} (now {current!r})")
    return True


@dataclass
class InterviewState:
    """What the interviewer keeps about one interview while it runs."""

    question_id: str
    phase: str = PHASES[0]
    memory: dict[str, Any] = field(default_factory=dict)
    memory_summary: str = ""
    history: list[dict[str, str]] = field(default_factory=list)  # phase moves and reasons

    def to_session_state(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "question_id": self.question_id,
            "memory": self.memory,
            "memory_summary": self.memory_summary,
            "phase_history": list(self.history),
        }
