"""The evaluator: one google-genai `generate_content` call with a JSON schema (and the
whiteboard images), then our own checks: every criterion present, scores clamped to 0–5,
evidence kept only where it names something that exists (with its time taken from our data,
never the model's), and the overall computed here from the weights.

The call runs on its own event loop in a worker thread: building and encoding a request with
images, and parsing the answer, never stall the server's loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google import genai

from agents.feedback import prompt
from agents.feedback.evidence import Evidence
from agents.feedback.rubric import clamp, overall, rubric_for

MAX_TEXT = 600
MAX_DETAIL = 8000


class ModelOutputError(ValueError):
    """The model's answer does not fit the schema; worth another attempt."""


@dataclass
class Report:
    overall_score: float
    rubric: list[dict[str, Any]]
    strengths: list[str]
    improvements: list[str]
    summary: str
    detailed_feedback: str
    category_scores: dict[str, float] = field(default_factory=dict)
    generated_by: str = ""
    prompt_version: str = prompt.PROMPT_VERSION


class Evaluator:
    def __init__(self, make_client: Callable[[], genai.Client], model: str,
                 generated_by: str) -> None:
        self._make_client = make_client
        self.model = model
        self.generated_by = generated_by

    async def evaluate(self, evidence: Evidence) -> Report:
        raw = await asyncio.to_thread(asyncio.run, self._call(evidence))
        return normalise(raw, evidence, generated_by=self.generated_by)

    async def _call(self, evidence: Evidence) -> str:
        client = self._make_client()
        try:
            response = await client.aio.models.generate_content(
                model=self.model,
                contents=prompt.build_contents(evidence),
                config=prompt.config(evidence.type),
            )
        finally:
            await client.aio.aclose()
        text = response.text
        if not text:
            raise ModelOutputError("the model returned no text")
        return text


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return " ".join(str(value or "").split())[:limit]


def normalise(raw: str, evidence: Evidence, *, generated_by: str = "") -> Report:
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise ModelOutputError(f"the model's answer is not JSON: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rubric"), list):
        raise ModelOutputError("the model's answer has no rubric")
    given = {str(item.get("criterion")): item for item in data["rubric"] if isinstance(item, dict)}
    refs = _references(evidence)
    rubric: list[dict[str, Any]] = []
    for c in rubric_for(evidence.type):
        item = given.get(c.key)
        if item is None:
            raise ModelOutputError(f"the rubric is missing {c.key}")
        try:
            score = round(clamp(float(item.get("score"))), 2)
        except (TypeError, ValueError):
            raise ModelOutputError(f"{c.key} has no numeric score") from None
        cited = []
        for ev in item.get("evidence") or []:
            key = (str((ev or {}).get("kind")), str((ev or {}).get("ref")))
            if key in refs and refs[key] not in cited:
                cited.append(refs[key])
        rubric.append({"criterion": c.key, "name": c.name, "weight": c.weight, "score": score,
                       "justification": _text(item.get("justification")),
                       "evidence": cited[:5]})
    strengths = [_text(s) for s in data.get("strengths") or [] if _text(s)][:5]
    improvements = [_text(s) for s in data.get("improvements") or [] if _text(s)][:5]
    if len(strengths) < 3 or len(improvements) < 3:
        raise ModelOutputError("fewer than 3 strengths or improvements")
    scores = {r["criterion"]: r["score"] for r in rubric}
    return Report(
        overall_score=overall(evidence.type, scores),
        rubric=rubric,
        strengths=strengths,
        improvements=improvements,
        summary=_text(data.get("summary"), 1200),
        detailed_feedback=str(data.get("detailed_feedback") or "")[:MAX_DETAIL],
        category_scores=scores,
        generated_by=generated_by,
    )


def _references(evidence: Evidence) -> dict[tuple[str, str], dict[str, Any]]:
    """Everything evidence may cite, keyed by (kind, ref), with its time and a label."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for ln in evidence.lines:
        quote = " ".join(ln.text.split())
        out[("transcript", str(ln.seq))] = {
            "kind": "transcript", "ref": str(ln.seq), "at_s": round(ln.at_s, 2),
            "speaker": ln.speaker, "quote": quote[:160]}
    for snap in evidence.snapshots:
        out[("snapshot", str(snap.id))] = {
            "kind": "snapshot", "ref": str(snap.id), "at_s": round(snap.at_s, 2),
            "quote": f"Whiteboard snapshot {snap.id}"}
    for sub in evidence.submissions:
        out[("submission", sub.id)] = {
            "kind": "submission", "ref": sub.id, "at_s": round(sub.at_s, 2),
            "quote": f"Submission: {sub.passed}/{sub.total} tests passed"}
    return out
