"""A user has at most MAX_LIVE_PER_USER live interviews at once (429 past it)."""

from __future__ import annotations

import asyncio

from server.http.app import create_app
from server.state import LIVE_QUOTA, SESSIONS
from tests.http.helpers import error_of, signup
from tests.live.conftest import new_interview, rtc_settings
from tests.peers import CandidatePeer


async def test_live_interviews_per_user_are_capped(aiohttp_client, tmp_path) -> None:
    client = await aiohttp_client(create_app(rtc_settings(tmp_path, max_live_per_user=1)))
    await signup(client)
    first, second = await new_interview(client), await new_interview(client)
    peer = CandidatePeer(video=False)
    other = CandidatePeer(video=False)
    try:
        await peer.connect(client, first)
        resp = await client.post(f"/api/interviews/{second}/offer", json=await other.make_offer())
        assert resp.status == 429
        err = await error_of(resp)
        assert err["code"] == "too_many_live" and "1 live" in err["message"]
        assert len(client.app[LIVE_QUOTA]) == 0  # no per-user entry outlives its request
        # Another user is not affected by this one's cap.
        await client.post("/api/auth/logout")
        await signup(client, "bo@example.com")
        third = await new_interview(client)
        await other.connect(client, third)
        assert len(client.app[SESSIONS].live) == 2
    finally:
        await peer.close()
        await other.close()
    for _ in range(100):
        if not client.app[SESSIONS].live:
            break
        await asyncio.sleep(0.1)
    assert not client.app[SESSIONS].live
