"""Liveness, admission (for a load balancer's health check) and Prometheus metrics."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from server.http.errors import AppError
from server.http.security import may_read_metrics
from server.state import DB, SESSIONS, SETTINGS

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    async with request.app[DB]() as s:
        await s.execute(text("SELECT 1"))
    return web.json_response({"status": "ok"})


@routes.get("/healthz/admit")
async def admit(request: web.Request) -> web.Response:
    """200 while this process has room for another call, 503 when it holds MAX_SESSIONS: an
    HAProxy `option httpchk GET /healthz/admit` stops placing new interviews here while the
    calls it holds keep reaching it (`option persist`). Cheap: no database round trip."""
    manager = request.app[SESSIONS]
    settings = request.app[SETTINGS]
    full = manager.full
    body = {
        "status": "full" if full else "room",
        "node": settings.node_name,
        "sessions": len(manager.live),
        "max_sessions": manager.max_sessions,
    }
    headers = {"Retry-After": str(settings.retry_after_s)} if full else None
    return web.json_response(body, status=503 if full else 200, headers=headers)


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Loopback only, or with `Authorization: Bearer $METRICS_TOKEN` (the same 404 otherwise)."""
    if not may_read_metrics(request):
        raise AppError(404, "not_found", "not found")
    body = await asyncio.to_thread(generate_latest)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
