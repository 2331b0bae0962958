"""A stand-in for the server's `AgentIO`, to test the interviewer on its own: a microphone
that plays speech at real-time pace (silence in between), a typed-answer queue, and a record
of everything the agent did (audio, captions, rows, phases, the ending)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from agents.hooks import BoardSnapshot, InterviewBrief
from agents.offline.tts import resample, wav_pcm

CHUNK_BYTES = 640  # 20 ms of 16 kHz mono s16
SILENCE = bytes(CHUNK_BYTES)


def speech_16k(text: str, words_per_minute: int = 160) -> bytes:
    """`text` spoken by espeak-ng, as 16 kHz mono s16 PCM."""
    assert shutil.which("espeak-ng"), "espeak-ng is missing: run the test command (make test)"
    wav = subprocess.run(["espeak-ng", "-s", str(words_per_minute), "--stdout", text],
                         check=True, capture_output=True).stdout
    pcm, rate = wav_pcm(wav)
    return resample(pcm, rate, 16_000)


class FakeIO:
    def __init__(self, brief: InterviewBrief | None = None) -> None:
        self.brief = brief or InterviewBrief(
            interview_id="iv-test", type="system_design", role="Backend Engineer",
            level="senior", company="google",
        )
        self.typed: asyncio.Queue[str] = asyncio.Queue()
        self.code: dict[str, Any] | None = None  # what current_code() answers
        self.results: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.played: list[tuple[float, int]] = []  # (when, bytes)
        self.interrupts = 0
        self.events: list[dict[str, Any]] = []
        self.captions: list[tuple[str, str, bool]] = []
        self.rows: list[tuple[str, str]] = []
        self.phases: list[tuple[str, dict[str, Any] | None]] = []
        self.question: tuple[str, str] | None = None
        self.finished: tuple[str, str] | None = None
        self.ended = asyncio.Event()
        self._mic: deque[bytes] = deque()
        self._mic_open = True
        self._changed = asyncio.Event()
        self.board: BoardSnapshot | None = None
        self._board_changed = asyncio.Event()
        self.reviews: list[dict[str, Any]] = []
        self.rejoins: asyncio.Queue[None] = asyncio.Queue()  # put: the candidate came back

    # -- AgentIO ------------------------------------------------------------------------

    async def pcm_in(self) -> AsyncIterator[bytes]:
        """20 ms chunks at real-time pace: queued speech, otherwise silence."""
        t0 = time.monotonic()
        n = 0
        while self._mic_open:
            n += 1
            await asyncio.sleep(max(0.0, t0 + n * 0.02 - time.monotonic()))
            yield self._mic.popleft() if self._mic else SILENCE

    async def text_in(self) -> AsyncIterator[str]:
        while True:
            yield await self.typed.get()

    def current_code(self) -> dict[str, Any] | None:
        return self.code

    async def code_results(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.results.get()

    async def rejoined(self) -> AsyncIterator[None]:
        while True:
            yield await self.rejoins.get()

    def play(self, pcm_24k: bytes) -> None:
        self.played.append((time.monotonic(), len(pcm_24k)))

    def interrupt(self) -> None:
        self.interrupts += 1

    def send_event(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    async def transcript(self, speaker: str, text: str, final: bool) -> None:
        self.captions.append((speaker, text, final))
        if final:
            self.rows.append((speaker, text))
        self._poke()

    async def set_question(self, question_id: str, text: str) -> None:
        self.question = (question_id, text)

    async def set_phase(self, phase: str, state: dict[str, Any] | None = None) -> None:
        self.phases.append((phase, state))
        self._poke()
        if phase == "done":
            self.ended.set()

    async def finish(self, status: str, reason: str) -> None:
        self.finished = (status, reason)
        self.ended.set()
        self._poke()

    def latest_board(self) -> BoardSnapshot | None:
        return self.board

    async def board_changes(self) -> AsyncIterator[BoardSnapshot]:
        while True:
            await self._board_changed.wait()
            self._board_changed.clear()
            if self.board is not None:
                yield self.board

    async def save_review(self, review: dict[str, Any]) -> None:
        self.reviews.append(review)
        self._poke()

    # -- test controls --------------------------------------------------------------------

    def draw(self, snapshot: BoardSnapshot) -> None:
        """The candidate's board changed (as the server's canvas keeper reports it)."""
        self.board = snapshot
        self._board_changed.set()

    def say(self, pcm_16k: bytes, trailing_silence_s: float = 0.0) -> None:
        data = pcm_16k + bytes(round(trailing_silence_s * 16_000) * 2)
        data += bytes(-len(data) % CHUNK_BYTES)
        self._mic.extend(data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES))

    def close_mic(self) -> None:
        self._mic_open = False

    @property
    def played_s(self) -> float:
        return sum(n for _, n in self.played) / 48_000

    def phase_names(self) -> list[str]:
        return [p for p, _ in self.phases]

    def _poke(self) -> None:
        self._changed.set()

    async def wait_for(self, check: Any, timeout_s: float = 20.0) -> Any:
        """Wait until `check()` returns something truthy; return it."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out; rows={self.rows} phases={self.phase_names()}"
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
            except TimeoutError:
                pass
