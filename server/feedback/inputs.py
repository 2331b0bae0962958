"""An interview's stored material → the evaluator's `Evidence` (agents see no database).

Times become seconds since the interview started, the clock the replay page uses. Canvas
snapshot images are read from the object store (the latest few: the model gets at most
`prompt.MAX_IMAGES`); code snapshots come along when their table exists.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.feedback.evidence import (
    MAX_CODE_CHARS,
    MAX_LINE_CHARS,
    CodeSnapshot,
    Evidence,
    Line,
    QuestionInfo,
    Snapshot,
    Submission,
    TestOutcome,
    board_elements,
)
from agents.feedback.prompt import MAX_IMAGES
from agents.questions import find_question, question_from_brief
from storage.errors import NotFound
from storage.models import Interview
from storage.objects import ObjectStore
from storage.queries.material import Material, load_material


def since(t0: datetime, t: datetime | None) -> float:
    return round(max(0.0, (t - t0).total_seconds()), 2) if t is not None else 0.0


def time_zero(row: Interview, material: Material) -> datetime:
    """When the interview (and its recording) started: `started_at`, else the first line."""
    if row.started_at is not None:
        return row.started_at
    if material.transcript:
        return material.transcript[0].timestamp
    return row.created_at


def question_info(row: Interview) -> QuestionInfo:
    q = find_question(row.question_id)
    if q is None and row.question_text:
        q = question_from_brief(row.type, row.question_id, row.question_text)
    if q is None:
        return QuestionInfo("unknown", "Open question", row.question_text or "", ())
    return QuestionInfo(q.id, q.title, q.text, q.topics, q.hint_for(row.level))


def phases(row: Interview, t0: datetime) -> tuple[tuple[str, float], ...]:
    out = []
    for item in (row.metadata_ or {}).get("phases") or []:
        try:
            out.append((str(item["phase"]), since(t0, datetime.fromisoformat(item["at"]))))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(out)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:300] if value is not None else ""


def submission(sub: Any, t0: datetime) -> Submission:
    failures = tuple(
        TestOutcome(passed=False, input=_show(r.get("args")), expected=_show(r.get("expected")),
                    actual=_show(r.get("actual")), error=str(r.get("error_kind") or ""))
        for r in (sub.results or [])
        if isinstance(r, dict) and not r.get("passed") and not r.get("hidden")
    )[:3]
    return Submission(sub.id, since(t0, sub.created_at), sub.language,
                      sub.code[:MAX_CODE_CHARS], int(sub.passed), int(sub.total), sub.status,
                      failures)


async def _png(store: ObjectStore, key: str) -> bytes | None:
    try:
        return await store.read(key)
    except Exception:  # a missing image leaves the element graph, which is still evidence
        return None


async def build_evidence(
    db: async_sessionmaker[AsyncSession], store: ObjectStore, interview_id: str
) -> Evidence:
    async with db() as s:
        row = await s.get(Interview, interview_id)
        if row is None or row.deleted_at is not None:
            raise NotFound("interview", interview_id)
        material = await load_material(s, interview_id)
    with_images = {snap.seq for snap in material.snapshots[-MAX_IMAGES:]}
    images = await asyncio.gather(*(
        _png(store, snap.object_key) for snap in material.snapshots if snap.seq in with_images
    ))
    by_seq = dict(zip(sorted(with_images), images, strict=True))
    # Hundreds of rows and element graphs to convert: off the loop (the rows are fully loaded).
    return await asyncio.to_thread(to_evidence, row, material, by_seq)


def to_evidence(row: Interview, material: Material, images: dict[int, bytes | None]) -> Evidence:
    t0 = time_zero(row, material)
    return Evidence(
        interview_id=row.id,
        type=row.type,
        level=row.level,
        company=row.company,
        role=row.role,
        question=question_info(row),
        lines=tuple(Line(t.seq, t.speaker, t.text[:MAX_LINE_CHARS], since(t0, t.timestamp))
                    for t in material.transcript),
        snapshots=tuple(Snapshot(snap.seq, since(t0, snap.timestamp),
                                 board_elements(snap.elements), images.get(snap.seq))
                        for snap in material.snapshots),
        submissions=tuple(submission(sub, t0) for sub, _slug in material.submissions),
        code_snapshots=tuple(CodeSnapshot(int(c.id), since(t0, c.created_at), c.language,
                                          c.code[:MAX_CODE_CHARS])
                             for c in material.code_snapshots),
        phases=phases(row, t0),
        status=row.status,
        duration_s=float(row.duration_seconds or 0),
    )
