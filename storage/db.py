"""Database engine set-up and schema migration.

SQLite (the embedded default) gets WAL, a busy timeout and foreign keys on every
connection, and its write transactions (`maker.begin()`) run one at a time per engine; PostgreSQL
is used as is. Migrations run through Alembic on the same
async engine the app uses, so start-up needs no second connection string.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000


def normalize_url(url: str) -> str:
    """Map plain driver-less URLs onto the async drivers we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _private_file(path: str | None) -> None:
    """Create (or fix) an SQLite file as owner-only; SQLite gives its -wal/-shm the same mode."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = normalize_url(url)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _private_file(engine.url.database)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


class _TaskLock:
    """An asyncio lock the holding task may take again (a write inside a write does not hang)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._owner is not task or task is None:
            await self._lock.acquire()
            self._owner = task
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._lock.release()


class SerialWriteSessions(async_sessionmaker[AsyncSession]):
    """`begin()` transactions queue on one lock: SQLite's answer to concurrent writers.

    SQLite has one writer at a time. Its busy timeout covers a writer waiting for another, but
    not a deferred transaction that read first and then wants to write after someone else
    committed: that fails at once with "database is locked", whatever the timeout. Queuing the
    app's write transactions (they are short, DB-only) here on the event loop means two never
    overlap, so none is refused and none blocks a worker thread; reads (`maker()`) still run
    in parallel under WAL. PostgreSQL gets the plain maker.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, expire_on_commit=False)
        self._writes = _TaskLock()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:  # type: ignore[override]
        async with self._writes.held(), super().begin() as session:
            yield session


def session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return SerialWriteSessions(engine)
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def _run(connection: Connection, action: str, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(cfg, revision)
    elif action == "downgrade":
        command.downgrade(cfg, revision)
    elif action == "check":
        command.check(cfg)
    else:
        raise ValueError(f"unknown migration action {action!r}")


async def migrate(engine: AsyncEngine, action: str = "upgrade", revision: str = "head") -> None:
    """Run an Alembic action (upgrade/downgrade/check) on the given engine."""
    async with engine.begin() as conn:
        await conn.run_sync(_run, action, revision)
