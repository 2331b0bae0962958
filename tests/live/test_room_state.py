"""`session.state`: the room as it is, sent on every join and again when the question or the
phase changes, so the question and the clock never depend on catching a one-off event."""

from __future__ import annotations

import asyncio
import time

from agents.hooks import AgentIO
from agents.questions import SYSTEM_DESIGN
from server.state import SESSIONS
from tests.http.helpers import create_interview
from tests.peers import CandidatePeer


async def asks_the_bank_question(io: AgentIO) -> None:
    question = SYSTEM_DESIGN[2]
    await io.set_question(question.id, question.text)
    await io.set_phase("intro")
    await io.set_phase("interview")
    await asyncio.sleep(30)  # stays in the call until the test leaves


async def test_state_on_join_then_on_question_and_phase(rtc) -> None:
    rtc.app[SESSIONS].agent_factory = lambda: asks_the_bank_question
    interview_id = (await create_interview(rtc, length_minutes=30))["id"]
    before = time.time()
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    first = await peer.wait_event("session.state")
    assert first["interview_id"] == interview_id and first["phase"] == "routing"
    assert first["length_minutes"] == 30 and abs(first["started_at"] - before) < 10
    assert [s["id"] for s in first["plan"]] == [
        "requirements", "high_level", "deep_dives", "wrap_up"]
    assert first["plan"][-1]["end_s"] == 30 * 60
    states = [await peer.wait_event("session.state") for _ in range(3)]
    question = SYSTEM_DESIGN[2]
    assert states[0]["question"] == {"id": question.id, "title": question.title,
                                     "text": question.text, "type": "system_design"}
    assert [s["phase"] for s in states] == ["routing", "intro", "interview"]
    assert all(s["started_at"] == first["started_at"] for s in states)
    await peer.close()


async def test_a_chosen_question_is_in_the_first_state(rtc) -> None:
    rtc.app[SESSIONS].agent_factory = lambda: None
    question = SYSTEM_DESIGN[0]
    interview_id = (await create_interview(rtc, question_id=question.id))["id"]
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    state = await peer.wait_event("session.state")
    assert state["question"]["id"] == question.id and state["length_minutes"] == 45
    await peer.close()
