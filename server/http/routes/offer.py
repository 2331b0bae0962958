"""WebRTC signalling: the browser's SDP offer in, our answer out (non-trickle ICE)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from server.http.auth import current_user
from server.http.errors import AppError
from server.http.requests import read_json
from server.http.schemas import _In
from server.live.manager import SessionBusy
from server.live.session import BadOffer
from server.state import DB, LIVE_QUOTA, SESSIONS
from storage.queries import interviews

routes = web.RouteTableDef()
MAX_SDP_CHARS = 64 * 1024


class OfferIn(_In):
    sdp: str = Field(min_length=1, max_length=MAX_SDP_CHARS)
    type: Literal["offer"]


@routes.post("/api/interviews/{id}/offer")
async def offer(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request, OfferIn)
    async with request.app[DB]() as s:
        row = await interviews.get_interview(s, request.match_info["id"], user.id)
    if row.status not in ("scheduled", "in_progress"):
        raise AppError(409, "not_live", f"interview is {row.status}; it cannot be joined")
    if not body.sdp.lstrip().startswith("v=0"):
        raise AppError(400, "bad_sdp", "sdp is not a session description (must start with v=0)")
    sessions = request.app[SESSIONS]
    quota = request.app[LIVE_QUOTA]
    try:
        async with quota.turn(user.id):
            if row.id not in sessions.live:
                async with request.app[DB]() as s:
                    live = await interviews.count_owned(s, user.id, list(sessions.live))
                if live >= quota.cap:
                    raise AppError(
                        429,
                        "too_many_live",
                        f"you already have {live} live interviews; end one first",
                    )
            answer = await sessions.start(row, body.sdp)
    except SessionBusy as exc:
        raise AppError(409, "already_connected", str(exc)) from None
    except BadOffer as exc:
        raise AppError(400, "bad_sdp", str(exc)) from None
    return web.json_response({"sdp": answer, "type": "answer"})
