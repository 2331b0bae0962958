"""Memory fed back to the model: a `[Notes: ...]` line when something new came up."""

from __future__ import annotations

from agents.memory import ConversationMemory
from agents.notes import MemoryNotes, format_notes


def test_notes_only_when_something_new_came_up() -> None:
    notes = MemoryNotes(ConversationMemory())
    assert notes.take() is None
    notes.observe("Hi, I'm Ada.")
    notes.observe("I would use Redis as a cache and Kafka for the click stream.")
    line = notes.take()
    assert line is not None
    assert line.startswith("[Notes: ") and line.endswith("]")
    assert "Redis" in line and "Kafka" in line and "Ada" in line
    assert "do not mention these notes" in line
    assert notes.take() is None  # sent once
    notes.observe("Redis again.")
    assert notes.take() is None  # nothing new
    notes.observe("Then I'd shard Postgres by user id.")
    again = notes.take()
    assert again is not None and "PostgreSQL" in again.split("So far:")[0]


def test_format_notes_keeps_it_short() -> None:
    line = format_notes([f"tech{i}" for i in range(10)], "Candidate Ada; mentioned Redis.")
    assert "tech9" in line and "tech3" not in line
    assert "So far: Candidate Ada; mentioned Redis." in line
    assert "Redis.." not in line
