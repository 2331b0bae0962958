"""The aiohttp application factory: state, start-up/shutdown order, middleware, routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from sandbox import Sandbox, SandboxConfig
from server import metrics, patches
from server.billing.startup import payments
from server.config import Settings
from server.feedback.startup import feedback
from server.http import security
from server.http.errors import error_middleware
from server.http.livequota import LiveQuota
from server.http.ratelimit import Backoff, LoginThrottle, SlidingWindow
from server.http.routes import (
    auth,
    billing,
    canvas,
    code,
    health,
    interviews,
    media,
    offer,
    replay,
    static,
    transcripts,
)
from server.http.routes import feedback as feedback_routes
from server.http.security import origin_middleware
from server.live.startup import realtime
from server.state import DB, LIVE_QUOTA, LOGIN_THROTTLE, OBJECTS, SANDBOX, SETTINGS, SIGNUP_LIMIT
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


async def loop_lag_monitor(_app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(metrics.watch_loop_lag(), name="loop-lag")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(settings: Settings) -> web.Application:
    """Build the app; `settings` must already be resolved (see `load_settings`). Installs the
    third-party patches (server/patches.py) if `python -m server` has not already."""
    patches.install(settings)
    app = web.Application(
        middlewares=[error_middleware, origin_middleware], client_max_size=settings.max_body_bytes
    )
    app[SETTINGS] = settings
    security.install(app)
    app[LOGIN_THROTTLE] = LoginThrottle(
        per_account=Backoff(
            free=settings.login_attempts_per_email,
            base_s=1.0,
            max_s=settings.login_delay_max_s,
            forget_s=settings.login_window_s,
        ),
        per_ip=SlidingWindow(settings.login_attempts_per_ip, settings.login_window_s),
    )
    app[SIGNUP_LIMIT] = SlidingWindow(settings.signups_per_ip, settings.signup_window_s)
    app[LIVE_QUOTA] = LiveQuota(settings.max_live_per_user)
    app.cleanup_ctx.extend(
        [loop_lag_monitor, database, payments, objects, code_runner, realtime, feedback]
    )
    for module in (health, auth, interviews, media, offer, transcripts, replay, canvas, code,
                   feedback_routes, billing, static):
        app.add_routes(module.routes)
    return app
