"""A running offline Live API server and google-genai live sessions against it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from google.genai import types

from agents.offline import OfflineLiveServer
from agents.offline.brief import EXAMPLE_BRIEF

MODEL = "gemini-live-2.5-flash-preview"
BRIEF = f"""You are a warm, professional interviewer.

{EXAMPLE_BRIEF}
"""
ADVANCE_PHASE = types.FunctionDeclaration(
    name="advance_phase",
    description="Move the interview to the next phase.",
    parameters=types.Schema(type="OBJECT", properties={
        "phase": types.Schema(type="STRING", enum=["intro", "interview", "closing", "done"]),
        "reason": types.Schema(type="STRING"),
    }, required=["phase", "reason"]),
)


def live_config(handle: str | None = None, **overrides: Any) -> types.LiveConnectConfig:
    values: dict[str, Any] = dict(
        response_modalities=["AUDIO"],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
        session_resumption=types.SessionResumptionConfig(handle=handle),
        tools=[types.Tool(function_declarations=[ADVANCE_PHASE])],
        system_instruction=BRIEF,
    )
    values.update(overrides)
    return types.LiveConnectConfig(**values)


@pytest.fixture
async def live_server() -> AsyncIterator[OfflineLiveServer]:
    # Audio goes out in a burst (lead 60 s) so tests need not wait in real time; the server
    # still counts the reply as playing for its full length, so barge-in works the same.
    server = OfflineLiveServer(seed=7, audio_lead_s=60.0)
    await server.start()
    yield server
    await server.close()


@dataclass
class Turn:
    """What one model turn (up to turnComplete) brought."""

    audio: bytearray = field(default_factory=bytearray)
    mime_types: set[str] = field(default_factory=set)
    input_text: str = ""
    input_finished: bool = False
    output_text: str = ""
    calls: list[types.FunctionCall] = field(default_factory=list)
    interrupted: bool = False
    handles: list[str] = field(default_factory=list)
    go_away: types.LiveServerGoAway | None = None
    cancelled_ids: list[str] = field(default_factory=list)

    @property
    def audio_s(self) -> float:
        return len(self.audio) / 48_000

    @property
    def audio_rms(self) -> float:
        samples = np.frombuffer(bytes(self.audio), dtype="<i2").astype(np.float64)
        return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def absorb(turn: Turn, msg: types.LiveServerMessage) -> None:
    sc = msg.server_content
    if sc is not None:
        if sc.model_turn and sc.model_turn.parts:
            for part in sc.model_turn.parts:
                if part.inline_data and part.inline_data.data:
                    turn.audio += part.inline_data.data
                    turn.mime_types.add(part.inline_data.mime_type or "")
        if sc.input_transcription:
            turn.input_text += sc.input_transcription.text or ""
            turn.input_finished |= bool(sc.input_transcription.finished)
        if sc.output_transcription:
            turn.output_text += sc.output_transcription.text or ""
        turn.interrupted |= bool(sc.interrupted)
    if msg.tool_call and msg.tool_call.function_calls:
        turn.calls.extend(msg.tool_call.function_calls)
    if msg.tool_call_cancellation:
        turn.cancelled_ids.extend(msg.tool_call_cancellation.ids or [])
    if msg.session_resumption_update and msg.session_resumption_update.new_handle:
        turn.handles.append(msg.session_resumption_update.new_handle)
    if msg.go_away:
        turn.go_away = msg.go_away


async def next_turn(session: Any, timeout_s: float = 20.0) -> Turn:
    """Messages up to and including the next turnComplete."""
    turn = Turn()

    async def read() -> None:
        async for msg in session.receive():
            absorb(turn, msg)

    await asyncio.wait_for(read(), timeout_s)
    return turn


async def say(session: Any, text: str) -> None:
    await session.send_client_content(
        turns=types.Content(role="user", parts=[types.Part(text=text)]), turn_complete=True
    )
