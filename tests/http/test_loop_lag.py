"""No request handler holds the event loop for more than 20 ms; the lag metric sees stalls."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from server.state import DB, OBJECTS
from storage.models import Interview, utcnow
from storage.queries import transcripts
from tests.http.helpers import PASSWORD, create_interview, signup
from tests.loopblock import LoopBlocks

LOOP_BUDGET_S = 0.020


async def _seed_long_interview(client: Any, interview_id: str) -> None:
    """A long interview: 1,500 transcript lines and a stored audio recording."""
    start = utcnow()
    rows = [
        transcripts.NewRow(i + 1, "candidate" if i % 2 else "interviewer",
                           f"line {i} " + "words " * 30, start + timedelta(seconds=i))
        for i in range(1500)
    ]
    async with client.app[DB].begin() as s:
        await transcripts.add_rows(s, interview_id, rows)
        row = await s.get(Interview, interview_id)
        row.audio_key = f"interviews/{interview_id}/audio.ogg"
    await client.app[OBJECTS].put_bytes(row.audio_key, b"OggS" + b"\0" * 200_000, "audio/ogg")


async def _every_route(client: Any, n: int, interview_id: str) -> None:
    async def ok(resp: Any, *statuses: int) -> None:
        assert resp.status in statuses, (resp.method, resp.url, resp.status, await resp.text())
        await resp.read()

    email = f"user{n}@example.com"
    body = {"email": email, "password": PASSWORD, "name": "U"}
    await ok(await client.post("/api/auth/signup", json=body), 201)
    await ok(await client.post("/api/auth/login", json={"email": email, "password": "wrong one"}),
             401)
    await ok(await client.post("/api/auth/login",
                               json={"email": f"nobody{n}@example.com", "password": "x"}), 401)
    await ok(await client.post("/api/auth/login", json={"email": email, "password": PASSWORD}),
             200)
    await ok(await client.get("/api/auth/me"), 200)
    mine = await create_interview(client)
    await ok(await client.get("/api/interviews?limit=100"), 200)
    await ok(await client.get(f"/api/interviews/{mine['id']}"), 200)
    await ok(await client.patch(f"/api/interviews/{mine['id']}/status",
                                json={"metadata": {"note": "x" * 1000}}), 200)
    await ok(await client.get("/api/questions"), 200)
    await ok(await client.get("/healthz"), 200)
    await ok(await client.get("/metrics"), 200)
    await ok(await client.get("/login"), 200)
    await ok(await client.post("/api/interviews", data=b"[" * 60_000,
                               headers={"Content-Type": "application/json"}), 400)
    await ok(await client.post("/api/auth/logout"), 204)
    # The owner of the long interview: transcript, export, media.
    await ok(await client.post("/api/auth/login",
                               json={"email": "owner@example.com", "password": PASSWORD}), 200)
    for path in ("transcriptions", "transcript?format=txt", "transcript?format=json", "media",
                 "media/audio"):
        await ok(await client.get(f"/api/interviews/{interview_id}/{path}"), 200)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_route_holds_the_loop_over_20ms(client) -> None:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(0.001)  # as the server runs (server/heap.py)
    try:
        await signup(client, "owner@example.com")
        interview_id = (await create_interview(client))["id"]
        await _seed_long_interview(client, interview_id)
        await client.post("/api/auth/logout")
        await _every_route(client, 0, interview_id)  # warm-up: imports, statement caches
        passes = []
        for n in range(1, 4):
            with LoopBlocks() as blocks:
                await _every_route(client, n, interview_id)
            assert blocks.callbacks > 100
            passes.append(blocks)
        # Work a handler does on the loop holds it at the same place on every pass; a stall
        # the machine causes (another tenant, the hypervisor) strikes at random places.
        every_time = set.intersection(*(b.sites_over(LOOP_BUDGET_S) for b in passes))
        assert not every_time, " | ".join(b.summary() for b in passes)
    finally:
        sys.setswitchinterval(previous)


async def test_loop_lag_metric_sees_a_handler_that_blocks(aiohttp_client, settings) -> None:
    from server.http.app import create_app

    app = create_app(settings)

    async def blocking(_request: web.Request) -> web.Response:
        time.sleep(0.15)  # noqa: ASYNC251 - the kind of mistake the metric is there to show
        return web.Response(text="done")

    app.router.add_get("/api/test-block", blocking)
    client = await aiohttp_client(app)
    await asyncio.sleep(0.1)  # the monitor is running
    before = _stalls_over_100ms(await (await client.get("/metrics")).text())
    await client.get("/api/test-block")
    await asyncio.sleep(0.1)
    after = _stalls_over_100ms(await (await client.get("/metrics")).text())
    assert after >= before + 1


def _stalls_over_100ms(text: str) -> float:
    values = {}
    for line in text.splitlines():
        if line.startswith("ia_event_loop_lag_seconds_"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values["ia_event_loop_lag_seconds_count"] - values[
        'ia_event_loop_lag_seconds_bucket{le="0.1"}'
    ]
