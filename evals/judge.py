"""An optional LLM judge (`--judge`, needs GOOGLE_API_KEY): rates each interviewer turn for
naturalness and relevance (1-5) given the conversation before it. Offline the metrics in
evals/metrics.py stand alone; this is never run in the tests (no key, no network here)."""

from __future__ import annotations

import json
import logging
import os
import statistics
from typing import Any

from evals.metrics import AGENT, merged_turns

log = logging.getLogger(__name__)
MODEL = os.environ.get("EVAL_JUDGE_MODEL", "gemini-2.5-flash")
PROMPT = """You judge an AI interviewer in a mock {kind} interview. For EACH numbered
interviewer turn below, rate naturalness (sounds like a thoughtful human interviewer, not a
script) and relevance (follows from what the candidate just said and the question) from 1 to 5.
Answer with JSON only: [{{"turn": n, "naturalness": x, "relevance": y}}, ...]

Question: {question}

{conversation}"""


def available() -> bool:
    return bool(os.environ.get("GOOGLE_API_KEY"))


async def judge(record: dict[str, Any]) -> dict[str, Any] | None:
    """Mean naturalness and relevance of the interviewer's turns, or None without a key."""
    if not available():
        return None
    lines, n = [], 0
    for turn in merged_turns(record.get("transcript", [])):
        if turn["speaker"] == AGENT:
            n += 1
            lines.append(f"[{n}] Interviewer: {turn['text']}")
        else:
            lines.append(f"Candidate: {turn['text']}")
    prompt = PROMPT.format(kind=(record.get("case") or {}).get("type", ""),
                           question=(record.get("question") or {}).get("text") or "",
                           conversation="\n".join(lines))
    try:
        from google import genai
        from google.genai import types

        client = genai.Client(api_key=os.environ["GOOGLE_API_KEY"])
        result = await client.aio.models.generate_content(
            model=MODEL, contents=prompt,
            config=types.GenerateContentConfig(response_mime_type="application/json"))
        ratings = json.loads(result.text or "[]")
        return {
            "naturalness": round(statistics.fmean(float(r["naturalness"]) for r in ratings), 2),
            "relevance": round(statistics.fmean(float(r["relevance"]) for r in ratings), 2),
            "turns": len(ratings), "model": MODEL,
        }
    except Exception as exc:  # the judge is advisory: a failure leaves the metrics standing
        log.warning("LLM judge failed: %s", exc)
        return {"error": str(exc)[:200]}
