"""`generateContent` on the offline server: what google-genai's `models.generate_content`
POSTs to `/{version}/models/{model}:generateContent`, answered like Gemini's REST API.

The only requests it understands are feedback evaluations (agents/feedback/prompt.py): it
reads the evidence JSON out of the prompt and answers with the deterministic judge's verdict
as the candidate's text, in the schema the request asked for. Parsing and judging run in a
worker thread (a 45-minute interview with images is megabytes of JSON).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import web

MAX_BODY_BYTES = 64 * 1024 * 1024
PATH = r"/{version:v\w+}/models/{model:[^/:]+}:generateContent"


@dataclass
class GenerateFaults:
    """Test hook: the next `count` calls fail with `status`, as an overloaded Gemini does."""

    count: int = 0
    status: int = 503
    calls: int = 0
    served: int = 0
    last_images: int = 0  # image parts in the last answered request


def _google_error(status: int, message: str, code: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message, "status": code}},
                             status=status)


def _answer(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    from agents.feedback.evidence import Evidence
    from agents.feedback.prompt import extract_evidence
    from agents.feedback.scoring import score

    texts: list[str] = []
    images = 0
    for content in data.get("contents") or []:
        for part in (content or {}).get("parts") or []:
            if "text" in part:
                texts.append(str(part["text"]))
            elif "inlineData" in part or "inline_data" in part:
                images += 1
    payload = extract_evidence("\n".join(texts))
    if payload is None:
        raise ValueError("the offline model only answers feedback evaluations "
                         "(no <evidence> in the prompt)")
    return score(Evidence.from_payload(payload)), images


def routes(faults: GenerateFaults) -> list[web.RouteDef]:
    async def generate_content(request: web.Request) -> web.Response:
        faults.calls += 1
        if request.content_length and request.content_length > MAX_BODY_BYTES:
            return _google_error(413, "request too large", "INVALID_ARGUMENT")
        if faults.count > 0:
            faults.count -= 1
            return _google_error(faults.status, "The model is overloaded. Please try again "
                                 "later.", "UNAVAILABLE")
        body = await request.read()
        try:
            data = await asyncio.to_thread(json.loads, body)
            verdict, faults.last_images = await asyncio.to_thread(_answer, data)
        except (ValueError, KeyError, TypeError) as e:
            return _google_error(400, str(e)[:300], "INVALID_ARGUMENT")
        text = json.dumps(verdict, ensure_ascii=False)
        faults.served += 1
        return web.json_response({
            "candidates": [{
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "STOP",
                "index": 0,
            }],
            "usageMetadata": {"promptTokenCount": len(body) // 4,
                              "candidatesTokenCount": len(text) // 4,
                              "totalTokenCount": (len(body) + len(text)) // 4},
            "modelVersion": request.match_info["model"],
            "responseId": uuid.uuid4().hex,
        })

    return [web.post(PATH, generate_content)]
