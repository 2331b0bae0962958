"""Sign-up, log-in, log-out and "who am I"."""

from __future__ import annotations

from aiohttp import web

from server.http.auth import (
    burn_verify,
    current_user,
    end_session,
    hash_password,
    start_session,
    verify_password,
)
from server.http.errors import AppError
from server.http.requests import read_json
from server.http.schemas import LoginIn, SignupIn, user_out
from server.state import DB, LOGIN_THROTTLE, SIGNUP_LIMIT
from storage.queries import users

routes = web.RouteTableDef()


def _too_many(wait: float, what: str) -> AppError:
    return AppError(
        429,
        "rate_limited",
        f"too many {what} attempts; try again later",
        {"Retry-After": str(int(wait) + 1)},
    )


@routes.post("/api/auth/signup")
async def signup(request: web.Request) -> web.Response:
    body = await read_json(request, SignupIn)
    limit = request.app[SIGNUP_LIMIT]
    ip = request.remote or "unknown"
    wait = limit.retry_after(ip)
    if wait > 0:
        raise _too_many(wait, "sign-up")
    limit.hit(ip)
    password_hash = await hash_password(body.password)
    async with request.app[DB].begin() as s:
        user = await users.create_user(s, body.email, body.name, password_hash)
    response = web.json_response({"user": user_out(user)}, status=201)
    await start_session(request, response, user)
    return response


@routes.post("/api/auth/login")
async def login(request: web.Request) -> web.Response:
    body = await read_json(request, LoginIn)
    throttle = request.app[LOGIN_THROTTLE]
    ip = request.remote or "unknown"
    wait = throttle.retry_after(body.email, ip)
    if wait > 0:
        raise _too_many(wait, "log-in")
    async with request.app[DB]() as s:
        user = await users.find_user_by_email(s, body.email)
    if user is None:
        await burn_verify(body.password)
    if user is None or not await verify_password(user.password_hash, body.password):
        throttle.failed(body.email, ip)
        raise AppError(401, "invalid_credentials", "wrong email or password")
    throttle.succeeded(body.email, ip)
    response = web.json_response({"user": user_out(user)})
    await start_session(request, response, user)
    return response


@routes.post("/api/auth/logout")
async def logout(request: web.Request) -> web.Response:
    response = web.Response(status=204)
    await end_session(request, response)
    return response


@routes.get("/api/auth/me")
async def me(request: web.Request) -> web.Response:
    """Who is logged in: `{"user": null}` for a visitor. Not a 401: a first visit asking
    is not an error, and a 401 would show as one in every visitor's browser console."""
    try:
        user = await current_user(request)
    except AppError as exc:
        if exc.status != 401:
            raise
        return web.json_response({"user": None}, headers={"Cache-Control": "no-store"})
    return web.json_response({"user": user_out(user)}, headers={"Cache-Control": "no-store"})
