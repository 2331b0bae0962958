"""What the offline Live server shares with each of its connections, and what it counts."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field

from agents.offline.asr import AsrModel
from agents.offline.asr_pool import AsrPool
from agents.offline.pool import ModelPool
from agents.offline.resumption import HandleStore
from agents.offline.tts import Synthesizer
from agents.offline.vad import VadConfig
from agents.offline.whisper import WhisperRecognizer


@dataclass
class Counters:
    sessions_opened: int = 0
    resumptions: int = 0
    resumption_misses: int = 0
    turns: int = 0
    user_turns: int = 0
    interruptions: int = 0
    tool_calls: int = 0
    tool_responses: int = 0
    tool_cancellations: int = 0
    go_aways: int = 0
    dropped: int = 0
    protocol_errors: int = 0
    images: int = 0  # image frames received (the whiteboard PNG)
    refused_overloaded: int = 0


@dataclass
class SessionContext:
    """What the server shares with its sessions."""

    synthesizer: Synthesizer
    asr: AsrModel | None
    executor: Executor | None
    handles: HandleStore
    counters: Counters
    asr_pool: AsrPool | None = None  # recognition in worker processes (off the app's GIL)
    vad: VadConfig = field(default_factory=VadConfig)
    audio_lead_s: float = 1.0
    chunk_ms: int = 80
    seed: int = 0
    tool_wait_s: float = 60.0
    whisper: WhisperRecognizer | None = None  # preferred over `asr` (pocketsphinx) when set
    pool: ModelPool | None = None


def holds_turn_for_tools(model: str) -> bool:
    """Gemini 3.x Live keeps the turn open until the tool response (no turnComplete before);
    earlier models end the turn after the tool call (and ADK waits for that turnComplete)."""
    name = model.rsplit("/", 1)[-1]
    return name.startswith("gemini-3.") and "-live" in name
