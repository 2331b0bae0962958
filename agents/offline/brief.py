"""The INTERVIEW BRIEF block the interviewer's instructions carry, and its parser.

The ADK agent puts this block verbatim somewhere in the system instruction (`EXAMPLE_BRIEF`
shows one).

Keys are case-insensitive; unknown keys are ignored; a missing block gives the defaults.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from storage.vocabulary import COMPANY_NAMES, INTERVIEW_TYPES, PHASES

EXAMPLE_BRIEF = """INTERVIEW BRIEF
Type: system_design
Company: google
Role: Backend Engineer
Level: senior
Length: 45 minutes
Question: Design a URL shortener like bit.ly that serves 100 million redirects a day.
Expected topics: hashing and ID generation; storage choice; caching; redirect latency; analytics
Phase: intro
END BRIEF"""
DEFAULT_QUESTIONS = {
    "system_design": "Design a URL shortener like bit.ly that serves 100 million redirects a day.",
    "coding": "Given an array of integers and a target, return the indices of the two numbers "
    "that add up to the target.",
}
DEFAULT_TOPICS = {
    "system_design": ("requirements", "storage choice", "caching", "scaling", "failure handling"),
    "coding": ("approach", "time complexity", "space complexity", "edge cases", "testing"),
}

_BLOCK = re.compile(r"INTERVIEW BRIEF\s*\n(?P<body>.*?)\n\s*END BRIEF", re.S)
_LINE = re.compile(r"^\s*(?P<key>[A-Za-z][A-Za-z _-]*?)\s*:\s*(?P<value>.*?)\s*$")
_ANNOTATION = re.compile(r"\s{2,}\(.*\)\s*$")


@dataclass(frozen=True)
class Brief:
    type: str = "system_design"
    company: str = "free_practice"
    role: str = "Software Engineer"
    level: str = "mid"
    question: str = DEFAULT_QUESTIONS["system_design"]
    expected_topics: tuple[str, ...] = field(default=DEFAULT_TOPICS["system_design"])
    phase: str = "intro"
    length_minutes: int = 0  # 0: the brief gave no length (pace by turns, not time)
    found: bool = False

    @property
    def coding(self) -> bool:
        return self.type == "coding"

    @property
    def company_name(self) -> str:
        return COMPANY_NAMES.get(self.company, self.company.replace("_", " ").title())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["expected_topics"] = list(self.expected_topics)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        values = dict(data)
        values["expected_topics"] = tuple(values.get("expected_topics", ()))
        return cls(**values)


def parse_brief(instruction: str | None) -> Brief:
    """The brief in a system instruction, or a default brief when there is none."""
    m = _BLOCK.search(instruction or "")
    if m is None:
        return Brief()
    fields: dict[str, str] = {}
    for line in m.group("body").splitlines():
        lm = _LINE.match(line)
        if lm:
            key = lm.group("key").strip().lower().replace(" ", "_").replace("-", "_")
            fields[key] = _ANNOTATION.sub("", lm.group("value")).strip()
    kind = fields.get("type", "system_design").lower().replace(" ", "_").replace("-", "_")
    if kind not in INTERVIEW_TYPES:
        kind = "coding" if "cod" in kind else "system_design"
    topics_text = fields.get("expected_topics", "")
    topics = tuple(t.strip() for t in re.split(r"[;\n]", topics_text) if t.strip())
    phase = fields.get("phase", "intro").lower()
    length = re.match(r"\d+", fields.get("length", ""))
    return Brief(
        type=kind,
        company=fields.get("company", "free_practice").lower().replace(" ", "_") or "free_practice",
        role=fields.get("role") or "Software Engineer",
        level=(fields.get("level") or "mid").lower(),
        question=fields.get("question") or DEFAULT_QUESTIONS[kind],
        expected_topics=topics or DEFAULT_TOPICS[kind],
        phase=phase if phase in PHASES else "intro",
        length_minutes=min(int(length.group()), 240) if length else 0,
        found=True,
    )
