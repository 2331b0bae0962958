"""Playback of an interview's recordings: presigned URLs on S3, streamed with Range locally."""

from __future__ import annotations

from aiohttp import web

from server.http.auth import current_user
from server.http.errors import AppError
from server.state import DB, OBJECTS
from storage.models import Interview
from storage.objects import LocalObjectStore
from storage.queries import interviews

routes = web.RouteTableDef()
KINDS = ("audio", "video")


async def _owned(request: web.Request) -> Interview:
    user = await current_user(request)
    async with request.app[DB]() as s:
        return await interviews.get_interview(s, request.match_info["id"], user.id)


@routes.get("/api/interviews/{id}/media")
async def media_urls(request: web.Request) -> web.Response:
    row = await _owned(request)
    store = request.app[OBJECTS]
    out: dict[str, dict[str, str] | None] = {}
    for kind in KINDS:
        key = getattr(row, f"{kind}_key")
        if key is None:
            out[kind] = None
            continue
        info = await store.stat(key)
        url = await store.playback_url(key) or f"/api/interviews/{row.id}/media/{kind}"
        out[kind] = {"url": url, "content_type": info.content_type}
    return web.json_response(out)


@routes.get("/api/interviews/{id}/media/{kind}")
async def media_stream(request: web.Request) -> web.StreamResponse:
    kind = request.match_info["kind"]
    if kind not in KINDS:
        raise AppError(404, "not_found", f"no media kind {kind!r}")
    key = getattr(await _owned(request), f"{kind}_key")
    if key is None:
        raise AppError(404, "not_found", f"this interview has no {kind} recording")
    store = request.app[OBJECTS]
    if isinstance(store, LocalObjectStore):
        info = await store.stat(key)
        return web.FileResponse(store.path_for(key), headers={"Content-Type": info.content_type})
    url = await store.playback_url(key)
    raise web.HTTPFound(url or "/")
