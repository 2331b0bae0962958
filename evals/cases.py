"""Eval cases: one simulated interview each, read from JSON (or YAML) files.

A case file holds one case object, or a list of them. The schema (`Case` below; unknown
keys are an error, so a typo never silently changes a run):

    {
      "id": "sd-strong-typed",            # unique; names the case in the report
      "type": "system_design",            # or "coding"
      "question_id": "sd-link-shortener", # pins the question (GET /api/questions); optional
      "company": "free_practice",         # premium styles need a subscription or credit
      "level": "senior", "role": "Backend Engineer",
      "length_minutes": 30,               # 30 | 45 | 60, as the product offers
      "persona": "strong",                # strong average weak terse rambling off_topic interrupter
      "mode": "typed",                    # "typed" (chat.text) or "voice" (espeak-ng audio)
      "max_answers": 4,                   # technical answers before the candidate asks to wrap up
      "time_limit_s": 240,                # hang up after this, wherever the interview is
      "submit": "reference",              # coding: "reference", "wrong_then_reference",
                                          #   "wrong" or "none" (POST .../submissions)
      "expected_topics": [...],           # optional: overrides the bank's topics
      "llm": false,                       # an LLM plays the persona when GOOGLE_API_KEY is set
      "tags": ["smoke"]                   # free labels; `--only TAG` runs the tagged cases
    }
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storage.vocabulary import COMPANIES, INTERVIEW_TYPES, LEVELS

PERSONAS = ("strong", "average", "weak", "terse", "rambling", "off_topic", "interrupter")
Persona = Literal["strong", "average", "weak", "terse", "rambling", "off_topic", "interrupter"]


class CaseError(ValueError):
    """A case file that cannot be used; the message names the file and the field."""


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")
    type: Literal[INTERVIEW_TYPES]  # type: ignore[valid-type]
    question_id: str | None = None
    company: Literal[COMPANIES] = "free_practice"  # type: ignore[valid-type]
    level: Literal[LEVELS] = "senior"  # type: ignore[valid-type]
    role: str = "Software Engineer"
    length_minutes: Literal[30, 45, 60] = 30
    persona: Persona
    mode: Literal["typed", "voice"] = "typed"
    max_answers: int = Field(4, ge=1, le=40)
    time_limit_s: float = Field(240.0, gt=0, le=3600)
    submit: Literal["reference", "wrong_then_reference", "wrong", "none"] = "none"
    expected_topics: tuple[str, ...] | None = None
    llm: bool = False
    tags: tuple[str, ...] = ()


def _read(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as exc:  # pragma: no cover - PyYAML ships with google-adk here
            raise CaseError(f"{path}: YAML cases need PyYAML installed") from exc
        return yaml.safe_load(text)
    return json.loads(text)


def load_cases(where: Path | str, only: str | None = None) -> list[Case]:
    """Every case in a directory (`*.json`, `*.yaml`, `*.yml`, sorted) or one file."""
    root = Path(where)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix in (".json", ".yaml", ".yml"))
    elif root.is_file():
        files = [root]
    else:
        raise CaseError(f"{root}: no such file or directory")
    cases: list[Case] = []
    for path in files:
        try:
            data = _read(path)
        except (OSError, ValueError) as exc:
            raise CaseError(f"{path}: {exc}") from exc
        for item in data if isinstance(data, list) else [data]:
            try:
                cases.append(Case.model_validate(item))
            except ValidationError as exc:
                first = exc.errors()[0]
                where_ = ".".join(str(p) for p in first["loc"]) or "case"
                raise CaseError(f"{path}: {where_}: {first['msg']}") from exc
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise CaseError(f"duplicate case id {case.id!r}")
        seen.add(case.id)
    if only:
        cases = [c for c in cases if only in c.tags or c.id == only]
    if not cases:
        raise CaseError(f"{root}: no cases" + (f" tagged {only!r}" if only else ""))
    return cases
