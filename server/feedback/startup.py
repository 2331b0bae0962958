"""Start-up and shutdown of feedback generation: the model (Gemini or the offline judge,
started on first use) and this process's worker (none when FEEDBACK_WORKERS=0, e.g. an
API-only process; jobs then wait in the database for a process that runs one)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from agents.feedback.model import FeedbackModel
from server.feedback.jobs import FeedbackWorker
from server.http.ratelimit import SlidingWindow
from server.state import DB, OBJECTS, SETTINGS

FEEDBACK: web.AppKey[FeedbackWorker | None] = web.AppKey("feedback_worker")
FEEDBACK_RATE = web.AppKey("feedback_rate", SlidingWindow)  # regenerations per user


async def feedback(app: web.Application) -> AsyncIterator[None]:
    s = app[SETTINGS]
    app[FEEDBACK_RATE] = SlidingWindow(s.feedback_regenerations_per_hour, 3600.0)
    model = FeedbackModel(s.feedback_model, s.google_api_key.get_secret_value(),
                          base_url=s.live_api_url, ca_file=s.live_api_ca_file)
    worker = None
    if s.feedback_workers > 0:
        worker = FeedbackWorker(app[DB], app[OBJECTS], model, max_attempts=s.feedback_max_attempts,
                                backoff_s=s.feedback_backoff_s, lease_s=s.feedback_lease_s)
        worker.start()
    app[FEEDBACK] = worker
    yield
    if worker is not None:
        await worker.close()
    await model.close()


def wake(app: web.Application) -> None:
    worker = app.get(FEEDBACK)
    if worker is not None:
        worker.wake()
