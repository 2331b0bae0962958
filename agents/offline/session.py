"""One Live API connection: frames in, turn-taking, speech in and out, the brain's actions.

The reader loop handles client frames in order and never waits on speech recognition or
synthesis: audio goes through the turn detector (sync), recognition runs on a worker
thread, and each model turn is a task (`_turn`) that streams audio paced a little ahead of
real time. A candidate who starts speaking while a turn is streaming, or while its audio is
still playing at the client, cuts it off: the task is cancelled and `interrupted` is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from agents.offline import protocol as p
from agents.offline.asr import Heard, StableText
from agents.offline.brain import Action, CallTool, Say
from agents.offline.context import SessionContext, holds_turn_for_tools
from agents.offline.paced_audio import OUT_BYTES_PER_S, PacedAudio
from agents.offline.session_setup import brain_for, transcriber_for
from agents.offline.tts import resample, split_sentences, voice_for
from agents.offline.vad import SpeechAudio, SpeechEnd, SpeechStart, TurnDetector

log = logging.getLogger(__name__)

UNHEARD_MIN_MS = 700  # speech this long that yields no words still gets an answer


class LiveSession:
    def __init__(
        self,
        ctx: SessionContext,
        request: web.Request,
        ws: web.WebSocketResponse,
        setup: p.Setup,
        session_id: str,
        restored: dict[str, Any] | None = None,
        seed: int = 0,
    ) -> None:
        self.ctx = ctx
        self.request = request
        self.ws = ws
        self.setup = setup
        self.session_id = session_id
        self.brain = brain_for(setup, restored, seed)
        self.voice = voice_for(setup.voice_name)
        self.hold_for_tools = holds_turn_for_tools(setup.model)
        self.vad = TurnDetector(ctx.vad)
        self.asr = transcriber_for(ctx, self.brain, self._on_partial)
        self._stable = StableText()
        self._manual_activity = False
        self._held_text = ""
        self._held_unsure: frozenset[str] = frozenset()
        self._turn: asyncio.Task[None] | None = None
        self._finishing: set[asyncio.Task[None]] = set()
        self._send_lock = asyncio.Lock()
        self._loop = asyncio.get_running_loop()
        self.audio_out = PacedAudio(self._send_audio)
        self._sent_call: str | None = None  # a toolCall sent and not yet answered
        self._cancelled_calls: deque[str] = deque(maxlen=16)  # their late answers are ignored
        self._tool_waiter: asyncio.Future[list[Action]] | None = None
        self._resamplers: dict[int, Any] = {}
        self.closed = False
        # timestamps (loop clock) for benchmarks and tests
        self.last_speech_end_at = 0.0
        self.last_first_audio_at = 0.0

    # ---- frames -------------------------------------------------------------------------

    async def send(self, message: dict[str, Any]) -> None:
        if self.closed or self.ws.closed:
            return
        data = json.dumps(message, separators=(",", ":")).encode()
        async with self._send_lock:
            with contextlib.suppress(ConnectionResetError, RuntimeError):
                await self.ws.send_bytes(data)

    async def run(self) -> None:
        """Serve the connection until the client or the server closes it."""
        await self.send(p.setup_complete(self.session_id))
        if self.setup.resumption:
            await self.issue_handle()
        try:
            async for msg in self.ws:
                if msg.type not in (web.WSMsgType.TEXT, web.WSMsgType.BINARY):
                    break
                try:
                    events = p.parse_client_message(json.loads(msg.data))
                except (ValueError, p.ProtocolError) as e:
                    self.ctx.counters.protocol_errors += 1
                    await self.ws.close(code=1007, message=str(e)[:120].encode())
                    break
                for event in events:
                    await self.handle(event)
        finally:
            await self.close()

    async def handle(self, event: p.Event) -> None:
        if isinstance(event, p.Audio):
            await self._on_audio(event)
        elif isinstance(event, p.Text):
            await self._on_user_text(event.text)
        elif isinstance(event, p.ClientContent):
            await self._on_client_content(event)
        elif isinstance(event, p.ToolResponse):
            await self._on_tool_response(event)
        elif isinstance(event, p.ActivityStart):
            self._manual_activity = True
            await self._on_speech_start(b"")
        elif isinstance(event, p.ActivityEnd):
            self._manual_activity = False
            self._on_speech_end()
        elif isinstance(event, p.AudioStreamEnd):
            for vad_event in self.vad.end():
                if isinstance(vad_event, SpeechEnd):
                    self._on_speech_end(vad_event.voiced_ms)
        elif isinstance(event, p.Video):
            self.ctx.counters.images += 1  # seen, not looked at: the board comes as text
        elif isinstance(event, p.Setup):
            raise p.ProtocolError("setup was already sent")
        # Context updates are accepted and ignored.

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._turn is not None:
            self._turn.cancel()
        for task in list(self._finishing):
            task.cancel()
        if self.asr is not None:
            await self.asr.close()
        if not self.ws.closed:
            with contextlib.suppress(Exception):
                await self.ws.close()

    def abort(self) -> None:
        """Drop the connection without a close handshake (a lost model connection)."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    async def go_away(self, time_left_s: float) -> None:
        if not self.model_active() and self._sent_call is None and self.setup.resumption:
            await self.issue_handle()
        await self.send(p.go_away(time_left_s))
        await asyncio.sleep(time_left_s)
        if not self.ws.closed:
            await self.ws.close(code=1000, message=b"session ended by the server")

    async def issue_handle(self) -> None:
        state = json.loads(json.dumps({"brain": self.brain.to_dict(), "voice": self.voice}))
        await self.send(p.resumption_update(self.ctx.handles.issue(state), True))

    # ---- input --------------------------------------------------------------------------

    def model_active(self) -> bool:
        """A model turn is being generated, or its audio is still playing at the client."""
        return (self._turn is not None and not self._turn.done()) or self.audio_out.playing()

    async def _on_audio(self, audio: p.Audio) -> None:
        pcm = audio.pcm
        if audio.rate_hz != p.AUDIO_IN_RATE_HZ:
            pcm = resample(pcm, audio.rate_hz, p.AUDIO_IN_RATE_HZ)
        if not self.setup.automatic_activity_detection:
            if self._manual_activity and self.asr is not None:
                self.asr.feed(pcm)
            return
        for event in self.vad.push(pcm):
            if isinstance(event, SpeechStart):
                await self._on_speech_start(event.audio)
            elif isinstance(event, SpeechAudio):
                if self.asr is not None:
                    self.asr.feed(event.audio)
            else:
                self._on_speech_end(event.voiced_ms)

    async def _on_speech_start(self, preroll: bytes) -> None:
        if self.model_active():
            await self.interrupt()
        elif self._sent_call is not None:
            await self._cancel_tool_call()
        self._stable = StableText()
        if self.asr is not None:
            self.asr.start(preroll)

    def _on_partial(self, hypothesis: str) -> None:
        if not self.setup.input_transcription or self.closed:
            return
        delta = self._stable.partial(hypothesis)
        if delta:
            self._spawn(self.send(p.input_transcription(delta)))

    def _on_speech_end(self, voiced_ms: int = UNHEARD_MIN_MS) -> None:
        self.last_speech_end_at = self._loop.time()
        if self.asr is None:
            return
        future = self.asr.finish()
        stable = self._stable
        self._spawn(self._finish_utterance(future, stable, voiced_ms))

    async def _finish_utterance(
        self, future: asyncio.Future[Heard], stable: StableText, voiced_ms: int
    ) -> None:
        heard = await future
        text = heard.text.strip()
        log.debug(
            "utterance recognised %.0f ms after its end: %r",
            (self._loop.time() - self.last_speech_end_at) * 1000,
            text,
        )
        if self.setup.input_transcription:
            await self.send(p.input_transcription(stable.final(text), finished=True))
        if not text:
            if voiced_ms >= UNHEARD_MIN_MS and not self._held_text:
                self._start_turn(self.brain.on_unheard())  # a model would answer speech
            return
        unsure = heard.unsure
        if self._held_text:
            text = f"{self._held_text} {text}"
            unsure = unsure | self._held_unsure
            self._held_text, self._held_unsure = "", frozenset()
        if self.vad.in_speech or (self.asr is not None and self.asr.active):
            # they kept talking: answer once they stop
            self._held_text, self._held_unsure = text, unsure
            return
        self.ctx.counters.user_turns += 1
        self._start_turn(self.brain.on_user_turn(text, unsure=unsure))

    async def _on_user_text(self, text: str) -> None:
        if self.model_active():
            await self.interrupt()
        elif self._sent_call is not None:
            await self._cancel_tool_call()
        self.ctx.counters.user_turns += 1
        self._start_turn(self.brain.on_user_turn(text), always_complete=True)

    async def _on_client_content(self, content: p.ClientContent) -> None:
        turns = [(t.role, t.text) for t in content.turns]
        if not content.turn_complete:
            self.brain.replay(turns)
            return
        last = content.turns[-1] if content.turns else None
        if (
            last is not None
            and last.role == "user"
            and last.text.strip()
            and not last.function_responses
        ):
            self.brain.replay(turns[:-1])
            await self._on_user_text(last.text)
            return
        self.brain.replay(turns)
        actions = self.brain.resume()
        if actions:
            self._start_turn(actions)

    async def _on_tool_response(self, response: p.ToolResponse) -> None:
        self.ctx.counters.tool_responses += 1
        actions: list[Action] = []
        answered = False
        for fr in response.responses:
            if fr.id is not None and fr.id in self._cancelled_calls:
                continue  # cut short by the candidate: the turn it belonged to is gone
            answered = True
            if fr.id is not None and fr.id == self._sent_call:
                self._sent_call = None
            actions.extend(self.brain.on_tool_response(fr.id, fr.response))
        if not answered:
            return  # a late answer must not cut off the reply now being spoken
        if self._tool_waiter is not None and not self._tool_waiter.done():
            self._tool_waiter.set_result(actions)
            return
        self._start_turn(actions, always_complete=True)

    async def interrupt(self) -> None:
        """Barge-in: stop the model turn at once and tell the client to drop queued audio."""
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()
        self._turn = None
        self.audio_out.stop()
        self.ctx.counters.interruptions += 1
        await self.send(p.interrupted())
        if self._sent_call is not None:
            await self._cancel_tool_call()

    async def _cancel_tool_call(self) -> None:
        call_id, self._sent_call = self._sent_call, None
        if call_id is None:
            return
        self._cancelled_calls.append(call_id)
        self.brain.on_tool_cancelled([call_id])
        self.ctx.counters.tool_cancellations += 1
        await self.send(p.tool_call_cancellation([call_id]))

    # ---- output -------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = self._loop.create_task(coro)
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    def _start_turn(self, actions: Sequence[Action], *, always_complete: bool = False) -> None:
        if self.closed or (not actions and not always_complete):
            return
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()
        self._turn = self._loop.create_task(self._run_turn(list(actions)))

    async def _run_turn(self, actions: list[Action]) -> None:
        self.ctx.counters.turns += 1
        log.debug("turn: %s", actions)
        unsent: list[CallTool] = [a for a in actions if isinstance(a, CallTool)]
        spoken: list[str] = []
        try:
            while actions:
                action = actions.pop(0)
                if isinstance(action, Say):
                    await self._speak(action.text, first=not spoken)
                    spoken.append(action.text)
                    continue
                await self.send(p.tool_call([(action.id, action.name, action.args)]))
                unsent.remove(action)
                self._sent_call = action.id
                self.ctx.counters.tool_calls += 1
                if not self.hold_for_tools:
                    await self.send(p.turn_complete(*self._tokens(spoken)))
                    return
                self._tool_waiter = self._loop.create_future()
                try:
                    more = await asyncio.wait_for(self._tool_waiter, self.ctx.tool_wait_s)
                except TimeoutError:
                    more = []
                finally:
                    self._tool_waiter = None
                new_calls = [a for a in more if isinstance(a, CallTool)]
                unsent.extend(new_calls)
                actions.extend(more)
            await self.send(p.generation_complete())
            await self.send(p.turn_complete(*self._tokens(spoken)))
            if self.setup.resumption and self._sent_call is None:
                await self.issue_handle()
        except asyncio.CancelledError:
            for call in unsent:
                self.brain.retract(call.id)
            raise

    def _tokens(self, spoken: list[str]) -> tuple[int, int]:
        said = sum(len(t["text"]) for t in self.brain.transcript)
        return (len(self.setup.instruction) + said) // 4, sum(len(t) for t in spoken) // 4 + 1

    async def _speak(self, text: str, *, first: bool) -> None:
        sentences = split_sentences(text)
        if not self.setup.audio_out:
            for i, sentence in enumerate(sentences):
                await self.send(p.text_chunk(sentence if first and i == 0 else " " + sentence))
            return
        pieces = self.ctx.synthesizer.stream(text, self.voice)
        try:
            i = 0
            async for sentence, pcm in pieces:
                log.debug("speaking %r (%.1f s of audio)", sentence, len(pcm) / OUT_BYTES_PER_S)
                if self.setup.output_transcription:
                    piece = sentence if first and i == 0 else " " + sentence
                    await self.send(p.output_transcription(piece))
                await self.audio_out.stream(
                    pcm, chunk_ms=self.ctx.chunk_ms, lead_s=self.ctx.audio_lead_s)
                i += 1
        finally:
            await pieces.aclose()

    async def _send_audio(self, chunk: bytes) -> None:
        await self.send(p.audio_chunk(chunk))
        if self.last_first_audio_at < self.last_speech_end_at or not self.last_first_audio_at:
            self.last_first_audio_at = self._loop.time()
