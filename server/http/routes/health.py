"""Liveness and Prometheus metrics."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from server.http.errors import AppError
from server.http.security import may_read_metrics
from server.state import DB

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    async with request.app[DB]() as s:
        await s.execute(text("SELECT 1"))
    return web.json_response({"status": "ok"})


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Loopback only, or with `Authorization: Bearer $METRICS_TOKEN` (the same 404 otherwise)."""
    if not may_read_metrics(request):
        raise AppError(404, "not_found", "not found")
    body = await asyncio.to_thread(generate_latest)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
