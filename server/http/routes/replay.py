"""The replay's timeline: transcript lines, whiteboard snapshots, code and phases of one
interview on one clock (seconds since it started), the clock feedback evidence cites."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.feedback.inputs import phases, since, time_zero
from server.http.auth import current_user
from server.state import DB, OBJECTS
from storage.queries import interviews
from storage.queries.material import load_material

routes = web.RouteTableDef()


@routes.get("/api/interviews/{id}/timeline")
async def timeline(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DB]() as s:
        row = await interviews.get_interview(s, request.match_info["id"], user.id)
        material = await load_material(s, row.id)
    t0 = time_zero(row, material)
    store = request.app[OBJECTS]
    snapshots: list[dict[str, Any]] = []
    for snap in material.snapshots:
        url = await store.playback_url(snap.object_key)
        snapshots.append({
            "seq": snap.seq,
            "at_s": since(t0, snap.timestamp),
            "url": url or f"/api/interviews/{row.id}/canvas-snapshots/{snap.seq}/image",
        })
    code = [{"kind": "submission", "id": sub.id, "at_s": since(t0, sub.created_at),
             "language": sub.language, "code": sub.code, "passed": sub.passed,
             "total": sub.total, "status": sub.status}
            for sub, _slug in material.submissions]
    code += [{"kind": "snapshot", "id": str(c.id), "at_s": since(t0, c.created_at),
              "language": c.language, "code": c.code}
             for c in material.code_snapshots]
    code.sort(key=lambda c: c["at_s"])
    return web.json_response({
        "started_at": t0.isoformat(),
        "duration_s": row.duration_seconds,
        "phases": [{"phase": p, "at_s": at} for p, at in phases(row, t0)],
        "lines": [{"seq": t.seq, "speaker": t.speaker, "text": t.text,
                   "at_s": since(t0, t.timestamp)} for t in material.transcript],
        "snapshots": snapshots,
        "code": code,
    })
