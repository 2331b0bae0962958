"""Seed data shipped with the code: the coding question bank (`seed/coding_questions/*.json`).

Loaded at every start and upserted by slug, so editing a file and restarting updates the
bank; questions are never deleted here (submissions refer to them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CodingQuestion, utcnow

QUESTIONS_DIR = Path(__file__).parent / "seed" / "coding_questions"
QUESTION_FIELDS = (  # stored as they are in the files; `slug` is the key
    "title",
    "difficulty",
    "tags",
    "companies",
    "description",
    "entry_point",
    "compare",
    "templates",
    "visible_tests",
    "hidden_tests",
    "hints",
    "reference_solutions",
)


def question_files(directory: Path = QUESTIONS_DIR) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(directory.glob("*.json"))]


async def seed_coding_questions(s: AsyncSession, directory: Path = QUESTIONS_DIR) -> int:
    """Insert new questions and refresh changed ones; returns how many rows changed."""
    existing = {q.slug: q for q in await s.scalars(select(CodingQuestion))}
    changed = 0
    for data in question_files(directory):
        row = existing.get(data["slug"])
        values = {f: data[f] for f in QUESTION_FIELDS}
        if row is None:
            s.add(CodingQuestion(slug=data["slug"], **values))
            changed += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.updated_at = utcnow()
            changed += 1
    await s.flush()
    return changed
