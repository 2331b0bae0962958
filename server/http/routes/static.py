"""The built web client (web/dist), with the single-page-app fallback to index.html."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server.http.errors import AppError
from server.state import SETTINGS

routes = web.RouteTableDef()

_PLACEHOLDER = (
    "<!doctype html><title>Interview Agent</title>"
    "<p>The web client is not built. Run <code>make run</code>.</p>"
)


@routes.get("/{tail:(?!api/).*}")
async def client(request: web.Request) -> web.StreamResponse:
    tail = request.match_info["tail"]
    if "\x00" in tail:
        raise AppError(400, "bad_path", "the path contains a NUL byte")
    dist: Path = request.app[SETTINGS].web_dist.resolve()
    if tail:
        candidate = (dist / tail).resolve()
        if candidate.is_relative_to(dist) and candidate.is_file():
            return web.FileResponse(candidate)
    index = dist / "index.html"
    if index.is_file():
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})
    return web.Response(text=_PLACEHOLDER, content_type="text/html")
