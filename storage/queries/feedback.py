"""Feedback and its generation job: when a job is due, who holds it, what it produced.

The job's whole state is in `feedback_jobs`, so a restarted process (or another one) picks up
what was pending, and a worker that died mid-run loses only its lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    CodingSubmission,
    Feedback,
    FeedbackJob,
    Interview,
    Transcription,
    utcnow,
)

# An abandoned interview gets feedback only when there is something to judge: the candidate
# said at least this many words, or submitted code at least once.
ABANDONED_MIN_WORDS = 150


@dataclass(frozen=True)
class Claimed:
    interview_id: str
    attempts: int  # including this one


@dataclass(frozen=True)
class FeedbackResult:
    """What the evaluator produced, ready to store (the overall is ours, never the model's)."""

    overall_score: float
    summary: str
    strengths: list[str]
    improvements: list[str]
    category_scores: dict[str, Any]
    rubric: list[dict[str, Any]]
    detailed_feedback: str
    generated_by: str
    prompt_version: str


async def candidate_material(s: AsyncSession, interview_id: str) -> tuple[int, int]:
    """(words the candidate said, code submissions made)."""
    texts = await s.scalars(
        select(Transcription.text).where(
            Transcription.interview_id == interview_id, Transcription.speaker == "candidate"
        )
    )
    words = sum(len(t.split()) for t in texts)
    submissions = await s.scalar(
        select(func.count())
        .select_from(CodingSubmission)
        .where(CodingSubmission.interview_id == interview_id)
    )
    return words, int(submissions or 0)


async def enqueue_after_ending(
    s: AsyncSession, interview_id: str, status: str, *, settle_s: float = 0.5
) -> bool:
    """The interview has just ended with `status`: queue its feedback if the rule says so.

    Completed → always. Abandoned → when there is material (`ABANDONED_MIN_WORDS` candidate
    words, or a submission). Failed (our fault) → never."""
    if status == "abandoned":
        words, submissions = await candidate_material(s, interview_id)
        if words < ABANDONED_MIN_WORDS and submissions == 0:
            return False
    elif status != "completed":
        return False
    await request_feedback(s, interview_id, delay_s=settle_s)
    return True


async def request_feedback(
    s: AsyncSession, interview_id: str, *, delay_s: float = 0.0
) -> FeedbackJob:
    """Queue (or re-queue) generation. Idempotent: a job already pending or running is left as
    it is; a done or failed one starts over (the old feedback stays until the new replaces it)."""
    job = await s.get(FeedbackJob, interview_id, with_for_update=True)
    now = utcnow()
    if job is None:
        job = FeedbackJob(interview_id=interview_id, status="pending", attempts=0,
                          run_after=now + timedelta(seconds=delay_s), requested_at=now)
        s.add(job)
    elif job.status in ("done", "failed"):
        job.status = "pending"
        job.attempts = 0
        job.run_after = now + timedelta(seconds=delay_s)
        job.lease_until = None
        job.last_error = None
        job.requested_at = now
        job.finished_at = None
    await s.flush()
    return job


async def claim_next(
    s: AsyncSession, *, lease_s: float, now: datetime | None = None
) -> Claimed | None:
    """Take the oldest due job: pending and due, or running with an expired lease (its worker
    died). The conditional UPDATE makes two workers racing for one job safe."""
    now = now or utcnow()
    due = or_(
        (FeedbackJob.status == "pending") & (FeedbackJob.run_after <= now),
        (FeedbackJob.status == "running") & (FeedbackJob.lease_until < now),
    )
    candidates = await s.scalars(
        select(FeedbackJob.interview_id).where(due).order_by(FeedbackJob.run_after).limit(5)
    )
    for interview_id in list(candidates):
        result = await s.execute(
            update(FeedbackJob)
            .where(FeedbackJob.interview_id == interview_id, due)
            .values(status="running", attempts=FeedbackJob.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            attempts = await s.scalar(
                select(FeedbackJob.attempts).where(FeedbackJob.interview_id == interview_id)
            )
            return Claimed(interview_id, int(attempts or 1))
    return None


async def next_due_in_s(s: AsyncSession, now: datetime | None = None) -> float | None:
    """Seconds until the next pending job is due (0 if one is due now); None if none waits."""
    now = now or utcnow()
    first = await s.scalar(
        select(func.min(FeedbackJob.run_after)).where(FeedbackJob.status == "pending")
    )
    if first is None:
        return None
    return max(0.0, (first - now).total_seconds())


async def store_result(s: AsyncSession, interview_id: str, result: FeedbackResult) -> None:
    """Write the feedback (replacing an earlier one), the interview's score, and finish the job."""
    row = await s.scalar(select(Feedback).where(Feedback.interview_id == interview_id))
    if row is None:
        row = Feedback(interview_id=interview_id)
        s.add(row)
    score = Decimal(str(round(result.overall_score, 2)))
    row.overall_score = score
    row.summary = result.summary
    row.strengths = list(result.strengths)
    row.improvements = list(result.improvements)
    row.category_scores = dict(result.category_scores)
    row.rubric_scores = {"criteria": list(result.rubric)}
    row.detailed_feedback = result.detailed_feedback
    row.generated_by = result.generated_by[:100]
    row.prompt_version = result.prompt_version[:50]
    row.created_at = utcnow()
    interview = await s.get(Interview, interview_id)
    if interview is not None:
        interview.score = score
    job = await s.get(FeedbackJob, interview_id)
    if job is not None:
        job.status = "done"
        job.lease_until = None
        job.last_error = None
        job.finished_at = utcnow()
    await s.flush()


async def record_failure(
    s: AsyncSession, interview_id: str, error: str, *, retry_in_s: float | None
) -> str:
    """A failed attempt: back to pending after `retry_in_s`, or `failed` for good when None."""
    job = await s.get(FeedbackJob, interview_id)
    if job is None:
        return "missing"
    job.last_error = error[:2000]
    job.lease_until = None
    if retry_in_s is None:
        job.status = "failed"
        job.finished_at = utcnow()
    else:
        job.status = "pending"
        job.run_after = utcnow() + timedelta(seconds=retry_in_s)
    await s.flush()
    return job.status


async def get_job(s: AsyncSession, interview_id: str) -> FeedbackJob | None:
    return await s.get(FeedbackJob, interview_id)


async def get_feedback(s: AsyncSession, interview_id: str) -> Feedback | None:
    return await s.scalar(select(Feedback).where(Feedback.interview_id == interview_id))


async def release_running(s: AsyncSession, *, worker_lease_ids: list[str]) -> None:
    """A worker shutting down cleanly hands its jobs back at once (no lease to wait out)."""
    if worker_lease_ids:
        await s.execute(
            update(FeedbackJob)
            .where(FeedbackJob.interview_id.in_(worker_lease_ids),
                   FeedbackJob.status == "running")
            # the interrupted attempt does not count against the job
            .values(status="pending", lease_until=None, run_after=utcnow(),
                    attempts=FeedbackJob.attempts - 1)
            .execution_options(synchronize_session=False)
        )
