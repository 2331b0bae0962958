"""How an interview spends its time: the stages of each interview type, their share of the
length the candidate chose, and when to wrap up.

One plan serves three readers: the instruction the model reads (a budget in minutes), the
offline interviewer's brain (which stage it is in, whether it is time to close) and the room's
progress bar (sent in the session state). A time note (`[Time: 12 of 45 minutes gone.]`) is
how the running clock reaches a model, which has none of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LENGTHS_MINUTES: tuple[int, ...] = (30, 45, 60)
DEFAULT_LENGTH_MINUTES = 45
# The last tenth (at least three minutes) is the wrap-up: the candidate's questions, goodbye.
WRAP_UP_SHARE = 0.10
WRAP_UP_MIN_S = 180.0

# (id, label, share of the time before the wrap-up)
_STAGES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "system_design": (
        ("requirements", "Requirements", 0.18),
        ("high_level", "High-level design", 0.32),
        ("deep_dives", "Deep dives", 0.50),
    ),
    "coding": (
        ("understanding", "Understanding", 0.15),
        ("coding", "Coding", 0.45),
        ("testing", "Testing", 0.22),
        ("complexity", "Complexity", 0.18),
    ),
}
_WRAP_UP = ("wrap_up", "Wrap-up")


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    start_s: float
    end_s: float

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "label": self.label, "start_s": round(self.start_s),
                "end_s": round(self.end_s)}


def wrap_up_at_s(length_minutes: int) -> float:
    """Seconds into the interview when the interviewer should start closing."""
    total = length_minutes * 60.0
    return total - max(WRAP_UP_MIN_S, total * WRAP_UP_SHARE)


def plan(kind: str, length_minutes: int) -> tuple[Stage, ...]:
    """The interview's stages with their time windows, ending with the wrap-up."""
    stages = _STAGES.get(kind, _STAGES["system_design"])
    wrap_at = wrap_up_at_s(length_minutes)
    out: list[Stage] = []
    start = 0.0
    for stage_id, label, share in stages:
        end = start + share * wrap_at
        out.append(Stage(stage_id, label, start, end))
        start = end
    out.append(Stage(*_WRAP_UP, wrap_at, length_minutes * 60.0))
    return tuple(out)


def stage_at(kind: str, length_minutes: int, elapsed_s: float) -> Stage:
    stages = plan(kind, length_minutes)
    for stage in stages:
        if elapsed_s < stage.end_s:
            return stage
    return stages[-1]


def budget_text(kind: str, length_minutes: int) -> str:
    """The plan in words, for the model's instruction."""
    windows = "; ".join(
        f"{s.label.lower()} minutes {round(s.start_s / 60)}-{round(s.end_s / 60)}"
        for s in plan(kind, length_minutes)
    )
    wrap = round(wrap_up_at_s(length_minutes) / 60)
    return (
        f"The interview lasts {length_minutes} minutes. A rough budget: {windows}. Notes such "
        f"as [Time: 12 of {length_minutes} minutes gone.] tell you how much time has passed. "
        "While time remains, keep going deeper: when one area is covered, move to the next "
        "stage or push further into a component, a failure case or a harder variation; do "
        f"not close early because the candidate paused. Around minute {wrap}, wrap up: move "
        "to closing once, and say the wrap-up line only once. If the candidate asks to stop "
        "earlier, respect that."
    )


def time_note(elapsed_s: float, length_minutes: int) -> str:
    minutes = int(elapsed_s // 60)
    return f"[Time: {minutes} of {length_minutes} minutes gone.]"


_TIME_NOTE = re.compile(r"\[\s*time:\s*(\d+)\s+of\s+(\d+)\s+minutes", re.I)


def parse_time_note(text: str) -> tuple[float, int] | None:
    """(elapsed seconds, length in minutes) from a time note anywhere in `text`, or None."""
    m = _TIME_NOTE.search(text)
    if m is None:
        return None
    return int(m.group(1)) * 60.0, int(m.group(2))
