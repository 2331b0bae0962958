"""100 sessions one after another give their memory back, with production's GC settings.

The server freezes its start-up objects and raises the collection threshold (server/heap.py),
which leaves an ended session's cycles (aiortc's and ours) to a full collection that rarely
comes. The test runs with the collector's automatic passes off altogether, so only the server's
`Reclaimer` can free them: every InterviewSession and RTCPeerConnection must be gone soon after
the last call, and RSS back within 20 MB of where it was after the warm-up.
"""

from __future__ import annotations

import asyncio
import gc
import os

from aiortc import RTCPeerConnection

from server.live.reclaim import Reclaimer
from server.live.session import InterviewSession
from server.state import SESSIONS
from tests.live.conftest import new_interview
from tests.peers import CandidatePeer

SESSIONS_RUN = int(os.environ.get("SOAK_N", 100))
RSS_SLACK_MB = 20
WARM_UP = 40  # malloc arenas and caches fill over the first few dozen calls


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def alive(cls: type) -> int:
    return sum(1 for o in gc.get_objects() if isinstance(o, cls))


async def settled(timeout_s: float = 30.0) -> None:
    """Wait until no session or peer connection object is left (the Reclaimer's passes)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while alive(InterviewSession) or alive(RTCPeerConnection):
        assert asyncio.get_running_loop().time() < deadline, (
            alive(InterviewSession), alive(RTCPeerConnection))
        await asyncio.sleep(0.25)


async def test_a_hundred_sessions_give_their_memory_back(rtc) -> None:
    manager = rtc.app[SESSIONS]

    async def one_call() -> None:
        interview_id = await new_interview(rtc)
        peer = CandidatePeer()
        await peer.connect(rtc, interview_id)
        session = manager.live[interview_id]
        await asyncio.sleep(0.2)  # some audio and video through the recorder
        peer.send({"type": "session.end"})
        await asyncio.wait_for(session.ended.wait(), 10)
        await peer.close()
        del session, peer

    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()  # as python -m server does
    gc.disable()  # stricter than production's rare passes: no automatic collection at all
    try:
        for _ in range(WARM_UP):  # pools, caches, executor threads and their malloc arenas
            await one_call()
        await settled()
        base_rss = rss_mb()

        for i in range(SESSIONS_RUN):
            await one_call()
            if i % 20 == 19:
                print(f"after {i + 1} sessions: RSS {rss_mb() - base_rss:+.1f} MB")
        assert alive(InterviewSession) > 0  # cycles: reference counting alone does not free them
        await settled()
        await asyncio.sleep(1.0)
        grown = rss_mb() - base_rss
        print(f"RSS {base_rss:.0f} -> {rss_mb():.0f}")
        assert grown < RSS_SLACK_MB, f"RSS grew {grown:.1f} MB over {SESSIONS_RUN} sessions"
    finally:
        gc.enable()
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_steady_churn_does_not_starve_the_reclaimer(monkeypatch) -> None:
    monkeypatch.setattr(gc, "collect", lambda *a: 0)  # the schedule is under test, not the GC
    reclaimer = Reclaimer(delay_s=0.05, min_interval_s=0.1, late_s=10.0)  # no deferrals
    loop = asyncio.get_running_loop()
    until = loop.time() + 0.6
    while loop.time() < until:  # an ending every 20 ms, for 0.6 s
        reclaimer.session_ended()
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    assert 3 <= reclaimer.passes <= 8  # one per min_interval: not starved, not one per ending
    reclaimer.close()
