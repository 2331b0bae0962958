"""Two server processes behind HAProxy, sharing PostgreSQL and an S3-protocol store: a call
on each, one process killed with SIGKILL, the other's call unaffected, a new interview placed
on the survivor (and refused with 503 once no process has room), and the killed process's
recording salvaged when it restarts."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiortc import RTCSessionDescription

from evals.cluster_nodes import Cluster
from server.live.ice import disable_loopback_only, enable_loopback_only, loopback_only_enabled
from tests.http.helpers import create_interview, error_of, signup
from tests.peers import CandidatePeer

pytestmark = pytest.mark.skipif(
    shutil.which("haproxy") is None,
    reason="haproxy is not installed (it is in the Makefile's TEST_DEBS: run `make test`)",
)


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    had_loopback = loopback_only_enabled()
    enable_loopback_only()  # our peers offer loopback candidates, as the processes do
    try:
        async with Cluster(nodes=2, max_sessions=2, agent="echo",
                           env={"SEGMENT_S": "1.0", "DISCONNECT_TIMEOUT_S": "2.0"}) as c:
            yield c
    finally:
        if not had_loopback:
            disable_loopback_only()


async def served_by(http: aiohttp.ClientSession, path: str) -> str:
    async with http.get(path) as resp:
        assert resp.status == 200, await resp.text()
        return resp.headers["X-Served-By"]


async def offer(http: aiohttp.ClientSession, peer: CandidatePeer, interview: str) -> str:
    """The offer through the balancer; returns the process that admitted the call."""
    await peer.connect(http, interview)
    cookie = http.cookie_jar.filter_cookies(http._build_url(f"/api/interviews/{interview}/x"))
    return cookie["ia_node"].value


async def offer_until_admitted(http: aiohttp.ClientSession, peer: CandidatePeer,
                               interview: str) -> str:
    body = await peer.make_offer()
    for _ in range(50):
        async with http.post(f"/api/interviews/{interview}/offer", json=body) as resp:
            if resp.status != 503:
                assert resp.status == 200, await resp.text()
                answer = await resp.json()
                break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("no process admitted the call in 10 s")
    await peer.pc.setRemoteDescription(RTCSessionDescription(**answer))
    await asyncio.wait_for(peer.channel_open.wait(), 15)
    cookie = http.cookie_jar.filter_cookies(http._build_url(f"/api/interviews/{interview}/x"))
    return cookie["ia_node"].value


async def until(check, timeout_s: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll `check()` (another process's state: nothing here to wait on) until truthy."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        if result := await check():
            return result
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_a_lost_process_ends_only_its_own_calls(cluster: Cluster) -> None:
    jar = aiohttp.CookieJar(unsafe=True)
    peers: list[CandidatePeer] = []
    async with aiohttp.ClientSession(cluster.url, cookie_jar=jar) as http:
        try:
            await signup(http)
            a, b, c, d = [(await create_interview(http))["id"] for _ in range(4)]
            peers = [CandidatePeer(video=False, freq_hz=f) for f in (440.0, 550.0, 660.0, 770.0)]
            on_a, on_b = await offer(http, peers[0], a), await offer(http, peers[1], b)
            assert {on_a, on_b} == {"n1", "n2"}  # one call on each process
            for node in cluster.members:
                assert (await cluster.admission(node))["sessions"] == 1
            # Every request of a live call reaches the process that holds it.
            for _ in range(3):
                assert await served_by(http, f"/api/interviews/{a}/code") == on_a
                assert await served_by(http, f"/api/interviews/{b}/code") == on_b

            lost, survivor = cluster.node(on_a), cluster.node(on_b)
            await asyncio.sleep(6.0)  # a few recording segments on disk before the crash
            await cluster.kill_node(lost)
            heard_before = len(peers[1].heard())
            await asyncio.sleep(2.0)
            assert len(peers[1].heard()) > heard_before + 48_000  # > 1 s more audio back
            peers[1].send({"type": "ping", "id": "after-kill"})
            assert (await peers[1].wait_event("pong"))["id"] == "after-kill"
            assert await served_by(http, f"/api/interviews/{b}/code") == on_b
            # The lost process's interview is still readable: the database is shared.
            assert await served_by(http, f"/api/interviews/{a}") == survivor.name

            # A new interview lands on the survivor, which then is full (MAX_SESSIONS=2) ...
            assert await offer(http, peers[2], c) == survivor.name
            assert (await cluster.admission(survivor))["status"] == "full"
            # ... so with no process that has room, the next call is refused, retry later.
            async with http.post(f"/api/interviews/{d}/offer",
                                 json=await peers[3].make_offer()) as resp:
                assert resp.status == 503 and int(resp.headers["Retry-After"]) > 0
                assert (await error_of(resp))["code"] == "at_capacity"

            # The lost process restarts on its data dir: the cut-off call's recording is
            # salvaged into the shared store, and it takes new calls again.
            await cluster.start_node(lost)
            record = await until(lambda: _interview_if(http, a, lambda r: r["has_audio"]), 60)
            assert record["status"] == "abandoned"
            peers[3] = CandidatePeer(video=False, freq_hz=770.0)
            assert await until(lambda: _admits(cluster, lost))
            # As the room does, a refused join is offered again: once the balancer's next
            # health check sees the restarted process, the call lands there.
            assert await offer_until_admitted(http, peers[3], d) == lost.name
            assert len(peers[1].heard()) > heard_before + 2 * 48_000  # b's call ran throughout
        finally:
            await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)


async def _interview_if(http: aiohttp.ClientSession, interview: str, done) -> dict | None:  # type: ignore[no-untyped-def]
    async with http.get(f"/api/interviews/{interview}") as resp:
        record = await resp.json()
    return record if done(record) else None


async def _admits(cluster: Cluster, node) -> bool:  # type: ignore[no-untyped-def]
    return (await cluster.admission(node))["status"] == "room"
