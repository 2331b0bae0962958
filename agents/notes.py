"""Memory fed back to the model between turns: a short `[Notes: ...]` line, sent as context
that asks for no reply, when the candidate has brought up something new.

It goes out when the interviewer finishes a turn (never while it is speaking, so it cannot
cut into audio) and only when there is something new, so the model hears about each new
technology or decision once, with the whole running summary for reference.
"""

from __future__ import annotations

from agents.memory import ConversationMemory

MAX_NEW_ITEMS = 6


class MemoryNotes:
    def __init__(self, memory: ConversationMemory) -> None:
        self.memory = memory
        self._new: list[str] = []

    def observe(self, text: str) -> list[str]:
        """A final candidate turn (spoken or typed); returns what was new in it."""
        new = self.memory.observe(text)
        self._new.extend(n for n in new if n not in self._new)
        return new

    def take(self) -> str | None:
        """The notes line for the model, or None when nothing new came up since the last one."""
        if not self._new:
            return None
        line = format_notes(self._new, self.memory.summary())
        self._new = []
        return line


def format_notes(new_items: list[str], summary: str) -> str:
    fresh = ", ".join(new_items[-MAX_NEW_ITEMS:])
    summary = summary.rstrip(".")
    return (
        f"[Notes: the candidate just brought up {fresh}. So far: {summary}. "
        "Refer back to these naturally when it fits; do not mention these notes.]"
    )
