"""ADK's `Runner.run_live` against the offline server: the same path as production, with the
model's base URL and TLS trust pointed at 127.0.0.1. Also a goAway that ADK survives by
reconnecting with its resumption handle."""

from __future__ import annotations

import asyncio
from typing import Any

from google.adk.agents import LiveRequestQueue, LlmAgent
from google.adk.agents.run_config import RunConfig, StreamingMode
from google.adk.runners import Runner
from google.adk.sessions import InMemorySessionService
from google.genai import types

from agents.offline import OfflineLiveServer
from tests.agents.offline.conftest import BRIEF, MODEL


async def test_run_live_greets_calls_the_tool_and_survives_go_away(
    live_server: OfflineLiveServer,
) -> None:
    phases: list[str] = []

    def advance_phase(phase: str, reason: str) -> dict[str, Any]:
        """Move the interview to another phase (intro, interview, closing, done)."""
        phases.append(phase)
        return {"ok": True, "phase": phase}

    model = live_server.adk_model(MODEL)  # Gemini(model=..., client_kwargs={api_key, http_options})
    agent = LlmAgent(name="interviewer", model=model, instruction=BRIEF, tools=[advance_phase])
    sessions = InMemorySessionService()
    runner = Runner(app_name="offline-test", agent=agent, session_service=sessions)
    adk_session = await sessions.create_session(app_name="offline-test", user_id="candidate")
    queue = LiveRequestQueue()
    config = RunConfig(
        response_modalities=["AUDIO"], streaming_mode=StreamingMode.BIDI,
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
        session_resumption=types.SessionResumptionConfig(),
    )
    seen: dict[str, Any] = {"audio": 0, "out": [], "turns": 0, "calls": [], "after_resume": ""}

    async def go_away_then_answer() -> None:
        live_server.send_go_away(0.2)
        for _ in range(500):  # ADK reconnects with its handle (polling a counter)
            if live_server.resumptions:
                break
            await asyncio.sleep(0.02)
        queue.send_content(types.Content(role="user", parts=[
            types.Part(text="Hi, I'm Sam, I build payment systems.")]))

    helper: asyncio.Task[None] | None = None

    async def conversation() -> None:
        nonlocal helper
        queue.send_content(types.Content(role="user",
                                         parts=[types.Part(text="[the candidate has joined]")]))
        async for event in runner.run_live(user_id="candidate", session_id=adk_session.id,
                                           live_request_queue=queue, run_config=config):
            for part in (event.content.parts if event.content and event.content.parts else []):
                if part.inline_data and part.inline_data.mime_type == "audio/pcm;rate=24000":
                    seen["audio"] += len(part.inline_data.data or b"")
                if part.function_call:
                    seen["calls"].append(part.function_call.name)
            if event.output_transcription and event.output_transcription.finished:
                seen["out"].append(event.output_transcription.text)
                if live_server.resumptions:
                    seen["after_resume"] += event.output_transcription.text or ""
            if not event.turn_complete:
                continue
            seen["turns"] += 1
            if seen["turns"] == 1:  # the greeting
                helper = asyncio.create_task(go_away_then_answer())
            elif "URL shortener" in seen["after_resume"]:
                return

    await asyncio.wait_for(conversation(), 90)  # liveness bound; a busy machine is slow
    queue.close()
    assert helper is not None and helper.done()
    assert seen["audio"] > 48_000  # more than a second of 24 kHz speech
    assert any("introduc" in t or "yourself" in t or "background" in t for t in seen["out"])
    assert live_server.resumptions == 1 and live_server.sessions_opened == 2
    assert phases == ["interview"] and seen["calls"] == ["advance_phase"]
    assert "Sam" in seen["after_resume"]
