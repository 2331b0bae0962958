"""An interview's feedback: read it (202 while it is being made), or ask for it again."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.feedback.startup import FEEDBACK_RATE, wake
from server.http.auth import current_user
from server.http.errors import AppError
from server.state import DB
from storage.lifecycle import TERMINAL
from storage.models import Feedback, FeedbackJob
from storage.queries import feedback as jobs
from storage.queries import interviews

routes = web.RouteTableDef()


def feedback_out(row: Feedback) -> dict[str, Any]:
    return {
        "status": "done",
        "overall_score": float(row.overall_score),
        "rubric": (row.rubric_scores or {}).get("criteria", []),
        "category_scores": row.category_scores,
        "strengths": row.strengths,
        "improvements": row.improvements,
        "summary": row.summary,
        "detailed_feedback": row.detailed_feedback,
        "generated_by": row.generated_by,
        "prompt_version": row.prompt_version,
        "created_at": row.created_at.isoformat(),
    }


def job_out(job: FeedbackJob) -> dict[str, Any]:
    return {"status": job.status, "attempts": job.attempts,
            "requested_at": job.requested_at.isoformat()}


@routes.get("/api/interviews/{id}/feedback")
async def read(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DB]() as s:
        interview = await interviews.get_interview(s, request.match_info["id"], user.id)
        job = await jobs.get_job(s, interview.id)
        row = await jobs.get_feedback(s, interview.id)
    if job is not None and job.status in ("pending", "running"):
        return web.json_response(job_out(job), status=202)
    if row is not None:
        return web.json_response(feedback_out(row))
    if job is not None:  # failed, with nothing from an earlier run
        return web.json_response({**job_out(job), "message": "Feedback could not be generated."
                                  " You can ask for it again."})
    raise AppError(404, "feedback_not_requested",
                   "This interview has no feedback: it is made when an interview is completed "
                   "(or abandoned after enough conversation).")


@routes.post("/api/interviews/{id}/feedback")
async def regenerate(request: web.Request) -> web.Response:
    user = await current_user(request)
    limiter = request.app[FEEDBACK_RATE]
    async with request.app[DB].begin() as s:
        interview = await interviews.get_interview(s, request.match_info["id"], user.id)
        if interview.status not in TERMINAL or interview.status == "failed":
            raise AppError(409, "not_finished",
                           "Feedback is made for completed or abandoned interviews only.")
        existing = await jobs.get_job(s, interview.id)
        if existing is None or existing.status not in ("pending", "running"):
            wait = limiter.retry_after(user.id)
            if wait > 0:
                raise AppError(429, "rate_limited", "Too many feedback requests; try later.",
                               headers={"Retry-After": str(int(wait) + 1)})
            limiter.hit(user.id)
        job = await jobs.request_feedback(s, interview.id)
        out = job_out(job)
    wake(request.app)
    return web.json_response(out, status=202)
