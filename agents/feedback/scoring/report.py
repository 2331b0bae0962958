"""Judgements → the JSON the evaluator asks the model for (the overall is never in it: our
code computes that from the rubric)."""

from __future__ import annotations

from typing import Any

from agents.feedback.evidence import Evidence
from agents.feedback.rubric import rubric_for
from agents.feedback.scoring import coding, system_design
from agents.feedback.scoring.facts import Facts, gather
from agents.feedback.scoring.judgement import Judgement

MIN_ITEMS, MAX_ITEMS = 3, 5


def score(evidence: Evidence) -> dict[str, Any]:
    facts = gather(evidence)
    module = coding if evidence.type == "coding" else system_design
    judgements = {j.key: j for j in module.judge(facts)}
    names = {c.key: c.name for c in rubric_for(evidence.type)}
    rubric = [
        {"criterion": key, "score": j.score, "justification": j.justification,
         "evidence": j.evidence}
        for key, j in judgements.items()
    ]
    return {
        "rubric": rubric,
        "strengths": _strengths(judgements.values(), facts),
        "improvements": _improvements(judgements.values(), facts),
        "summary": _summary(facts, judgements, names),
        "detailed_feedback": _detailed(judgements, names),
    }


def _pick(items: list[tuple[float, str]], limit: int = MAX_ITEMS) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for _, text in sorted(items, key=lambda x: -x[0]):
        if text not in seen:
            seen.add(text)
            out.append(text)
        if len(out) == limit:
            break
    return out


def _strengths(judgements: Any, f: Facts) -> list[str]:
    found = _pick([s for j in judgements for s in j.strengths])
    fallbacks = []
    if f.lines:
        fallbacks.append(f"Stayed engaged through {len(f.lines)} exchanges with the interviewer.")
    if f.covered:
        fallbacks.append(f"Touched on {f.covered[0].topic}.")
    reached = [p for p, _ in f.evidence.phases]
    if "closing" in reached or "done" in reached:
        fallbacks.append("Saw the interview through to the closing questions.")
    if f.evidence.submissions:
        fallbacks.append("Got a solution submitted and run against the tests.")
    if f.evidence.status == "completed":
        fallbacks.append("Completed the full interview.")
    fallbacks += ["Took on a realistic interview question under time pressure.",
                  "Put in the practice: a mock interview is the cheapest place to find gaps."]
    for extra in fallbacks:
        if len(found) >= MIN_ITEMS:
            break
        if extra not in found:
            found.append(extra)
    return found


def _improvements(judgements: Any, f: Facts) -> list[str]:
    found = _pick([s for j in judgements for s in j.improvements])
    fallbacks = [
        "Push one level deeper on your strongest area: name the exact data structures and "
        "limits you would use.",
        "Finish with a short recap: what you built, what it costs, and what you would do next.",
        "Practise with a harder question at this level to find the next gap.",
    ]
    for extra in fallbacks:
        if len(found) >= MIN_ITEMS:
            break
        found.append(extra)
    return found


def _summary(f: Facts, judgements: dict[str, Judgement], names: dict[str, str]) -> str:
    ranked = sorted(judgements.values(), key=lambda j: j.score)
    weakest, strongest = ranked[0], ranked[-1]
    q = f.evidence.question
    topics = (f" Covered {len(f.covered)} of {len(f.topics)} expected topics." if f.topics
              else "")
    return (f"{q.title} at {f.evidence.level} level: strongest on "
            f"{names.get(strongest.key, strongest.key).lower()} ({strongest.score:.1f}/5), "
            f"weakest on {names.get(weakest.key, weakest.key).lower()} "
            f"({weakest.score:.1f}/5).{topics}")


def _detailed(judgements: dict[str, Judgement], names: dict[str, str]) -> str:
    return "\n\n".join(
        f"{names.get(k, k)} ({j.score:.1f}/5): {j.justification}" for k, j in judgements.items()
    )
