"""What the evaluator sends the model: instructions, the evidence as JSON, the whiteboard
images, and the JSON schema the answer must follow. The offline server reads the same
request (the evidence between the markers) and answers in the same schema."""

from __future__ import annotations

import json
from typing import Any

from google.genai import types

from agents.feedback.evidence import Evidence
from agents.feedback.rubric import rubric_for

PROMPT_VERSION = "feedback-2026-11-29.1"
EVIDENCE_START = "<evidence>"
EVIDENCE_END = "</evidence>"
MAX_IMAGES = 8  # the latest board states tell the story; older ones are in the JSON graphs

SYSTEM = """You are a senior interviewer writing feedback on a mock technical interview.
Judge only what the evidence shows: the transcript (line `seq`, speaker, seconds `at_s`), the
whiteboard snapshots (element graphs, and images labelled with their snapshot id), the code
submissions with their test results, and the phases reached. Score every rubric criterion
from 0 to 5 (halves allowed) against what it looks for and the level expected. For each give
a one-line justification and cite evidence by reference: transcript lines by `seq`,
snapshots by `id`, submissions by `id`. Give 3 to 5 strengths and 3 to 5 improvements; make
improvements specific: name expected topics the candidate missed and failing test cases
never fixed. Do not compute an overall score. Answer with JSON only."""


def response_schema(interview_type: str) -> dict[str, Any]:
    keys = [c.key for c in rubric_for(interview_type)]
    evidence_item = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["transcript", "snapshot", "submission"]},
            "ref": {"type": "string"},
        },
        "required": ["kind", "ref"],
    }
    return {
        "type": "object",
        "properties": {
            "rubric": {
                "type": "array",
                "minItems": len(keys),
                "maxItems": len(keys),
                "items": {
                    "type": "object",
                    "properties": {
                        "criterion": {"type": "string", "enum": keys},
                        "score": {"type": "number", "minimum": 0, "maximum": 5},
                        "justification": {"type": "string"},
                        "evidence": {"type": "array", "items": evidence_item, "maxItems": 5},
                    },
                    "required": ["criterion", "score", "justification", "evidence"],
                },
            },
            "strengths": {"type": "array", "items": {"type": "string"}, "minItems": 3,
                          "maxItems": 5},
            "improvements": {"type": "array", "items": {"type": "string"}, "minItems": 3,
                             "maxItems": 5},
            "summary": {"type": "string"},
            "detailed_feedback": {"type": "string"},
        },
        "required": ["rubric", "strengths", "improvements", "summary", "detailed_feedback"],
    }


def build_contents(evidence: Evidence) -> list[types.Content]:
    rubric = [{"criterion": c.key, "name": c.name, "weight": c.weight, "looks_for": c.looks_for}
              for c in rubric_for(evidence.type)]
    header = (
        f"Interview type: {evidence.type}; level: {evidence.level}; company style: "
        f"{evidence.company}; role: {evidence.role}.\n"
        f"Rubric: {json.dumps(rubric)}\n"
        "The evidence follows as JSON.\n"
    )
    body = json.dumps(evidence.to_payload(), separators=(",", ":"), ensure_ascii=False)
    parts = [types.Part.from_text(text=f"{header}{EVIDENCE_START}{body}{EVIDENCE_END}")]
    with_images = [s for s in evidence.snapshots if s.png][-MAX_IMAGES:]
    for snap in with_images:
        parts.append(types.Part.from_text(text=f"Whiteboard snapshot id={snap.id} at "
                                               f"{snap.at_s:.0f}s:"))
        parts.append(types.Part.from_bytes(data=snap.png or b"", mime_type="image/png"))
    return [types.Content(role="user", parts=parts)]


def config(interview_type: str) -> types.GenerateContentConfig:
    return types.GenerateContentConfig(
        system_instruction=SYSTEM,
        response_mime_type="application/json",
        response_json_schema=response_schema(interview_type),
        temperature=0.2,
    )


def extract_evidence(text: str) -> dict[str, Any] | None:
    """The evidence JSON inside a prompt text, or None (used by the offline server)."""
    start = text.find(EVIDENCE_START)
    end = text.rfind(EVIDENCE_END)
    if start < 0 or end < start:
        return None
    return json.loads(text[start + len(EVIDENCE_START):end])
