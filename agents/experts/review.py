"""What an expert is asked and what it answers, as A2A message parts.

Request (one user `Message`): a text part (the interviewer's question), a data part
(`application/json`: company, interview question, expected topics, recent transcript, the
Excalidraw elements) and the board as a file part (`Part(raw=png, media_type="image/png")`).
Answer: a task artifact with a data part (the `Review` as JSON) and a text part (its summary).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from a2a.helpers import get_data_parts, get_text_parts, new_data_part, new_raw_part, new_text_part
from a2a.types import Message, Part, Role

PNG_MEDIA_TYPE = "image/png"
JSON_MEDIA_TYPE = "application/json"
MAX_ITEMS = 5


@dataclass
class ReviewRequest:
    question: str  # what the interviewer wants to know
    company: str
    interview_question: str = ""
    expected_topics: list[str] = field(default_factory=list)
    transcript: list[dict[str, str]] = field(default_factory=list)  # {"speaker", "text"}
    elements: list[dict[str, Any]] = field(default_factory=list)
    png: bytes | None = None

    @property
    def png_sha256(self) -> str | None:
        return hashlib.sha256(self.png).hexdigest() if self.png is not None else None

    def to_message(self) -> Message:
        context = {
            "company": self.company, "interview_question": self.interview_question,
            "expected_topics": self.expected_topics, "transcript": self.transcript,
            "elements": self.elements,
        }
        parts = [new_text_part(self.question), new_data_part(context, JSON_MEDIA_TYPE)]
        if self.png is not None:
            parts.append(new_raw_part(self.png, PNG_MEDIA_TYPE, "whiteboard.png"))
        return Message(message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=parts)

    @classmethod
    def from_message(cls, message: Message) -> ReviewRequest:
        parts = list(message.parts)
        data = next((d for d in get_data_parts(parts) if isinstance(d, dict)), {})
        png = next((p.raw for p in parts if p.HasField("raw")
                    and p.media_type == PNG_MEDIA_TYPE), None)
        return cls(
            question=" ".join(get_text_parts(parts)).strip(),
            company=str(data.get("company") or "free_practice"),
            interview_question=str(data.get("interview_question") or ""),
            expected_topics=[str(t) for t in data.get("expected_topics") or []],
            transcript=[t for t in data.get("transcript") or [] if isinstance(t, dict)],
            elements=[e for e in data.get("elements") or [] if isinstance(e, dict)],
            png=png,
        )


@dataclass
class Review:
    expert: str
    summary: str
    strengths: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    follow_up_questions: list[str] = field(default_factory=list)
    image_sha256: str | None = None  # of the PNG the expert received (None: no image)
    reasoning: str = "offline-critic"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Review:
        def strings(key: str) -> list[str]:
            return [str(x) for x in data.get(key) or [] if isinstance(x, str)][:MAX_ITEMS]

        return cls(
            expert=str(data.get("expert") or "expert"),
            summary=str(data.get("summary") or ""),
            strengths=strings("strengths"),
            risks=strings("risks"),
            follow_up_questions=strings("follow_up_questions"),
            image_sha256=data.get("image_sha256") if isinstance(
                data.get("image_sha256"), str) else None,
            reasoning=str(data.get("reasoning") or ""),
        )

    def parts(self) -> list[Part]:
        return [new_data_part(self.to_dict(), JSON_MEDIA_TYPE), new_text_part(self.summary)]
