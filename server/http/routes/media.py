"""Playback of an interview's recordings: presigned URLs on S3, streamed with Range locally.

`GET /api/interviews/{id}/media` answers `audio` (both voices mixed) and `video` (the camera)
as before, plus `interview` (picture and sound in one file: what a replay should play),
`stems` (each voice alone) and `state`: "recording" during the call, "processing" while the
files are being made, then "ready" (or "none" when nothing was recorded), so a page can poll.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.http.auth import current_user
from server.http.errors import AppError
from server.state import DB, OBJECTS, SESSIONS
from storage import NotFound
from storage.lifecycle import TERMINAL
from storage.models import Interview
from storage.objects import LocalObjectStore
from storage.queries import interviews

routes = web.RouteTableDef()
KINDS = ("audio", "video", "interview", "candidate", "interviewer")
STEMS = ("candidate", "interviewer")


async def _owned(request: web.Request) -> Interview:
    user = await current_user(request)
    async with request.app[DB]() as s:
        return await interviews.get_interview(s, request.match_info["id"], user.id)


def _key(row: Interview, kind: str) -> str | None:
    """The object key of one file; only server-written fields, never request metadata."""
    keys = row.recording_keys or {}
    if kind in keys:
        return keys[kind]
    if kind == "audio":
        return row.audio_key
    if kind == "video":
        return row.video_key
    return None


def _state(request: web.Request, row: Interview, ready: bool) -> str:
    if row.status == "in_progress":
        return "recording"
    if ready:
        return "ready"
    if row.status not in TERMINAL or row.started_at is None:
        return "none"
    manager = request.app.get(SESSIONS)
    if manager is not None and manager.shipper.busy(row.id):
        return "processing"
    # Finalising writes metadata["recording"] (even when nothing was recorded): until then
    # the files are still being made, possibly by the process that ran the call.
    return "none" if "recording" in (row.metadata_ or {}) else "processing"


@routes.get("/api/interviews/{id}/media")
async def media_urls(request: web.Request) -> web.Response:
    row = await _owned(request)
    store = request.app[OBJECTS]
    found: dict[str, dict[str, str] | None] = {}
    for kind in KINDS:
        key = _key(row, kind)
        if key is None:
            found[kind] = None
            continue
        try:
            info = await store.stat(key)
        except NotFound:
            found[kind] = None
            continue
        url = await store.playback_url(key) or f"/api/interviews/{row.id}/media/{kind}"
        found[kind] = {"url": url, "content_type": info.content_type}
    out: dict[str, Any] = {kind: found[kind] for kind in ("audio", "video", "interview")}
    out["stems"] = {kind: found[kind] for kind in STEMS}
    out["state"] = _state(request, row, any(found.values()))
    return web.json_response(out)


@routes.get("/api/interviews/{id}/media/{kind}")
async def media_stream(request: web.Request) -> web.StreamResponse:
    kind = request.match_info["kind"]
    if kind not in KINDS:
        raise AppError(404, "not_found", f"no media kind {kind!r}")
    key = _key(await _owned(request), kind)
    if key is None:
        raise AppError(404, "not_found", f"this interview has no {kind} recording")
    store = request.app[OBJECTS]
    if isinstance(store, LocalObjectStore):
        info = await store.stat(key)
        return web.FileResponse(store.path_for(key), headers={"Content-Type": info.content_type})
    url = await store.playback_url(key)
    raise web.HTTPFound(url or "/")
