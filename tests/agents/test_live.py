"""The live bridge's recovery, against the offline server: a goAway is absorbed by ADK's
own resumption; when `run_live` fails (here the model refuses new connections for a while)
the candidate is told, the bridge retries with back-off, and a fresh connection gets the
conversation replayed from the ADK session, so the interview carries on where it was."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator

import pytest
from google.adk.models import Gemini

from agents.interviewer import Interviewer
from agents.live import BACK_NOTE, SORRY_LINE, RetryPolicy, live_run_config
from agents.offline import OfflineLiveServer
from tests.agents.fake_io import FakeIO

MODEL = "gemini-2.5-flash-native-audio-preview-12-2025"


class FlakyGemini(Gemini):
    """Refuses the next `refusals` connections, as a model service that is down would."""

    refusals: int = 0

    @contextlib.asynccontextmanager
    async def connect(self, llm_request):  # type: ignore[no-untyped-def,override]
        if self.refusals > 0:
            self.refusals -= 1
            raise ConnectionRefusedError("the model service is down")
        async with super().connect(llm_request) as connection:
            yield connection


@pytest.fixture
async def server() -> AsyncIterator[OfflineLiveServer]:
    async with OfflineLiveServer(seed=11, words_per_minute=230) as s:
        yield s


async def test_retries_replay_the_conversation_into_a_new_connection(
    server: OfflineLiveServer,
) -> None:
    model = FlakyGemini(model=MODEL, client_kwargs={
        "api_key": server.secret, "http_options": server.http_options()})
    spoken: list[str] = []

    async def say(text: str) -> bytes:
        spoken.append(text)
        return bytes(4800)

    io = FakeIO()
    interviewer = Interviewer(model, say=say, retry=RetryPolicy(delays_s=(0.1, 0.2, 0.4)),
                              rng=random.Random(1))
    task = asyncio.create_task(interviewer(io))
    try:
        await io.wait_for(lambda: [c for c in io.captions if c[0] == "agent"])
        await io.typed.put("Hi, I'm Ada, I work on payments.")
        await io.wait_for(lambda: "interview" in io.phase_names())
        mark = len(io.rows)
        await io.wait_for(lambda: [r for r in io.rows[mark:] if r[0] == "agent"])  # question
        await asyncio.sleep(0.3)

        # The service rotates the connection (goAway): ADK resumes with its handle by itself.
        assert server.send_go_away(0.2) == 1
        await io.wait_for(lambda: server.resumptions >= 1, 10)
        assert SORRY_LINE not in spoken  # nothing the candidate notices
        await asyncio.sleep(0.3)

        opened, resumed = server.sessions_opened, server.resumptions
        model.refusals = 2  # ADK's own reconnect and our first retry both fail
        assert server.drop_connections() == 1
        await io.wait_for(lambda: SORRY_LINE in spoken, 15)
        assert {"type": "caption", "speaker": "agent", "text": SORRY_LINE,
                "final": True} in io.events
        await io.wait_for(lambda: server.sessions_opened > opened, 15)
        assert server.resumptions == resumed  # a fresh session, not a resumed one

        # The new connection got the history: the model is still in the interview.
        mark = len(io.rows)
        await io.typed.put("I would shard the ledger by account and use Kafka for events.")
        await io.wait_for(lambda: [r for r in io.rows[mark + 1:] if r[0] == "agent"], 20)
        await io.typed.put("That's all, I'm done.")
        await io.wait_for(lambda: "closing" in io.phase_names(), 20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert io.phase_names() == ["intro", "interview", "closing"]
    assert io.finished is None
    assert [who for who, _ in io.rows].count("candidate") == 3
    assert BACK_NOTE not in [text for _, text in io.rows]  # platform notes are not rows


async def test_gives_up_and_fails_the_interview_when_the_model_never_returns(
    server: OfflineLiveServer,
) -> None:
    model = FlakyGemini(model=MODEL, client_kwargs={
        "api_key": server.secret, "http_options": server.http_options()})
    io = FakeIO()
    task = asyncio.create_task(Interviewer(model, retry=RetryPolicy(delays_s=(0.05, 0.05)))(io))
    try:
        await io.wait_for(lambda: [c for c in io.captions if c[0] == "agent"])
        model.refusals = 100
        server.drop_connections()
        await asyncio.wait_for(io.ended.wait(), 20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert io.finished is not None
    status, reason = io.finished
    assert status == "failed" and "ConnectionRefusedError" in reason
    assert io.phases[-1][0] == "intro" and io.phases[-1][1]["question_id"]  # state saved
    assert io.events[-1]["type"] == "caption"


def test_run_config_asks_for_audio_transcripts_resumption_and_compression() -> None:
    config = live_run_config(voice="Kore")
    assert [m.value for m in config.response_modalities] == ["AUDIO"]
    assert config.input_audio_transcription is not None
    assert config.output_audio_transcription is not None
    assert config.session_resumption is not None and config.session_resumption.handle is None
    window = config.context_window_compression
    assert window is not None and window.sliding_window is not None
    assert window.trigger_tokens > window.sliding_window.target_tokens
    voice = config.speech_config.voice_config.prebuilt_voice_config.voice_name
    assert voice == "Kore"


async def test_the_queue_bounds_audio_and_sends_a_platform_note_once() -> None:
    from google.genai import types

    from agents.live import _BoundedQueue

    queue = _BoundedQueue(max_pending=3)
    for _ in range(5):
        queue.send_realtime(types.Blob(data=b"\0" * 1280, mime_type="audio/pcm;rate=16000"))
    assert queue.dropped_audio == 2
    queue.send_note(BACK_NOTE)
    queue.send_note(BACK_NOTE)  # still waiting: not queued twice
    taken = [await queue.get() for _ in range(4)]
    assert taken[-1].content is not None and taken[-1].content.parts[0].text == BACK_NOTE
    assert queue.waiting_note is None
    queue.send_note(BACK_NOTE)  # taken by a connection that failed: may go again
    assert queue.waiting_note is not None
