"""Rejoin (issue 9): a call lost without a hang-up waits for the same candidate, who comes
back on a new connection to the same interview; real aiortc peers, the real interviewer."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from server.http.app import create_app
from server.state import SESSIONS
from tests.http.helpers import PASSWORD, error_of, signup
from tests.live.conftest import new_interview, rtc_settings, wait_for_record
from tests.live.test_recording import RATE, decode, get, wait_media
from tests.media.signals import rms
from tests.peers import CandidatePeer

AWAY_S = 6.0


@pytest.fixture
async def waiting_room(aiohttp_client, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The real interviewer (offline Live API server); a lost call waits a minute."""
    settings = rtc_settings(tmp_path, agent="interviewer", rejoin_grace_s=60.0)
    client = await aiohttp_client(create_app(settings))
    await signup(client)
    return client


def quiet_peer() -> CandidatePeer:
    """A candidate who types: a live but silent microphone (a tone would be heard as speech)."""
    peer = CandidatePeer()
    peer.audio._pcm = np.zeros(RATE, np.int16)
    return peer


async def agent_says(peer: CandidatePeer, timeout_s: float = 60.0) -> str:
    while True:
        event = await peer.wait_event("caption", timeout_s)
        if event["speaker"] == "agent" and event["final"]:
            return event["text"]


async def wait_phase(peer: CandidatePeer, phase: str, timeout_s: float = 60.0) -> None:
    while (await peer.wait_event("phase", timeout_s))["phase"] != phase:
        pass


async def answer(peer: CandidatePeer, text: str) -> str:
    """Type an answer; return the interviewer's reply."""
    peer.events[:] = [e for e in peer.events if e.get("type") != "caption"]
    peer.send({"type": "chat.text", "text": text})
    return await agent_says(peer)


async def rows(client: Any, interview_id: str) -> list[dict]:
    return (await get(client, f"/api/interviews/{interview_id}/transcriptions"))["items"]


async def wait_until(check: Any, timeout_s: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)


async def test_a_dropped_call_is_rejoined_and_the_same_interview_goes_on(waiting_room) -> None:
    client = waiting_room
    interview_id = await new_interview(client)
    first = quiet_peer()
    started = time.monotonic()
    await first.connect(client, interview_id)
    await agent_says(first, 60.0)  # the greeting
    await answer(first, "Hi, I'm Ada, I build backend services in Go.")
    await wait_phase(first, "interview")
    await agent_says(first)  # the question
    before = await answer(first, "I would start with a token bucket per client kept in Redis.")
    assert before

    dropped = time.monotonic()
    await first.close()  # a reload: no "session.end"
    session = client.app[SESSIONS].live[interview_id]
    await wait_until(lambda: session.away)
    await asyncio.sleep(AWAY_S)
    record = await get(client, f"/api/interviews/{interview_id}")
    assert record["status"] == "in_progress"

    second = quiet_peer()
    await second.connect(client, interview_id)
    state = await second.wait_event("session.state")
    assert state["phase"] == "interview" and state["question"]
    shown = []  # the conversation so far comes first (a reloaded page has no captions)
    while len(shown) < 20 and "welcome back" not in (shown[-1:] or [""])[0].lower():
        event = await second.wait_event("caption", 60.0)
        if event["final"]:
            shown.append(event["text"])
    assert "welcome back" in shown[-1].lower(), shown
    assert any("token bucket" in t for t in shown[:-1]), shown
    reply = await answer(second, "For the limits themselves I'd use a sliding window in Redis.")
    assert reply and "welcome" not in reply.lower()
    await asyncio.sleep(1.0)
    second.send({"type": "session.end"})
    media = await wait_media(client, interview_id)
    ended = time.monotonic()
    await second.close()

    record = await get(client, f"/api/interviews/{interview_id}")
    assert record["status"] == "completed" and record["metadata"]["end_reason"] == "hang_up"
    assert session.rejoins == 1
    lines = await rows(client, interview_id)
    texts = [r["text"] for r in lines]
    assert [r["seq"] for r in lines] == sorted({r["seq"] for r in lines})  # one run, no reuse
    said = [i for i, t in enumerate(texts) if "token bucket" in t]
    welcomed = [i for i, t in enumerate(texts) if "welcome back" in t.lower()]
    later = [i for i, t in enumerate(texts) if "sliding window" in t]
    assert said and welcomed and later and said[0] < welcomed[0] < later[0]

    # One recording of the whole call: the time away is kept (as silence), not cut out.
    assert media["state"] == "ready" and media["audio"] and media["interview"]
    call_s = ended - started
    for url in (media["audio"]["url"], media["stems"]["candidate"]["url"]):
        seconds = len(decode(await get(client, url))) / RATE
        assert call_s - AWAY_S / 2 < seconds < call_s + 1.0, (url, seconds, call_s)
    interviewer = decode(await get(client, media["stems"]["interviewer"]["url"]))
    away_from = dropped - started
    # (The interviewer may finish a sentence into the gap: its track keeps its clock.)
    assert rms(interviewer, away_from + AWAY_S, len(interviewer) / RATE) > 0.01  # welcome back


async def test_after_the_grace_the_interview_is_abandoned(rtc) -> None:
    interview_id = await new_interview(rtc)  # tests.live.conftest: a 0.5 s grace
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    await asyncio.sleep(1.5)
    await peer.close()
    record = await wait_for_record(rtc, interview_id,
                                   lambda r: r["status"] != "in_progress" and r["has_audio"])
    assert record["status"] == "abandoned"
    assert record["metadata"]["end_reason"] in ("peer_closed", "peer_lost", "ice_failed")
    assert interview_id not in rtc.app[SESSIONS].live
    late = CandidatePeer(video=False)
    resp = await rtc.post(f"/api/interviews/{interview_id}/offer", json=await late.make_offer())
    assert resp.status == 409 and (await error_of(resp))["code"] == "not_live"
    await late.close()


async def test_a_second_live_peer_is_refused_and_only_the_owner_rejoins(waiting_room) -> None:
    client = waiting_room
    client.app[SESSIONS].agent_factory = lambda: None  # no interviewer needed here
    interview_id = await new_interview(client)
    first = CandidatePeer(video=False)
    await first.connect(client, interview_id)
    second = CandidatePeer(video=False)
    resp = await client.post(f"/api/interviews/{interview_id}/offer",
                             json=await second.make_offer())
    assert resp.status == 409 and (await error_of(resp))["code"] == "already_connected"
    await first.close()
    session = client.app[SESSIONS].live[interview_id]
    await wait_until(lambda: session.away)

    # Someone else cannot take the waiting interview over.
    await client.post("/api/auth/logout")
    await signup(client, "eve@example.com", "Eve")
    resp = await client.post(f"/api/interviews/{interview_id}/offer",
                             json=second.offer_body())
    assert resp.status == 404
    assert session.away and session.rejoins == 0
    await client.post("/api/auth/logout")
    resp = await client.post("/api/auth/login",
                             json={"email": "ada@example.com", "password": PASSWORD})
    assert resp.status == 200

    await second.connect(client, interview_id)  # the owner can
    assert not session.away and session.rejoins == 1
    third = CandidatePeer(video=False)
    resp = await client.post(f"/api/interviews/{interview_id}/offer",
                             json=await third.make_offer())
    assert resp.status == 409 and (await error_of(resp))["code"] == "already_connected"
    await third.close()
    assert len(client.app[SESSIONS].live) == 1  # one session per interview, waiting or not
    second.send({"type": "session.end"})
    await wait_for_record(client, interview_id, lambda r: r["status"] == "completed")
    await second.close()
