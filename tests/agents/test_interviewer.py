"""The interviewer end to end against our offline Live API server, through ADK `run_live`,
with a fake `AgentIO`: it greets first, hears speech and typing, moves through the phases
with its tool, remembers what the candidate said, and ends the interview."""

from __future__ import annotations

import asyncio
import random

import pytest

from agents.interviewer import Interviewer
from agents.live_model import LiveModel
from tests.agents.fake_io import FakeIO, speech_16k

MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"


@pytest.fixture
async def voice():  # type: ignore[no-untyped-def]
    model = LiveModel(MODEL, words_per_minute=230, seed=7)
    await model()
    yield model
    await model.close()


def rows_after(io: FakeIO, index: int, speaker: str) -> list[str]:
    return [text for who, text in io.rows[index:] if who == speaker]


async def test_a_whole_interview_by_voice_and_typing(voice: LiveModel) -> None:
    io = FakeIO()
    task = asyncio.create_task(Interviewer(voice, say=voice.say, rng=random.Random(3))(io))
    try:
        # The interviewer speaks first, in the intro phase, about a recorded question.
        await io.wait_for(lambda: rows_after(io, 0, "agent"))
        assert io.rows[0][0] == "agent"
        assert io.phase_names()[0] == "intro"
        assert io.question is not None and io.question[0].startswith("sd-")
        assert io.played_s > 1.0
        assert any(not final for who, _, final in io.captions if who == "agent")  # captions

        # A spoken introduction → a stored candidate row, an answer, the interview phase.
        await asyncio.sleep(1.5)  # let the greeting finish playing (no barge-in)
        io.say(speech_16k("Hi, my name is Ada. I build payment systems with Python and "
                          "Postgres."), trailing_silence_s=1.0)
        mark = len(io.rows)
        spoken = await io.wait_for(lambda: rows_after(io, mark, "candidate"), 30)
        assert len(spoken[0].split()) >= 3, spoken
        await io.wait_for(lambda: "interview" in io.phase_names(), 30)
        await io.wait_for(lambda: rows_after(io, mark + 1, "agent"))

        # A typed answer gets a reply that builds on it.
        mark = len(io.rows)
        await io.typed.put("I would put Redis in front of the database as a cache.")
        await io.wait_for(lambda: rows_after(io, mark, "agent"))
        assert io.rows[mark] == ("candidate",
                                 "I would put Redis in front of the database as a cache.")

        # Wrapping up: closing, the candidate's questions, goodbye, done.
        await io.typed.put("That's all, I'm done.")
        await io.wait_for(lambda: "closing" in io.phase_names())
        await io.typed.put("No questions, thanks.")
        await asyncio.wait_for(io.ended.wait(), 30)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert io.phase_names() == ["intro", "interview", "closing", "done"]
    assert io.finished is None
    state = io.phases[-1][1]
    assert state is not None
    assert state["phase"] == "done" and state["question_id"] == io.question[0]
    assert "Redis" in state["memory"]["technologies"]
    assert "Redis" in state["memory_summary"]
    assert [h["phase"] for h in state["phase_history"]] == ["intro", "interview", "closing",
                                                            "done"]
    leftovers = [t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("live-")]
    assert leftovers == []


async def test_barge_in_interrupts_the_interviewer_at_once(voice: LiveModel) -> None:
    io = FakeIO()
    task = asyncio.create_task(Interviewer(voice, rng=random.Random(5))(io))
    try:
        await io.wait_for(lambda: io.played_s > 0.5)
        io.say(speech_16k("Sorry, can I ask something first?"), trailing_silence_s=1.0)
        await io.wait_for(lambda: io.interrupts > 0, 15)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_an_existing_question_is_kept(voice: LiveModel) -> None:
    from agents.hooks import InterviewBrief

    io = FakeIO(InterviewBrief(
        interview_id="iv-2", type="coding", role="Software Engineer", level="mid",
        company="meta", question_id="balanced-brackets",
        question_text="Check whether the brackets in a string are balanced.",
    ))
    task = asyncio.create_task(Interviewer(voice)(io))
    try:
        await io.wait_for(lambda: [c for c in io.captions if c[0] == "agent"])
        assert io.question is None  # nothing new recorded
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_30_minute_interview_paces_itself_on_a_fast_clock() -> None:
    """The whole path: the Interviewer's time notes (its injected clock jumps a minute per
    answer) → ADK `run_live` → our offline Live server's brain, which must keep asking until
    the wrap-up time of a 30-minute interview (minute 27), never closing before minute 20."""
    from agents.hooks import InterviewBrief

    # Audio is streamed as fast as it is made (lead 10 min): nothing here waits for speech.
    model = LiveModel(MODEL, words_per_minute=400, seed=5, speech_recognition=False,
                      audio_lead_s=600.0)
    now = [1_000_000.0]
    io = FakeIO(InterviewBrief(
        interview_id="iv-pace", type="system_design", role="Backend Engineer",
        level="senior", company="google", length_minutes=30, started_at=now[0],
    ))
    task = asyncio.create_task(Interviewer(model, rng=random.Random(4), clock=lambda: now[0])(io))
    answers = ["I'd keep the links in Postgres with base62 ids.",
               "A Redis cache in front keeps redirects fast.",
               "Clicks go through Kafka to the analytics store.",
               "We shard by the short code and replicate reads."]
    try:
        await io.wait_for(lambda: rows_after(io, 0, "agent"), 30)
        await io.typed.put("Hi, I'm Ada, I build payment systems.")
        await io.wait_for(lambda: "interview" in io.phase_names(), 30)
        closed_at = None
        for minute in range(1, 34):
            now[0] += 60.0
            mark = len(io.rows)
            await io.typed.put(answers[minute % len(answers)])
            await io.wait_for(lambda m=mark: rows_after(io, m + 1, "agent"), 30)
            await asyncio.sleep(0.05)  # the time note goes out as the turn completes
            if "closing" in io.phase_names():
                closed_at = minute
                break
        assert closed_at is not None, io.rows[-4:]
        # The note the brain acted on is one answer behind the clock.
        assert 27 <= closed_at <= 29, closed_at
        agent = rows_after(io, 0, "agent")
        assert sum("wrap up" in t.lower() or "good place to stop" in t.lower()
                   for t in agent) <= 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await model.close()
