"""The candidate's code during a coding interview: snapshots and the best judged result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import CodeSnapshot, Interview

MAX_SNAPSHOTS_PER_INTERVIEW = 2000  # 30 s apart: over 16 hours of typing


async def add_snapshot(
    s: AsyncSession,
    interview_id: str,
    *,
    reason: str,
    language: str,
    code: str,
    question_slug: str | None,
) -> CodeSnapshot | None:
    """Store one snapshot; None once the interview has its maximum (an outsider's bound)."""
    count = await s.scalar(
        select(CodeSnapshot.id)
        .where(CodeSnapshot.interview_id == interview_id)
        .order_by(CodeSnapshot.id.desc())
        .offset(MAX_SNAPSHOTS_PER_INTERVIEW - 1)
        .limit(1)
    )
    if count is not None:
        return None
    row = CodeSnapshot(
        interview_id=interview_id,
        reason=reason,
        language=language,
        code=code,
        question_slug=question_slug,
    )
    s.add(row)
    await s.flush()
    return row


async def latest_snapshot(s: AsyncSession, interview_id: str) -> CodeSnapshot | None:
    return await s.scalar(
        select(CodeSnapshot)
        .where(CodeSnapshot.interview_id == interview_id)
        .order_by(CodeSnapshot.id.desc())
        .limit(1)
    )


async def list_snapshots(s: AsyncSession, interview_id: str) -> list[CodeSnapshot]:
    rows = await s.scalars(
        select(CodeSnapshot)
        .where(CodeSnapshot.interview_id == interview_id)
        .order_by(CodeSnapshot.id)
    )
    return list(rows)


async def record_hint(s: AsyncSession, interview_id: str, slug: str | None, index: int) -> None:
    """Note that the candidate revealed hint `index` (`code.hints_taken`, highest index + 1)."""
    row = await s.get(Interview, interview_id, with_for_update=True)
    if row is None:
        raise NotFound("interview", interview_id)
    meta = dict(row.metadata_ or {})
    code = dict(meta.get("code") or {})
    code["hints_taken"] = max(int(code.get("hints_taken") or 0), index + 1)
    if slug:
        code["hint_question"] = slug
    meta["code"] = code
    row.metadata_ = meta
    await s.flush()


def _rank(result: dict[str, Any]) -> tuple[int, float]:
    total = result.get("total") or 0
    return (result.get("status") == "accepted", (result.get("passed") or 0) / max(1, total))


async def record_submission_result(
    s: AsyncSession, interview_id: str, result: dict[str, Any]
) -> dict[str, Any]:
    """Keep the interview's best submission (accepted first, then the share of tests passed)
    in its metadata as `code.best`, with the latest as `code.last`; returns `code`."""
    row = await s.get(Interview, interview_id, with_for_update=True)
    if row is None:
        raise NotFound("interview", interview_id)
    meta = dict(row.metadata_ or {})
    code = dict(meta.get("code") or {})
    best = code.get("best")
    code["last"] = result
    code["submissions"] = int(code.get("submissions") or 0) + 1
    if best is None or _rank(result) > _rank(best):
        code["best"] = result
    meta["code"] = code
    row.metadata_ = meta
    await s.flush()
    return code
