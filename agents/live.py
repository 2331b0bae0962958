"""The live bridge: one ADK live agent (`Runner.run_live`) talking to one `AgentIO`.

In: the candidate's 16 kHz PCM (two 20 ms chunks per message) and typed answers go into a
`LiveRequestQueue`. Out: the model's 24 kHz audio goes to `io.play`, `interrupted` to
`io.interrupt` at once, transcriptions to `io.transcript` (partials as growing captions,
finals as stored rows: the candidate's from input transcription, the interviewer's from
output transcription).

Long interviews and failures, in three layers:
- The Live service ends a connection every ~10-15 min. ADK 2.13 handles that itself when
  `session_resumption` is on: it keeps the newest handle from `sessionResumptionUpdate`,
  and on `goAway` or a dropped socket (1000/1006/1011) reconnects with it (≤ 5 tries, no
  pause) without replaying history. Context-window compression keeps a 45-minute
  conversation inside the model's window.
- When `run_live` fails anyway (no handle yet, the handle refused, the server down), this
  bridge tells the candidate (a caption and a short line spoken with local TTS), waits
  with back-off and calls `run_live` again on the same ADK session: the first retry with
  the newest handle, later ones without it, so ADK replays the stored conversation (every
  final transcription and typed answer) into a fresh connection.
- When the retries run out, the candidate hears a goodbye and the interview ends
  `failed` through `io.finish`; the server finalises the recording either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, Protocol

from google.adk.agents import BaseAgent
from google.adk.agents.live_request_queue import LiveRequest, LiveRequestQueue
from google.adk.agents.run_config import RunConfig, StreamingMode
from google.adk.events import Event
from google.adk.runners import Runner
from google.adk.sessions import InMemorySessionService
from google.genai import types

from agents.hooks import AgentIO, Speaker

log = logging.getLogger(__name__)

AUDIO_IN_MIME = "audio/pcm;rate=16000"
CHUNKS_PER_MESSAGE = 2  # 2 × 20 ms: half the messages, still well under the model's frame
MAX_PENDING_AUDIO = 100  # 4 s of 40 ms messages waiting for a (re)connecting socket
APP_NAME = "interview-agent"
RECENT_LINES = 60
RECENT_WINDOW_S = 300.0

BACK_NOTE = "[The call dropped for a moment and is back now. Pick up where you left off.]"
SORRY_LINE = "Sorry, I lost the connection for a moment. Bear with me, I'll be right back."
GIVE_UP_LINE = (
    "I'm really sorry, we're having technical trouble on our side and can't continue "
    "right now. Your recording is saved. Please try again in a little while."
)


@dataclass(frozen=True)
class RetryPolicy:
    """Pauses between attempts after `run_live` fails; a connection that stayed up for
    `healthy_after_s` starts a fresh count."""

    delays_s: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)
    healthy_after_s: float = 60.0


def live_run_config(*, voice: str | None = None) -> RunConfig:
    """Audio out, both transcriptions, session resumption and context-window compression."""
    speech = None
    if voice:
        speech = types.SpeechConfig(
            voice_config=types.VoiceConfig(
                prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name=voice)
            )
        )
    return RunConfig(
        streaming_mode=StreamingMode.BIDI,
        response_modalities=[types.Modality.AUDIO],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        output_audio_transcription=types.AudioTranscriptionConfig(),
        session_resumption=types.SessionResumptionConfig(),
        context_window_compression=types.ContextWindowCompressionConfig(
            trigger_tokens=64_000,
            sliding_window=types.SlidingWindow(target_tokens=32_000),
        ),
        speech_config=speech,
    )


class LiveListener(Protocol):
    """What the conversation layer above the bridge wants to hear about."""

    def on_candidate_said(self, text: str) -> None: ...
    def on_agent_turn_complete(self) -> None: ...
    async def on_model_lost(self, reason: str) -> None: ...


class _QuietListener:
    def on_candidate_said(self, text: str) -> None:
        pass

    def on_agent_turn_complete(self) -> None:
        pass

    async def on_model_lost(self, reason: str) -> None:
        pass


class _BoundedQueue(LiveRequestQueue):
    """Audio beyond `MAX_PENDING_AUDIO` waiting messages is dropped (and counted) instead of
    piling up while no connection reads the queue; text and control always go in."""

    def __init__(self, max_pending: int = MAX_PENDING_AUDIO) -> None:
        super().__init__()
        self.max_pending = max_pending
        self.dropped_audio = 0

        self.waiting_note: LiveRequest | None = None  # not yet taken by a connection

    def send_realtime(self, blob: types.Blob) -> None:
        if self._queue.qsize() >= self.max_pending:
            self.dropped_audio += 1
            return
        super().send_realtime(blob)

    def send_note(self, text: str) -> None:
        """A platform note that should reach the model once, however many reconnects."""
        if self.waiting_note is None:
            self.waiting_note = LiveRequest(
                content=types.Content(role="user", parts=[types.Part(text=text)]))
            self.send(self.waiting_note)

    async def get(self) -> LiveRequest:
        request = await super().get()
        if request is self.waiting_note:
            self.waiting_note = None
        return request


Say = Callable[[str], Awaitable[bytes]]


class LiveBridge:
    def __init__(
        self,
        io: AgentIO,
        agent: BaseAgent,
        *,
        run_config: RunConfig | None = None,
        listener: LiveListener | None = None,
        retry: RetryPolicy = RetryPolicy(),
        say: Say | None = None,
        initial_state: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.io = io
        self.agent = agent
        self.run_config = run_config or live_run_config()
        self.listener: LiveListener = listener or _QuietListener()
        self.retry = retry
        self.queue = _BoundedQueue()
        self.resumption_handle: str | None = None
        self.connections = 0  # run_live calls made
        self.failures: list[str] = []
        self.last_agent_audio_at = 0.0
        self.agent_audio_s = 0.0
        self._say = say
        self._initial_state = initial_state or {}
        self._clock = clock
        self._live = False  # a run_live is in progress: forward the candidate's audio
        self._partial: dict[Speaker, str] = {"candidate": "", "agent": ""}
        self._stored: dict[Speaker, str] = {"candidate": "", "agent": ""}  # of the partial
        self._last_speaker: Speaker | None = None  # of the newest stored row
        self.recent: deque[tuple[float, Speaker, str]] = deque(maxlen=RECENT_LINES)

    # -- what the conversation layer may send -------------------------------------------

    def send_text(self, text: str, *, partial: bool = False) -> None:
        """A user-role text turn; `partial=True` adds context without asking for a reply."""
        content = types.Content(role="user", parts=[types.Part(text=text)])
        self.queue.send_content(content, partial=partial)

    def agent_quiet_for(self) -> float:
        """Seconds since the model's last audio reached the candidate's queue."""
        return self._clock() - self.last_agent_audio_at

    # -- the run --------------------------------------------------------------------------

    async def run(self, opening: str | None = None) -> None:
        """Talk until the session ends (this task is cancelled) or the model is lost for good."""
        sessions = InMemorySessionService()
        runner = Runner(app_name=APP_NAME, agent=self.agent, session_service=sessions)
        interview_id = self.io.brief.interview_id
        await sessions.create_session(
            app_name=APP_NAME, user_id="candidate", session_id=interview_id,
            state=self._initial_state,
        )
        pumps = [
            asyncio.create_task(self._pump_audio(), name=f"live-audio-{interview_id}"),
            asyncio.create_task(self._pump_text(), name=f"live-text-{interview_id}"),
        ]
        if opening:
            self.send_text(opening)
        try:
            await self._run_with_retries(runner, interview_id)
        finally:
            self._live = False
            self.queue.close()
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            with contextlib.suppress(Exception):
                await runner.close()

    async def _run_with_retries(self, runner: Runner, session_id: str) -> None:
        streak = 0
        while True:
            started = self._clock()
            config = self._config_for_attempt(streak)
            self.connections += 1
            self._live = True
            try:
                async with aclosing(runner.run_live(
                    user_id="candidate", session_id=session_id,
                    live_request_queue=self.queue, run_config=config,
                )) as events:
                    async for event in events:
                        await self._on_event(event)
                reason = "the live model closed the conversation"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the SDK raises many kinds; all mean "connection lost"
                reason = f"{type(exc).__name__}: {exc}"[:300]
                log.warning("live model connection failed", extra={
                    "interview_id": session_id, "error": reason})
            self._live = False
            self.failures.append(reason)
            await self._flush_partials()
            if self._clock() - started >= self.retry.healthy_after_s:
                streak = 0
            streak += 1
            if streak > len(self.retry.delays_s):
                await self._give_up(reason)
                return
            if streak == 1:
                await self._speak_aside(SORRY_LINE)
            await asyncio.sleep(self.retry.delays_s[streak - 1])
            if self._last_speaker != "candidate":
                # Nobody owes the interviewer an answer: without a nudge it would wait in
                # silence after the candidate was told it would be right back. (After the
                # candidate's words the replayed history itself asks for a reply.)
                self.queue.send_note(BACK_NOTE)

    def _config_for_attempt(self, streak: int) -> RunConfig:
        """The first attempt of a streak resumes with the newest handle (the server may
        still hold the conversation); later ones start fresh and ADK replays history."""
        resumption = types.SessionResumptionConfig()
        if streak == 1 and self.resumption_handle:
            resumption = types.SessionResumptionConfig(handle=self.resumption_handle)
        elif streak > 1:
            self.resumption_handle = None
        return self.run_config.model_copy(update={"session_resumption": resumption})

    # -- model → candidate ------------------------------------------------------------

    async def _on_event(self, event: Event) -> None:
        if event.interrupted:
            self.io.interrupt()
        if event.content is not None and event.content.parts:
            for part in event.content.parts:
                blob = part.inline_data
                if blob is not None and blob.data and (blob.mime_type or "").startswith("audio/"):
                    self.io.play(blob.data)
                    self.last_agent_audio_at = self._clock()
                    self.agent_audio_s += len(blob.data) / 48_000
        if event.input_transcription is not None:
            await self._transcribed("candidate", event.input_transcription, event.partial)
        if event.output_transcription is not None:
            await self._transcribed("agent", event.output_transcription, event.partial)
        update = event.live_session_resumption_update
        if update is not None and update.new_handle and update.resumable is not False:
            self.resumption_handle = update.new_handle
        if event.turn_complete:
            self.listener.on_agent_turn_complete()

    async def _transcribed(
        self, speaker: Speaker, tr: types.Transcription, partial: bool | None
    ) -> None:
        text = tr.text or ""
        if tr.finished or partial is False:
            final = (text if text.strip() else self._partial[speaker]).strip()
            stored, self._stored[speaker] = self._stored[speaker], ""
            self._partial[speaker] = ""
            if stored and final.startswith(stored):
                final = final[len(stored):].strip()  # its start is stored already
            if final:
                await self._store(speaker, final)
                if speaker == "candidate":
                    self.listener.on_candidate_said(final)
            return
        if text:
            self._partial[speaker] += text
            shown, stored = self._partial[speaker].strip(), self._stored[speaker]
            if stored and shown.startswith(stored):
                shown = shown[len(stored):].strip()  # the settled start is a line already
            await self.io.transcript(speaker, shown, final=False)

    async def _settle(self, speaker: Speaker) -> None:
        """Store what `speaker` has said so far of an unfinished line, so rows keep the order
        things were said in (the candidate typed while the interviewer was mid-sentence). The
        final transcription that follows adds only what came after."""
        text, stored = self._partial[speaker].strip(), self._stored[speaker]
        if not text or text == stored:
            return
        rest = text[len(stored):].strip() if stored and text.startswith(stored) else text
        if rest:
            await self._store(speaker, rest)
        self._stored[speaker] = text

    def recent_transcript(self, window_s: float = RECENT_WINDOW_S) -> list[dict[str, str]]:
        """The final lines of the last few minutes (what an expert needs for context)."""
        since = self._clock() - window_s
        return [{"speaker": who, "text": text} for at, who, text in self.recent if at >= since]

    async def _store(self, speaker: Speaker, text: str) -> None:
        self._last_speaker = speaker
        self.recent.append((self._clock(), speaker, text))
        await self.io.transcript(speaker, text, final=True)

    async def _flush_partials(self) -> None:
        """A connection lost mid-sentence: what was already said stays in the transcript."""
        speakers: tuple[Speaker, ...] = ("candidate", "agent")
        for speaker in speakers:
            await self._settle(speaker)
            self._partial[speaker] = ""
            self._stored[speaker] = ""

    # -- candidate → model --------------------------------------------------------------

    async def _pump_audio(self) -> None:
        batch: list[bytes] = []
        async for chunk in self.io.pcm_in():
            if not self._live:
                batch.clear()  # nobody is listening: stale speech would confuse the model
                continue
            batch.append(chunk)
            if len(batch) >= CHUNKS_PER_MESSAGE:
                self.queue.send_realtime(types.Blob(data=b"".join(batch), mime_type=AUDIO_IN_MIME))
                batch.clear()

    async def _pump_text(self) -> None:
        async for text in self.io.text_in():
            await self._settle("agent")
            await self._store("candidate", text)
            self.listener.on_candidate_said(text)
            self.send_text(text)

    # -- when the model is gone -----------------------------------------------------------

    async def _speak_aside(self, line: str) -> float:
        """Say `line` in a local voice (not the model's) with a caption; returns its length."""
        self.io.send_event({"type": "caption", "speaker": "agent", "text": line, "final": True})
        if self._say is None:
            return 0.0
        try:
            pcm = await self._say(line)
        except Exception:
            log.exception("local speech failed")
            return 0.0
        self.io.play(pcm)
        return len(pcm) / 48_000

    async def _give_up(self, reason: str) -> None:
        try:
            await self.listener.on_model_lost(reason)
        except Exception:
            log.exception("saving the interview state failed")
        spoken_s = await self._speak_aside(GIVE_UP_LINE)
        await asyncio.sleep(spoken_s + 0.5)  # let the line be heard before the call ends
        await self.io.finish("failed", f"live model unavailable: {reason}"[:200])
