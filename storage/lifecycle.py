"""The interview status machine (roadmap §3); the words themselves are in storage/vocabulary.py."""

from __future__ import annotations

from typing import Literal

from storage.vocabulary import PHASES, STATUSES, TERMINAL_STATUSES

# The same words as types, for pydantic validation (a Literal over the vocabulary's tuple).
Status = Literal[STATUSES]  # type: ignore[valid-type]
Phase = Literal[PHASES]  # type: ignore[valid-type]

TERMINAL = TERMINAL_STATUSES

TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"in_progress", "abandoned"}),
    "in_progress": TERMINAL_STATUSES,
    **{status: frozenset() for status in TERMINAL_STATUSES},
}


def can_transition(current: str, requested: str) -> bool:
    return requested in TRANSITIONS.get(current, frozenset())
