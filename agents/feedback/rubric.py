"""The rubrics feedback is scored on, and the one place the overall score is computed.

System design follows the roadmap (§4). Coding weights, and why:
- problem_understanding .15: clarifying the input, constraints and edge cases first.
- approach .25: choosing and explaining an algorithm is the heart of the round.
- correctness .25: judged by the tests the candidate's own submissions passed, not by opinion.
- code_quality .10: readable, idiomatic code matters, but less than working code.
- complexity .15: a senior signal interviewers always ask for (time and space).
- communication .10: thinking aloud; weighed lower than in design, where talk is the work.

Each criterion is scored 0–5; overall 0–10 = Σ weight × score × 2, always by `overall()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    weight: float
    looks_for: str


SYSTEM_DESIGN: tuple[Criterion, ...] = (
    Criterion("requirement_gathering", "Requirement gathering", 0.15,
              "clarifying questions, functional and non-functional requirements, estimates"),
    Criterion("high_level_design", "High-level design", 0.25,
              "the main components, how data flows between them, the whiteboard"),
    Criterion("deep_dive", "Deep dive", 0.25,
              "the question's key topics in depth: data model, trade-offs, failure handling"),
    Criterion("scalability", "Scalability", 0.20,
              "numbers, bottlenecks, sharding, caching, replication, growth"),
    Criterion("communication", "Communication", 0.15,
              "structured, clear explanations; engaging with the interviewer"),
)

CODING: tuple[Criterion, ...] = (
    Criterion("problem_understanding", "Problem understanding", 0.15,
              "clarifying input, constraints and edge cases before coding"),
    Criterion("approach", "Approach and algorithm", 0.25,
              "a fitting algorithm and data structures, explained, better than brute force"),
    Criterion("correctness", "Correctness", 0.25,
              "the share of tests the submitted code passes, and failures fixed"),
    Criterion("code_quality", "Code quality", 0.10,
              "readable names, small functions, idiomatic code"),
    Criterion("complexity", "Complexity analysis", 0.15,
              "time and space complexity stated and justified"),
    Criterion("communication", "Communication", 0.10,
              "thinking aloud, explaining choices, responding to hints"),
)

RUBRICS: dict[str, tuple[Criterion, ...]] = {"system_design": SYSTEM_DESIGN, "coding": CODING}
MAX_CRITERION_SCORE = 5.0


def rubric_for(interview_type: str) -> tuple[Criterion, ...]:
    return RUBRICS.get(interview_type, SYSTEM_DESIGN)


def overall(interview_type: str, scores: Mapping[str, float]) -> float:
    """0–10: the weighted rubric × 2 (a missing criterion counts as 0), to 2 decimals."""
    total = sum(c.weight * clamp(scores.get(c.key, 0.0)) for c in rubric_for(interview_type))
    return round(total * 2, 2)


def clamp(score: float) -> float:
    return max(0.0, min(MAX_CRITERION_SCORE, float(score)))


assert all(abs(sum(c.weight for c in r) - 1.0) < 1e-9 for r in RUBRICS.values())
