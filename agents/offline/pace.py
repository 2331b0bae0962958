"""The offline interviewer's sense of time: the elapsed time from the app's time notes, the
stage it puts the interview in, and whether it is time to close (agents/pacing.py has the
plan). Part of the brain's state, so it survives session resumption."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from agents.offline.cues import says_done, says_stop
from agents.pacing import parse_time_note, stage_at, wrap_up_at_s

# Before this share of the time, "that's all" ends an answer, not the interview.
DONE_CLOSES_AFTER = 0.75


@dataclass
class Pace:
    length_minutes: int = 0  # 0: unknown (the brief gave none and no note came)
    elapsed_s: float | None = None  # from the latest time note
    stage: str = ""

    @property
    def timed(self) -> bool:
        return self.elapsed_s is not None and self.length_minutes > 0

    def note(self, text: str) -> bool:
        """Take in a time note; True when `text` was one."""
        parsed = parse_time_note(text)
        if parsed is None:
            return False
        self.elapsed_s = parsed[0]
        self.length_minutes = self.length_minutes or parsed[1]
        return True

    def time_to_close(self, text: str, *, turns: int, turn_limit: int) -> bool:
        """Whether the candidate's latest answer should lead into the wrap-up."""
        if says_stop(text):
            return True
        if not self.timed or self.elapsed_s is None:
            return says_done(text) or turns >= turn_limit
        if self.elapsed_s >= wrap_up_at_s(self.length_minutes):
            return True
        return says_done(text) and self.elapsed_s >= DONE_CLOSES_AFTER * self.length_minutes * 60

    def stage_move(self, kind: str) -> str | None:
        """The stage the clock has moved the interview into since the last call, else None
        (also None for the first stage: there is nothing to move on from)."""
        if not self.timed or self.elapsed_s is None:
            return None
        stage = stage_at(kind, self.length_minutes, self.elapsed_s).id
        if stage == self.stage:
            return None
        first = not self.stage
        self.stage = stage
        return None if first else stage

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Pace:
        return cls(**(data or {}))
