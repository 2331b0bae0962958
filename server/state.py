"""Typed application state (aiohttp AppKeys) shared by routes and start-up code."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sandbox import Sandbox
from server.config import Settings
from server.http.livequota import LiveQuota
from server.http.ratelimit import LoginThrottle, SlidingWindow
from server.live.manager import SessionManager
from storage.objects import ObjectStore

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", async_sessionmaker[AsyncSession])
OBJECTS = web.AppKey("objects", ObjectStore)
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)
SIGNUP_LIMIT = web.AppKey("signup_limit", SlidingWindow)
SESSIONS = web.AppKey("sessions", SessionManager)
SANDBOX = web.AppKey("sandbox", Sandbox)
LIVE_QUOTA = web.AppKey("live_quota", LiveQuota)
