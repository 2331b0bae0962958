"""The interviewer's model connection fails mid-interview, in the real server with an aiortc
candidate: a dropped connection is resumed with the conversation intact; a model that is
gone for good ends the interview `failed` after telling the candidate. Either way the
recording is stored and nothing of the session keeps running."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from agents.interviewer import Interviewer
from agents.live import SORRY_LINE, RetryPolicy
from server.http.app import create_app
from server.live.startup import VOICE_MODEL
from server.state import SESSIONS
from tests.http.helpers import signup
from tests.live.conftest import new_interview, rtc_settings, wait_for_record
from tests.peers import CandidatePeer


@pytest.fixture
async def app_client(aiohttp_client, tmp_path: Path):  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app(rtc_settings(tmp_path, agent="interviewer")))
    await signup(client)
    return client


def quiet_peer() -> CandidatePeer:
    """A candidate whose microphone is on but silent (they answer by typing here)."""
    peer = CandidatePeer(video=False)
    peer.audio._pcm = np.zeros(48_000, np.int16)
    return peer


async def wait_caption(peer: CandidatePeer, speaker: str, timeout_s: float = 20.0,
                       *, final: bool = True) -> dict:
    """The next (final) caption from `speaker` (earlier ones are consumed)."""
    while True:
        event = await peer.wait_event("caption", timeout_s)
        if event["speaker"] == speaker and (event["final"] or not final):
            return event


async def wait_phase(peer: CandidatePeer, phase: str, timeout_s: float = 20.0) -> None:
    while (await peer.wait_event("phase", timeout_s))["phase"] != phase:
        pass


def live_tasks() -> list[str]:
    return [t.get_name() for t in asyncio.all_tasks()
            if t.get_name().startswith(("live-", "agent-")) and not t.done()]


async def test_a_dropped_model_connection_resumes_with_the_conversation_intact(
    app_client,  # type: ignore[no-untyped-def]
) -> None:
    voice = app_client.app[VOICE_MODEL]
    assert voice is not None and voice.offline is None  # started by the first interview
    interview_id = await new_interview(app_client)
    peer = quiet_peer()
    await peer.connect(app_client, interview_id)
    try:
        await wait_phase(peer, "intro")
        assert voice.offline is not None
        await wait_caption(peer, "agent", final=False)
        peer.send({"type": "chat.text", "text": "Hi, I'm Ada, I build backend services."})
        await wait_phase(peer, "interview")
        peer.events = [e for e in peer.events if e.get("final") is False]
        question = await wait_caption(peer, "agent")  # the question, its turn complete
        assert question["text"]
        await asyncio.sleep(0.3)  # the server files a resumption handle after each turn

        assert voice.offline.drop_connections() >= 1
        await asyncio.sleep(0.5)
        peer.events.clear()
        peer.send({"type": "chat.text", "text": "I would use Redis as a cache for reads."})
        reply = await wait_caption(peer, "agent", 30)
        assert reply["text"]
        assert voice.offline.resumptions >= 1  # ADK reconnected with the session handle

        # The resumed model still knows where the interview is: it can wrap up.
        peer.send({"type": "chat.text", "text": "That's all, I'm done."})
        await wait_phase(peer, "closing", 30)
        peer.send({"type": "session.end"})
        record = await wait_for_record(app_client, interview_id,
                                       lambda r: r["status"] == "completed", 30)
    finally:
        await peer.close()
    assert record["session_state"]["phase"] == "closing"
    assert "Redis" in record["session_state"]["memory"]["technologies"]
    rows = (await (await app_client.get(
        f"/api/interviews/{interview_id}/transcriptions")).json())["items"]
    typed = [r["text"] for r in rows if r["speaker"] == "candidate"]
    assert typed[:2] == ["Hi, I'm Ada, I build backend services.",
                         "I would use Redis as a cache for reads."]
    assert rows[0]["speaker"] == "agent"
    assert [r["seq"] for r in rows] == sorted(r["seq"] for r in rows)
    record = await wait_for_record(app_client, interview_id, lambda r: r["has_audio"], 30)
    assert live_tasks() == []
    await _no_model_sessions_left(voice)


async def test_a_model_gone_for_good_ends_the_interview_failed_and_keeps_the_recording(
    app_client,  # type: ignore[no-untyped-def]
) -> None:
    voice = app_client.app[VOICE_MODEL]
    app_client.app[SESSIONS].agent_factory = lambda: Interviewer(
        voice, say=voice.say, retry=RetryPolicy(delays_s=(0.2, 0.4))
    )
    interview_id = await new_interview(app_client)
    peer = quiet_peer()
    await peer.connect(app_client, interview_id)
    try:
        await wait_phase(peer, "intro")
        await wait_caption(peer, "agent", final=False)
        heard_before = len(peer.heard())
        await voice.offline.close()  # the model service is gone: reconnects are refused
        while (await wait_caption(peer, "agent", 30))["text"] != SORRY_LINE:
            pass  # what the interviewer had said when the line went dead comes first
        record = await wait_for_record(app_client, interview_id,
                                       lambda r: r["status"] == "failed", 60)
        spoken = peer.heard()[heard_before:]
        assert (np.abs(spoken) > 1000).sum() > 48_000 * 0.5  # the notice was spoken too
    finally:
        await peer.close()
    assert record["metadata"]["end_reason"] == "agent_failed"
    assert record["metadata"]["end_detail"].startswith("live model unavailable")
    assert record["session_state"]["phase"] == "intro"  # the state was kept
    assert record["session_state"]["question_id"]
    record = await wait_for_record(app_client, interview_id, lambda r: r["has_audio"], 30)
    assert live_tasks() == []


async def _no_model_sessions_left(voice) -> None:  # type: ignore[no-untyped-def]
    for _ in range(50):
        if voice.offline.active_sessions == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{voice.offline.active_sessions} model sessions left open")
