"""The coding question bank and candidates' submissions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from storage.errors import NotFound
from storage.models import CodingQuestion, CodingSubmission


async def list_questions(
    s: AsyncSession, *, difficulty: str | None = None, tag: str | None = None
) -> list[CodingQuestion]:
    """Summaries: the large columns (descriptions, tests, solutions) are not loaded, which
    keeps decoding them (tens of ms for the whole bank) off the caller's event loop."""
    summary = load_only(
        CodingQuestion.slug,
        CodingQuestion.title,
        CodingQuestion.difficulty,
        CodingQuestion.tags,
        CodingQuestion.companies,
        raiseload=True,
    )
    query = (
        select(CodingQuestion)
        .options(summary)
        .order_by(CodingQuestion.difficulty, CodingQuestion.title)
    )
    if difficulty:
        query = query.where(CodingQuestion.difficulty == difficulty)
    rows = list(await s.scalars(query))
    if tag:  # JSON containment differs per database; the bank is small
        rows = [r for r in rows if tag in r.tags]
    return rows


async def get_question(s: AsyncSession, slug: str) -> CodingQuestion:
    row = await s.scalar(select(CodingQuestion).where(CodingQuestion.slug == slug))
    if row is None:
        raise NotFound("question", slug)
    return row


async def add_submission(s: AsyncSession, submission: CodingSubmission) -> CodingSubmission:
    s.add(submission)
    await s.flush()
    return submission


async def list_submissions(s: AsyncSession, interview_id: str) -> list[CodingSubmission]:
    rows = await s.scalars(
        select(CodingSubmission)
        .where(CodingSubmission.interview_id == interview_id)
        .order_by(CodingSubmission.created_at)
    )
    return list(rows)
