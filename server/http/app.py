"""The aiohttp application factory: state, start-up/shutdown order, middleware, routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from sandbox import Sandbox, SandboxConfig
from server import patches
from server.config import Settings
from server.http.errors import error_middleware
from server.http.ratelimit import LoginThrottle, RateLimiter
from server.http.routes import (
    auth,
    canvas,
    code,
    health,
    interviews,
    media,
    offer,
    static,
    transcripts,
)
from server.live.startup import realtime
from server.state import DB, LOGIN_THROTTLE, OBJECTS, SANDBOX, SETTINGS
from storage.db import create_engine, migrate, session_maker
from storage.objects import open_store
from storage.seed import seed_coding_questions

log = logging.getLogger(__name__)


async def database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.database_url)
    await migrate(engine)
    app[DB] = session_maker(engine)
    async with app[DB].begin() as s:
        await seed_coding_questions(s)
    log.info("database ready", extra={"dialect": engine.dialect.name})
    yield
    await engine.dispose()


async def objects(app: web.Application) -> AsyncIterator[None]:
    s = app[SETTINGS]
    app[OBJECTS] = await open_store(
        s.object_store_url,
        s3_endpoint=s.s3_endpoint,
        s3_access_key=s.s3_access_key,
        s3_secret_key=s.s3_secret_key,
        s3_secure=s.s3_secure,
        s3_region=s.s3_region,
    )
    yield
    await app[OBJECTS].close()


async def code_runner(app: web.Application) -> AsyncIterator[None]:
    """The sandbox for candidate code; its backend (jail or Docker) is chosen at first use."""
    app[SANDBOX] = Sandbox(SandboxConfig(_env_file=".env"))  # type: ignore[call-arg]
    yield
    await app[SANDBOX].aclose()


def create_app(settings: Settings) -> web.Application:
    """Build the app; `settings` must already be resolved (see `load_settings`). Installs the
    third-party patches (server/patches.py) if `python -m server` has not already."""
    patches.install(settings)
    app = web.Application(middlewares=[error_middleware], client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[LOGIN_THROTTLE] = LoginThrottle(
        per_email=RateLimiter(settings.login_attempts_per_email, settings.login_window_s),
        per_ip=RateLimiter(settings.login_attempts_per_ip, settings.login_window_s),
    )
    app.cleanup_ctx.extend([database, objects, code_runner, realtime])
    for module in (health, auth, interviews, media, offer, transcripts, canvas, code, static):
        app.add_routes(module.routes)
    return app
