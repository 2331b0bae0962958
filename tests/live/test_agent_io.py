"""What an agent can do through AgentIO: captions, stored transcript rows, phases, typed
answers, and ending the interview."""

from __future__ import annotations

import asyncio

from agents.hooks import AgentIO
from server.state import SESSIONS
from tests.frames import sine_pcm
from tests.live.conftest import new_interview, wait_for_record
from tests.peers import CandidatePeer


async def scripted_agent(io: AgentIO) -> None:
    await io.set_question("url-shortener", "Design a URL shortener.")
    await io.set_phase("intro", {"memory": []})
    await io.transcript("agent", "Hi there", final=False)
    await io.transcript("agent", "Hi there, welcome!", final=True)
    io.play(sine_pcm(300.0, 1.0))
    typed = io.text_in().__aiter__()
    answer = await asyncio.wait_for(typed.__anext__(), 10)
    await io.transcript("candidate", answer, final=True)
    await io.set_phase("interview", {"memory": ["redis"]})
    await io.transcript("agent", "Tell me more about Redis.", final=True)
    await io.set_phase("closing")
    await io.set_phase("done")


async def test_agent_drives_captions_transcript_phases_and_completion(rtc) -> None:
    rtc.app[SESSIONS].agent_factory = lambda: scripted_agent
    interview_id = await new_interview(rtc)
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    assert (await peer.wait_event("phase"))["phase"] == "intro"
    partial = await peer.wait_event("caption")
    assert partial == {"type": "caption", "speaker": "agent", "text": "Hi there", "final": False}
    assert (await peer.wait_event("caption"))["final"] is True
    peer.send({"type": "chat.text", "text": "  I would use Redis for the cache.  "})
    phases = [(await peer.wait_event("phase"))["phase"] for _ in range(3)]
    assert phases == ["interview", "closing", "done"]
    record = await wait_for_record(rtc, interview_id, lambda r: r["status"] == "completed")
    await peer.close()
    assert record["current_phase"] == "done"
    assert record["question_text"] == "Design a URL shortener."
    assert record["session_state"] == {"memory": ["redis"]}
    assert record["stats"]["transcript_count"] == 3

    rows = (await (await rtc.get(f"/api/interviews/{interview_id}/transcriptions")).json())["items"]
    assert [(r["seq"], r["speaker"], r["text"]) for r in rows] == [
        (1, "agent", "Hi there, welcome!"),
        (2, "candidate", "I would use Redis for the cache."),
        (3, "agent", "Tell me more about Redis."),
    ]
    heard = peer.heard()
    assert (abs(heard) > 1000).sum() > 48_000 * 0.5


async def test_transcript_export_txt_and_json_is_stored_as_an_object(rtc) -> None:
    rtc.app[SESSIONS].agent_factory = lambda: scripted_agent
    interview_id = await new_interview(rtc)
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    await peer.wait_event("caption")
    peer.send({"type": "chat.text", "text": "Redis"})
    await wait_for_record(rtc, interview_id, lambda r: r["status"] == "completed")
    await peer.close()
    txt = await rtc.get(f"/api/interviews/{interview_id}/transcript?format=txt")
    assert txt.status == 200
    body = await txt.text()
    assert "Question: Design a URL shortener." in body
    assert body.index("Agent: Hi there, welcome!") < body.index("Candidate: Redis")
    js = await (await rtc.get(f"/api/interviews/{interview_id}/transcript?format=json")).json()
    assert [i["speaker"] for i in js["items"]] == ["agent", "candidate", "agent"]
    record = await (await rtc.get(f"/api/interviews/{interview_id}")).json()
    assert record["has_transcript"]
    bad = await rtc.get(f"/api/interviews/{interview_id}/transcript?format=pdf")
    assert bad.status == 400


async def test_typed_text_without_an_agent_is_an_error_event(rtc) -> None:
    rtc.app[SESSIONS].agent_factory = lambda: None
    interview_id = await new_interview(rtc)
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    peer.send({"type": "chat.text", "text": "hello?"})
    assert (await peer.wait_event("error"))["code"] == "no_agent"
    peer.send({"type": "chat.text"})
    assert (await peer.wait_event("error"))["code"] == "invalid"
    await peer.close()
