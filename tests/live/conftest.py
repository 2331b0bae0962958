"""A server with the echo agent on SQLite, for WebRTC tests with aiortc client peers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from server.config import Settings, load_settings
from server.http.app import create_app
from tests.http.helpers import create_interview, signup
from tests.live.session_rig import db, rig  # noqa: F401 (fixtures of test_session_unit)


def rtc_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": f"sqlite:///{tmp_path / 'rtc.db'}",
        "agent": "echo",
        "log_format": "text",
        "host": "127.0.0.1",
        "disconnect_timeout_s": 2.0,
        "connect_timeout_s": 15.0,
        "segment_s": 1.0,
        "rejoin_grace_s": 0.5,  # a lost peer ends soon; tests/live/test_rejoin.py waits longer
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
async def rtc(aiohttp_client, tmp_path: Path):  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(rtc_settings(tmp_path)))
    await signup(client)
    return client


async def new_interview(client: Any) -> str:
    return (await create_interview(client))["id"]


async def wait_for_record(client: Any, interview_id: str, done: Any,
                          timeout_s: float = 30.0) -> dict:
    """Poll the interview until `done(record)` holds."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        record = await (await client.get(f"/api/interviews/{interview_id}")).json()
        if done(record):
            return record
        assert asyncio.get_running_loop().time() < deadline, record
        await asyncio.sleep(0.2)
