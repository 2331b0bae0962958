"""WebRTC signalling: the browser's SDP offer in, our answer out (non-trickle ICE).

A process at its MAX_SESSIONS refuses a new call with 503 + Retry-After rather than degrade
the calls it holds. Behind a balancer (NODE_NAME set) the answer sets the `ia_node` cookie
for this interview's paths, so its later requests reach the process holding the call; a
refusal clears it, so the retry may land on another process (docs/scaling.md)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from server.http.auth import current_user
from server.http.errors import AppError
from server.http.requests import read_json
from server.http.schemas import _In
from server.live.manager import AtCapacity
from server.live.peer_link import BadOffer
from server.live.session_config import SessionBusy
from server.state import DB, LIVE_QUOTA, SESSIONS, SETTINGS
from storage.queries import interviews

routes = web.RouteTableDef()
MAX_SDP_CHARS = 64 * 1024
NODE_COOKIE = "ia_node"


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
    except AtCapacity as exc:
        retry = request.app[SETTINGS].retry_after_s
        headers = {"Retry-After": str(retry)}
        if request.app[SETTINGS].node_name:
            headers["Set-Cookie"] = f"{NODE_COOKIE}=; Max-Age=0; Path={_call_path(row.id)}"
        raise AppError(503, "at_capacity", f"{exc}; try again in {retry} s", headers) from None
    response = web.json_response({"sdp": answer, "type": "answer"})
    settings = request.app[SETTINGS]
    if settings.node_name:
        response.set_cookie(NODE_COOKIE, settings.node_name, path=_call_path(row.id),
                            httponly=True, samesite="Strict", secure=settings.cookie_secure)
    return response


def _call_path(interview_id: str) -> str:
    """Every request of a live call is under this path (offer, runs, code, status, media)."""
    return f"/api/interviews/{interview_id}"
