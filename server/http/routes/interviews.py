"""The interview record: create, list, read, status changes, soft delete."""

from __future__ import annotations

from aiohttp import web

from agents.questions import find_question
from server import billing
from server.feedback.startup import wake as wake_feedback
from server.http.auth import current_user
from server.http.errors import AppError
from server.http.requests import parse_query, read_json
from server.http.schemas import InterviewIn, PageQuery, StatusPatchIn, interview_out
from server.live.endings import EndReason
from server.state import DB, SESSIONS
from storage.queries import interviews
from storage.queries.feedback import enqueue_after_ending

routes = web.RouteTableDef()


@routes.post("/api/interviews")
async def create(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request, InterviewIn)
    fields = body.model_dump()
    if body.question_id is not None:
        question = find_question(body.question_id)
        if question is None or question.type != body.type:
            raise AppError(
                400, "bad_question",
                f"question_id: {body.question_id!r} is not a {body.type} question in the bank "
                f"(GET /api/questions?type={body.type} lists them)",
            )
        fields["question_text"] = question.text  # the interviewer asks this one
    async with request.app[DB].begin() as s:
        row = await interviews.create_interview(s, user.id, **fields)
        await billing.authorize_premium(s, user, row)  # premium styles: plan or a credit, else 402
    return web.json_response(interview_out(row), status=201)


@routes.get("/api/interviews")
async def list_mine(request: web.Request) -> web.Response:
    user = await current_user(request)
    page = parse_query(request, PageQuery)
    async with request.app[DB]() as s:
        rows, total = await interviews.list_interviews(
            s, user.id, limit=page.limit, offset=page.offset
        )
    return web.json_response(
        {
            "items": [interview_out(r) for r in rows],
            "total": total,
            "limit": page.limit,
            "offset": page.offset,
        }
    )


@routes.get("/api/interviews/{id}")
async def read(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DB]() as s:
        row = await interviews.get_interview(s, request.match_info["id"], user.id)
        stats = await interviews.interview_stats(s, row.id)
    out = interview_out(row)
    out["stats"] = {
        "transcript_count": stats.transcript_count,
        "snapshot_count": stats.snapshot_count,
    }
    return web.json_response(out)


@routes.patch("/api/interviews/{id}/status")
async def patch_status(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request, StatusPatchIn)
    queued = False
    async with request.app[DB].begin() as s:
        before = (await interviews.get_interview(s, request.match_info["id"], user.id)).status
        row = await interviews.update_status(
            s,
            request.match_info["id"],
            user.id,
            status=body.status,
            phase=body.phase,
            metadata=body.metadata,
        )
        if body.status is not None and row.status != before:
            queued = await enqueue_after_ending(s, row.id, row.status)
    if queued:
        wake_feedback(request.app)
    return web.json_response(interview_out(row))


@routes.delete("/api/interviews/{id}")
async def delete(request: web.Request) -> web.Response:
    user = await current_user(request)
    interview_id = request.match_info["id"]
    async with request.app[DB].begin() as s:
        await interviews.soft_delete_interview(s, interview_id, user.id)
    # A call in progress ends now; its recording is finalised and stored as on any ending,
    # and the interview stays soft-deleted (a new offer for it is a 404).
    manager = request.app.get(SESSIONS)
    if manager is not None:
        await manager.end(interview_id, EndReason.DELETED)
    return web.Response(status=204)
