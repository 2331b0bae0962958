"""The feedback worker: takes due jobs from `feedback_jobs`, builds the evidence, asks the
evaluator, stores the result. One job at a time per process (feedback is minutes-scale
work, not a queue to drain fast; more processes take more jobs).

Failures of any kind (model overloaded, bad model output, store hiccup) go back to pending
with exponential back-off, until `max_attempts`; then the job is `failed`. A process that
dies mid-job leaves a lease that expires, after which any worker takes the job again; a
clean shutdown hands its job back at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.feedback.evaluator import Report
from agents.feedback.model import FeedbackModel
from server import metrics
from server.feedback.inputs import build_evidence
from storage.errors import NotFound
from storage.objects import ObjectStore
from storage.queries import feedback as jobs

log = logging.getLogger(__name__)


class FeedbackWorker:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        store: ObjectStore,
        model: FeedbackModel,
        *,
        lease_s: float = 120.0,
        max_attempts: int = 5,
        backoff_s: float = 2.0,
        backoff_max_s: float = 300.0,
        poll_s: float = 1.0,
    ) -> None:
        self.db = db
        self.store = store
        self.model = model
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.poll_s = poll_s
        self.completed = 0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._holding: str | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="feedback-worker")

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def retry_delay_s(self, attempts: int) -> float | None:
        if attempts >= self.max_attempts:
            return None
        return min(self.backoff_max_s, self.backoff_s * 2 ** (attempts - 1))

    async def _run(self) -> None:
        while True:
            try:
                async with self.db.begin() as s:
                    claimed = await jobs.claim_next(s, lease_s=self.lease_s)
                if claimed is not None:
                    await self._process(claimed)
                    continue
                async with self.db() as s:
                    due = await jobs.next_due_in_s(s)
                wait = self.poll_s if due is None else min(self.poll_s, max(0.05, due))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("feedback worker: database error; retrying")
                wait = self.poll_s * 5
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()

    async def _process(self, claimed: jobs.Claimed) -> None:
        interview_id = claimed.interview_id
        self._holding = interview_id
        started = time.perf_counter()
        try:
            evidence = await build_evidence(self.db, self.store, interview_id)
            evaluator = await self.model.evaluator()
            report = await evaluator.evaluate(evidence)
            async with self.db.begin() as s:
                await jobs.store_result(s, interview_id, as_result(report))
            self.completed += 1
            metrics.FEEDBACK_ATTEMPTS.labels("done").inc()
            metrics.FEEDBACK_SECONDS.observe(time.perf_counter() - started)
            log.info("feedback stored", extra={"interview_id": interview_id,
                                               "score": report.overall_score})
        except asyncio.CancelledError:
            raise
        except NotFound:
            await self._fail(interview_id, "the interview no longer exists", None)
        except Exception as exc:
            delay = self.retry_delay_s(claimed.attempts)
            log.warning("feedback attempt %d failed: %s", claimed.attempts, exc,
                        extra={"interview_id": interview_id})
            await self._fail(interview_id, f"{type(exc).__name__}: {exc}", delay)
        finally:
            self._holding = None

    async def _fail(self, interview_id: str, error: str, retry_in_s: float | None) -> None:
        metrics.FEEDBACK_ATTEMPTS.labels("retry" if retry_in_s is not None else "failed").inc()
        async with self.db.begin() as s:
            await jobs.record_failure(s, interview_id, error, retry_in_s=retry_in_s)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._holding is not None:
            held, self._holding = self._holding, None
            with contextlib.suppress(Exception):
                async with self.db.begin() as s:
                    await jobs.release_running(s, worker_lease_ids=[held])


def as_result(report: Report) -> jobs.FeedbackResult:
    return jobs.FeedbackResult(
        overall_score=report.overall_score,
        summary=report.summary,
        strengths=report.strengths,
        improvements=report.improvements,
        category_scores=report.category_scores,
        rubric=report.rubric,
        detailed_feedback=report.detailed_feedback,
        generated_by=report.generated_by,
        prompt_version=report.prompt_version,
    )
