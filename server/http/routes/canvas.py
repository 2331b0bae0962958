"""An interview's whiteboard: its snapshots in order, each image, the latest scene (so a
reloaded room restores the drawing) and the experts' reviews. Owner-only, like every
interview route."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.http.auth import current_user
from server.http.errors import AppError
from server.state import DB, OBJECTS
from storage.errors import NotFound
from storage.models import CanvasSnapshot, Interview
from storage.objects import LocalObjectStore
from storage.queries import canvas, interviews

routes = web.RouteTableDef()
BASE = "/api/interviews/{id}/canvas-snapshots"


async def _owned(request: web.Request) -> Interview:
    user = await current_user(request)
    async with request.app[DB]() as s:
        return await interviews.get_interview(s, request.match_info["id"], user.id)


def _image_path(row: CanvasSnapshot) -> str:
    return f"/api/interviews/{row.interview_id}/canvas-snapshots/{row.seq}/image"


async def _item(request: web.Request, row: CanvasSnapshot) -> dict[str, Any]:
    url = await request.app[OBJECTS].playback_url(row.object_key) or _image_path(row)
    return {
        "seq": row.seq,
        "offset_s": row.offset_s,
        "sha256": row.sha256,
        "width": row.width,
        "height": row.height,
        "url": url,
        "created_at": row.timestamp.isoformat(),
    }


@routes.get(BASE)
async def list_snapshots(request: web.Request) -> web.Response:
    interview = await _owned(request)
    async with request.app[DB]() as s:
        rows = await canvas.list_snapshots(s, interview.id)
    return web.json_response({"items": [await _item(request, r) for r in rows]})


@routes.get(BASE + "/latest")
async def latest_snapshot(request: web.Request) -> web.Response:
    interview = await _owned(request)
    async with request.app[DB]() as s:
        row = await canvas.latest_snapshot(s, interview.id)
    if row is None:
        return web.json_response({"snapshot": None})
    body = await _item(request, row)
    body.update(elements=row.elements or [], app_state=row.app_state or {})
    return web.json_response({"snapshot": body})


@routes.get(BASE + r"/{seq:\d+}/image")
async def snapshot_image(request: web.Request) -> web.StreamResponse:
    interview = await _owned(request)
    async with request.app[DB]() as s:
        try:
            row = await canvas.get_snapshot(s, interview.id, int(request.match_info["seq"]))
        except NotFound:
            raise AppError(404, "not_found", "no such canvas snapshot") from None
    store = request.app[OBJECTS]
    if isinstance(store, LocalObjectStore):
        return web.FileResponse(
            store.path_for(row.object_key),
            headers={"Content-Type": "image/png", "Cache-Control": "private, max-age=86400"},
        )
    url = await store.playback_url(row.object_key)
    if url is None:
        raise AppError(404, "not_found", "the snapshot image is not available")
    raise web.HTTPFound(url)


@routes.get("/api/interviews/{id}/expert-reviews")
async def expert_reviews(request: web.Request) -> web.Response:
    interview = await _owned(request)
    async with request.app[DB]() as s:
        rows = await canvas.list_reviews(s, interview.id)
    return web.json_response({"items": [{
        "company": r.company, "expert": r.expert, "question": r.question,
        "snapshot_seq": r.snapshot_seq, "review": r.review,
        "created_at": r.created_at.isoformat(),
    } for r in rows]})
