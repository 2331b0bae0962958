"""One criterion's verdict: a 0–5 score, a one-line reason, the evidence, and what it says
for the strengths and improvements lists (each with a priority, highest first)."""

from __future__ import annotations

from dataclasses import dataclass, field

from agents.feedback.scoring.facts import Facts, quote, saturate
from agents.feedback.scoring.signals import LineSignals


@dataclass
class Judgement:
    key: str
    score: float
    justification: str
    evidence: list[dict[str, str]] = field(default_factory=list)
    strengths: list[tuple[float, str]] = field(default_factory=list)
    improvements: list[tuple[float, str]] = field(default_factory=list)


def lines_ref(sigs: list[LineSignals], limit: int = 3) -> list[dict[str, str]]:
    return [{"kind": "transcript", "ref": str(s.line.seq)} for s in sigs[:limit]]


def points(parts: list[tuple[float, float]]) -> float:
    """Σ weight × share (shares 0–1, weights summing to 1) on the 0–5 scale, to one decimal."""
    return round(5.0 * sum(w * max(0.0, min(1.0, x)) for w, x in parts), 1)


def communication(f: Facts) -> Judgement:
    """Answers of a useful length, some structure, few hedges, and real engagement."""
    sigs = f.lines
    if not sigs:
        return Judgement("communication", 0.0, "The candidate said nothing we could assess.",
                         improvements=[(3.0, "Talk through your thinking out loud: the "
                                        "interview has almost no answers from you to assess.")])
    m = f.median_words
    length = (0.0 if m < 4 else (m - 4) / 10 if m < 14 else 1.0 if m <= 90 else 0.7)
    structured = f.with_signal("structure")
    hedges = sum(len(s.hits.get("hedges", ())) for s in sigs)
    hedge_rate = hedges / max(1.0, f.candidate_words / 40)  # hedges per ~40 words
    turns = saturate(len(sigs), 8)
    score = points([(0.4, length), (0.25, saturate(len(structured), 4)),
                    (0.15, 1 - saturate(hedge_rate, 2)), (0.2, turns)])
    why = (f"Answers run a median {m:.0f} words over {len(sigs)} turns; "
           f"{len(structured)} show explicit structure, {hedges} hedges.")
    j = Judgement("communication", score, why, lines_ref(structured or sigs))
    if length >= 0.8 and structured:
        j.strengths.append((score, "Explained in a structured way, e.g. "
                                   f"“{quote(structured[0])}”."))
    if m < 12:
        j.improvements.append((5 - score, "Give fuller answers: most of yours were a few words "
                               "long; say what you would build and why before moving on."))
    if hedge_rate > 1:
        j.improvements.append((4 - score, "Commit to decisions: many answers were hedged "
                               "(“maybe”, “I guess”, “not sure”); state a choice and its reason."))
    if not structured and len(sigs) >= 3:
        j.improvements.append((3 - score / 2, "Signpost your answers (“first…, then…, "
                               "finally…”) so the interviewer can follow the plan."))
    return j
