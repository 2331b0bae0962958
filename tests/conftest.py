"""Shared fixtures: real PostgreSQL and S3-protocol servers, databases, the app client."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from server import patches
from server.config import Settings, load_settings
from server.http.app import create_app
from storage.db import create_engine
from tests.services import S3Server, postgres_server, s3_server

EVENT_LOOPS = ("asyncio", "uvloop")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--event-loop",
        choices=EVENT_LOOPS,
        default=os.environ.get("IA_TEST_EVENT_LOOP", "asyncio"),
        help="the loop async tests run on (the server's EVENT_LOOP; env IA_TEST_EVENT_LOOP)",
    )


class _UvloopTests:
    """pytest-asyncio's hook: every async test and fixture on a uvloop loop."""

    @staticmethod
    def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> object:
        import uvloop

        return {"uvloop": uvloop.new_event_loop}


def pytest_configure(config: pytest.Config) -> None:
    # Registered only when asked: with the hook present pytest-asyncio always uses it.
    if config.getoption("--event-loop") == "uvloop":
        config.pluginmanager.register(_UvloopTests(), "ia-uvloop-tests")


@pytest.fixture(autouse=True)
def _library_patches_undone() -> Iterator[None]:
    """`create_app` patches aiortc and aioice for the whole process (server/patches.py); undo
    that after each test so the next one starts from the libraries' own code."""
    yield
    patches.uninstall()


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield given
        return
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


async def _fresh_pg_database(admin_url: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return await _fresh_pg_database(request.getfixturevalue("pg_admin_url"))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        login_attempts_per_email=3,
        login_attempts_per_ip=10,
        max_body_bytes=64 * 1024,
        log_format="text",
    )


@pytest.fixture
async def client(aiohttp_client, settings: Settings):  # type: ignore[no-untyped-def]
    return await aiohttp_client(create_app(settings))
