"""Passwords, login sessions and the `current_user` check every private route makes."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from agents.offline.pool import yield_to_event_loop
from server.http.errors import AppError
from server.state import DB, SETTINGS
from storage.models import User, utcnow
from storage.queries import users

COOKIE = "ia_session"
_hasher = PasswordHasher()
# Verified against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
_USER = web.RequestKey("user", User)

# Argon2 takes ~10 ms of CPU in 4 lane threads and ~200 ms of wall time on a busy box: never
# on the event loop. Two workers of their own, so hashing cannot starve the default executor
# (recording writes, uploads); beyond HASH_QUEUE_MAX waiting jobs a request is refused at once.
HASH_WORKERS = 2
HASH_QUEUE_MAX = 32
HASH_NICE = 10  # niceness added to the hashing threads


# Hash threads (and the Argon2 lane threads they start) give way to the event loop.
_pool = ThreadPoolExecutor(
    HASH_WORKERS, thread_name_prefix="argon2",
    initializer=functools.partial(yield_to_event_loop, HASH_NICE),
)
_queued = 0
T = TypeVar("T")


async def _in_pool(fn: Callable[..., T], *args: str) -> T:
    global _queued
    if _queued >= HASH_QUEUE_MAX:
        raise AppError(503, "busy", "the server is busy; try again shortly", {"Retry-After": "2"})
    _queued += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool, fn, *args)
    finally:
        _queued -= 1


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await _in_pool(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    return await _in_pool(_verify, password_hash, password)


async def burn_verify(password: str) -> None:
    await verify_password(_DUMMY_HASH, password)


def token_hash(secret_key: str, token: str) -> str:
    """What the DB stores for a session: a keyed hash, useless without the secret key."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


async def start_session(request: web.Request, response: web.StreamResponse, user: User) -> None:
    settings = request.app[SETTINGS]
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=settings.session_days)
    async with request.app[DB].begin() as s:
        await users.create_auth_session(s, token_hash(settings.secret_key, token), user.id, expires)
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.cookie_secure,
        path="/",
    )


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        async with request.app[DB].begin() as s:
            await users.delete_auth_session(s, token_hash(request.app[SETTINGS].secret_key, token))
    response.del_cookie(COOKIE, path="/")


async def current_user(request: web.Request) -> User:
    """The logged-in user, or 401. Cached on the request."""
    cached = request.get(_USER)
    if cached is not None:
        return cached
    token = request.cookies.get(COOKIE)
    if token:
        async with request.app[DB]() as s:
            user = await users.user_for_session(
                s, token_hash(request.app[SETTINGS].secret_key, token)
            )
        if user is not None:
            request[_USER] = user
            return user
    raise AppError(401, "unauthorized", "log in first")
