"""The interview status machine (roadmap §3) and the phases of a live interview."""

from __future__ import annotations

from typing import Literal, get_args

Status = Literal["scheduled", "in_progress", "completed", "abandoned", "failed"]
Phase = Literal["routing", "intro", "interview", "closing", "done"]

STATUSES: tuple[str, ...] = get_args(Status)
PHASES: tuple[str, ...] = get_args(Phase)
TERMINAL: frozenset[str] = frozenset({"completed", "abandoned", "failed"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"in_progress", "abandoned"}),
    "in_progress": frozenset({"completed", "abandoned", "failed"}),
    "completed": frozenset(),
    "abandoned": frozenset(),
    "failed": frozenset(),
}


def can_transition(current: str, requested: str) -> bool:
    return requested in TRANSITIONS.get(current, frozenset())
