"""The expert's reasoning with a Google API key: Gemini looks at the whiteboard PNG with the
scene graph, the question and the recent conversation, and answers in the `Review` JSON
shape (a response schema). Any failure falls back to the offline critic."""

from __future__ import annotations

import json
import logging

from google import genai
from google.genai import types

from agents.experts.critic import critique
from agents.experts.review import Review, ReviewRequest
from agents.experts.styles import style_for
from agents.scene import describe_elements

log = logging.getLogger(__name__)

REVIEW_SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "strengths": {"type": "array", "items": {"type": "string"}},
        "risks": {"type": "array", "items": {"type": "string"}},
        "follow_up_questions": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["summary", "strengths", "risks", "follow_up_questions"],
}


class GeminiReviewer:
    def __init__(self, api_key: str, model: str = "gemini-2.5-flash") -> None:
        self._client = genai.Client(api_key=api_key)
        self.model = model

    async def review(self, request: ReviewRequest) -> Review:
        style = style_for(request.company)
        talk = "\n".join(f"{t.get('speaker')}: {t.get('text')}" for t in request.transcript[-20:])
        prompt = (
            f"You are a {style.name}. You care about {style.focus}.\n"
            f"Interview question: {request.interview_question}\n"
            f"Expected topics: {'; '.join(request.expected_topics)}\n"
            f"Scene graph: {describe_elements(request.elements) or 'empty board'}\n"
            f"Recent conversation:\n{talk}\n\n"
            f"The interviewer asks: {request.question}\n"
            "Review the whiteboard image: 3-5 specific strengths, risks and follow-up "
            "questions that name the components drawn."
        )
        contents: list[types.Part | str] = [prompt]
        if request.png is not None:
            contents.insert(0, types.Part.from_bytes(data=request.png, mime_type="image/png"))
        try:
            response = await self._client.aio.models.generate_content(
                model=self.model, contents=contents,
                config=types.GenerateContentConfig(
                    response_mime_type="application/json", response_json_schema=REVIEW_SCHEMA),
            )
            data = json.loads(response.text or "{}")
            review = Review.from_dict({**data, "expert": style.name})
        except Exception as exc:
            log.warning("Gemini review failed, using the offline critic: %s", exc)
            return critique(request)
        review.image_sha256 = request.png_sha256
        review.reasoning = f"gemini:{self.model}"
        return review
