"""The offline server through the real google-genai live client: TLS, audio turns with
transcriptions, barge-in, tool calls, goAway and resumption, dropped connections."""

from __future__ import annotations

import asyncio
import ssl

import pytest
from google import genai
from google.genai import errors, types

from agents.offline import OfflineLiveServer
from tests.agents.offline.conftest import MODEL, Turn, absorb, live_config, next_turn, say
from tests.agents.offline.speech import silence, speech_16k, stream_pcm

KAFKA = "I would use Kafka as a message queue for the click analytics."


async def test_client_trusts_only_the_generated_ca(live_server: OfflineLiveServer) -> None:
    assert live_server.base_url.startswith("https://127.0.0.1:")
    client = genai.Client(api_key=live_server.secret, http_options=types.HttpOptions(
        base_url=live_server.base_url,
        async_client_args={"ssl": live_server.client_ssl_context()}))
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        assert session.session_id
    stranger = genai.Client(api_key=live_server.secret, http_options=types.HttpOptions(
        base_url=live_server.base_url,
        async_client_args={"ssl": ssl.create_default_context()}))
    with pytest.raises(ssl.SSLCertVerificationError):
        async with stranger.aio.live.connect(model=MODEL, config=live_config()):
            pass
    assert live_server.sessions_opened == 1


async def test_audio_turn_transcribed_and_answered_with_speech(
    live_server: OfflineLiveServer,
) -> None:
    client = live_server.genai_client()
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        sender = asyncio.create_task(stream_pcm(
            session, silence(300) + speech_16k(KAFKA) + silence(1200), chunk_ms=40, pace=3.0))
        turn = await next_turn(session)
        await sender
    words = set(turn.input_text.lower().split())
    assert {"kafka", "queue", "message", "analytics", "click"} & words, turn.input_text
    assert turn.input_finished
    assert turn.mime_types == {"audio/pcm;rate=24000"}
    assert turn.audio_s > 2.0 and turn.audio_rms > 500
    assert "introduc" in turn.output_text or "yourself" in turn.output_text \
        or "background" in turn.output_text, turn.output_text
    assert turn.handles  # resumption was requested: a handle after setup and after the turn


async def test_speaking_over_the_reply_interrupts_it(live_server: OfflineLiveServer) -> None:
    client = live_server.genai_client()
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        await say(session, "[the candidate has joined]")
        loop = asyncio.get_running_loop()
        greeting_sent = asyncio.Event()
        seen = Turn()
        interrupted_at: list[float] = []

        async def reader() -> None:
            async for msg in session.receive():  # the greeting turn, generated in full
                absorb(seen, msg)
            greeting_sent.set()
            while not seen.interrupted:  # the greeting counts as playing: next message
                msg = await session._receive()
                absorb(seen, msg)
                if seen.interrupted and not interrupted_at:
                    interrupted_at.append(loop.time())

        task = asyncio.create_task(reader())
        await asyncio.wait_for(greeting_sent.wait(), 30)
        assert seen.audio
        onset = loop.time()
        await stream_pcm(session, speech_16k(KAFKA) + silence(800), pace=1.0)
        await asyncio.wait_for(task, 10)
        reply = await next_turn(session)  # the answer to what was said over the greeting
    assert seen.interrupted and interrupted_at[0] - onset < 0.6
    assert live_server.interruptions == 1
    assert reply.audio_s > 0.5


async def test_tool_call_round_trip(live_server: OfflineLiveServer) -> None:
    client = live_server.genai_client()
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        await say(session, "[the candidate has joined]")
        greeting = await next_turn(session)
        await say(session, "Hi, my name is Sam and I build payment systems.")
        intro = await next_turn(session)
        assert len(intro.calls) == 1 and intro.calls[0].name == "advance_phase"
        assert intro.calls[0].args == {"phase": "interview",
                                       "reason": "The candidate introduced themselves."}
        assert "Sam" in intro.output_text
        await session.send_tool_response(function_responses=[types.FunctionResponse(
            id=intro.calls[0].id, name="advance_phase", response={"ok": True})])
        question = await next_turn(session)
    assert greeting.audio_s > 1.0 and not greeting.calls
    assert "URL shortener" in question.output_text and question.audio_s > 2.0
    assert live_server.tool_calls == 1


async def test_go_away_then_resume_keeps_the_conversation(
    live_server: OfflineLiveServer,
) -> None:
    client = live_server.genai_client()
    handles: list[str] = []
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        await say(session, "[the candidate has joined]")
        handles += (await next_turn(session)).handles
        await say(session, "My name is Sam.")
        intro = await next_turn(session)
        await session.send_tool_response(function_responses=[types.FunctionResponse(
            id=intro.calls[0].id, name="advance_phase", response={"ok": True})])
        handles += (await next_turn(session)).handles
        await say(session, "I would put a Redis cache in front of Postgres.")
        handles += (await next_turn(session)).handles
        assert live_server.send_go_away(0.3) == 1
        bye = Turn()
        with pytest.raises(errors.APIError):
            while True:
                absorb(bye, await asyncio.wait_for(session._receive(), 10))
        assert bye.go_away is not None and bye.go_away.time_left == "0.3s"
        handles += bye.handles

    resumed_config = live_config(handle=handles[-1])
    async with client.aio.live.connect(model=MODEL, config=resumed_config) as session:
        await say(session, "We can shard Postgres by user id. That's all, I'm done.")
        wrap = await next_turn(session)
        assert [c.args["phase"] for c in wrap.calls] == ["closing"]  # not a new greeting
        await session.send_tool_response(function_responses=[types.FunctionResponse(
            id=wrap.calls[0].id, name="advance_phase", response={"ok": True})])
        await next_turn(session)
        await say(session, "No questions, thanks.")
        goodbye = await next_turn(session)
    assert "Sam" in goodbye.output_text  # remembered across the reconnect
    assert [c.args["phase"] for c in goodbye.calls] == ["done"]
    assert live_server.resumptions == 1 and live_server.sessions_opened == 2


async def test_dropped_connection_resumes_with_the_last_handle(
    live_server: OfflineLiveServer,
) -> None:
    client = live_server.genai_client()
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        await say(session, "[the candidate has joined]")
        await next_turn(session)
        after = Turn()
        absorb(after, await session._receive())  # the handle sent after turnComplete
        assert live_server.drop_connections() == 1
        with pytest.raises(errors.APIError) as caught:
            while True:
                absorb(after, await asyncio.wait_for(session._receive(), 10))
        assert caught.value.code == 1006
        handle = after.handles[-1]
    async with client.aio.live.connect(model=MODEL, config=live_config(handle=handle)) as s2:
        await say(s2, "Hi, I'm Priya.")
        intro = await next_turn(s2)
    assert [c.args["phase"] for c in intro.calls] == ["interview"]
    assert live_server.resumptions == 1


async def test_manual_activity_and_text_modality(live_server: OfflineLiveServer) -> None:
    client = live_server.genai_client()
    config = live_config(
        response_modalities=["TEXT"], output_audio_transcription=None,
        realtime_input_config=types.RealtimeInputConfig(
            automatic_activity_detection=types.AutomaticActivityDetection(disabled=True)))
    async with client.aio.live.connect(model=MODEL, config=config) as session:
        await session.send_realtime_input(activity_start=types.ActivityStart())
        await stream_pcm(session, speech_16k(KAFKA), pace=4.0)
        await session.send_realtime_input(activity_end=types.ActivityEnd())
        await session.send_realtime_input(
            video=types.Blob(data=b"\xff\xd8\xff", mime_type="image/jpeg"))
        texts = []

        async def read() -> None:
            async for msg in session.receive():
                if msg.text:
                    texts.append(msg.text)

        await asyncio.wait_for(read(), 20)
    assert texts and not any(t is None for t in texts)
    assert "yourself" in "".join(texts) or "background" in "".join(texts) \
        or "introduc" in "".join(texts)


async def test_a_late_answer_to_a_cancelled_call_does_not_cut_off_the_reply(
    live_server: OfflineLiveServer,
) -> None:
    """The candidate types while the client is still running a tool call: the server cancels
    the call and answers them; the client's response to that call, arriving after, must not
    silence the answer (the candidate would wait for a reply that never comes)."""
    client = live_server.genai_client()
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        await say(session, "[the candidate has joined]")
        await next_turn(session)
        await say(session, "Hi, my name is Sam and I build payment systems.")
        intro = await next_turn(session)
        assert [c.name for c in intro.calls] == ["advance_phase"]
        await say(session, "Sorry, one more thing: I also led the team's on-call rotation.")
        await session.send_tool_response(function_responses=[types.FunctionResponse(
            id=intro.calls[0].id, name="advance_phase", response={"ok": True})])
        reply = await next_turn(session)
        while not reply.output_text and not reply.audio:  # (an empty turn may close the call)
            reply = await next_turn(session)
    assert reply.output_text.strip() and reply.audio_s > 0.5
