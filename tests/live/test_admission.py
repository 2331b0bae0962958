"""Admission control: a process holds at most MAX_SESSIONS calls; a new one past it gets 503 +
Retry-After (and /healthz/admit says "full") until a call ends, then it is admitted."""

from __future__ import annotations

import asyncio

from server.http.app import create_app
from server.state import SESSIONS
from tests.http.helpers import error_of, signup
from tests.live.conftest import new_interview, rtc_settings
from tests.peers import CandidatePeer


async def _wait_no_calls(client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(150):
        if not client.app[SESSIONS].live:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the call did not end")


async def test_a_call_past_max_sessions_is_refused_until_one_ends(aiohttp_client, tmp_path):
    settings = rtc_settings(tmp_path, max_sessions=1, retry_after_s=7, node_name="n1")
    client = await aiohttp_client(create_app(settings))
    await signup(client)
    first, second = await new_interview(client), await new_interview(client)
    admit = await client.get("/healthz/admit")
    assert admit.status == 200
    assert await admit.json() == {"status": "room", "node": "n1", "sessions": 0,
                                  "max_sessions": 1}
    peer, other = CandidatePeer(video=False), CandidatePeer(video=False)
    try:
        await peer.connect(client, first)
        # The admitting process names itself for the balancer, on this interview's paths only.
        cookie = client.session.cookie_jar.filter_cookies(
            client.make_url(f"/api/interviews/{first}/code"))
        assert cookie["ia_node"].value == "n1"
        assert "ia_node" not in client.session.cookie_jar.filter_cookies(
            client.make_url(f"/api/interviews/{second}/offer"))

        admit = await client.get("/healthz/admit")
        assert admit.status == 503 and admit.headers["Retry-After"] == "7"
        assert (await admit.json())["status"] == "full"

        resp = await client.post(f"/api/interviews/{second}/offer", json=await other.make_offer())
        assert resp.status == 503
        assert resp.headers["Retry-After"] == "7"
        err = await error_of(resp)
        assert err["code"] == "at_capacity" and "1 of 1" in err["message"]
        assert list(client.app[SESSIONS].live) == [first]  # the held call is untouched
        record = await (await client.get(f"/api/interviews/{second}")).json()
        assert record["status"] == "scheduled"  # a refused call leaves no trace

        await peer.close()
        await _wait_no_calls(client)
        assert (await client.get("/healthz/admit")).status == 200
        await other.close()
        other = CandidatePeer(video=False)
        await other.connect(client, second)
        assert list(client.app[SESSIONS].live) == [second]
    finally:
        await peer.close()
        await other.close()
    await _wait_no_calls(client)


async def test_one_process_without_a_node_name_sets_no_routing_cookie(rtc) -> None:
    interview = await new_interview(rtc)
    peer = CandidatePeer(video=False)
    try:
        await peer.connect(rtc, interview)
        assert not rtc.session.cookie_jar.filter_cookies(
            rtc.make_url(f"/api/interviews/{interview}/code")).get("ia_node")
        body = await (await rtc.get("/healthz/admit")).json()
        assert body["sessions"] == 1 and body["max_sessions"] == 17
    finally:
        await peer.close()
    await _wait_no_calls(rtc)
