"""The offline model's deterministic judge: scores an `Evidence` on its rubric from general
signals (topic coverage, depth, numbers, trade-offs, failures, the board, the tests), never
from the wording of any particular transcript. `score(evidence)` returns the same JSON the
real model is asked for (agents/feedback/prompt.py)."""

from agents.feedback.scoring.report import score

__all__ = ["score"]
