"""Speech recognition with pocketsphinx over the interview-domain language model: the
fallback when the Whisper model (agents/offline/whisper.py) is not installed, and the
light recogniser for load tests that need many sessions on few cores.

`AsrModel` builds (once) the language model and dictionary and makes decoders.
`Transcriber` decodes one session's utterances incrementally while the candidate speaks,
in a worker thread (never on the event loop), so the final text is ready right after the
end of speech; partial hypotheses come through a callback. `StableText` turns the changing
partial hypotheses into append-only deltas, as Live input transcription chunks are.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from agents.offline.vocabulary import build_language_model


class RemoteDecoder(Protocol):
    """One session's decoder in an ASR worker process (agents/offline/asr_pool.py has one)."""

    @property
    def stopped(self) -> bool:
        """The pool is shutting down with the app: a failed call is expected, not news."""
        ...

    async def decode(self, started: bool, audio: bytes, closing: bool) -> str: ...

    async def close(self) -> None: ...

log = logging.getLogger(__name__)

RATE_HZ = 16_000
PAD = bytes(RATE_HZ * 2 * 300 // 1000)  # 300 ms of silence closes an utterance cleanly

_build_lock = threading.Lock()


@dataclass(frozen=True)
class Heard:
    """A finished utterance: its text, and the (normalized) words recognised with too little
    confidence to be quoted back to the candidate."""

    text: str
    unsure: frozenset[str] = field(default_factory=frozenset)


class AsrModel:
    """The language model files plus a decoder factory; build with `await AsrModel.load()`."""

    def __init__(self, lm_path: Path, dict_path: Path) -> None:
        self.lm_path = lm_path
        self.dict_path = dict_path

    @classmethod
    def build(cls, directory: Path | None = None) -> AsrModel:
        directory = directory or Path(tempfile.gettempdir()) / "interview-agent-asr"
        with _build_lock:
            lm, dictionary = build_language_model(directory)
        return cls(lm, dictionary)

    @classmethod
    async def load(cls, directory: Path | None = None) -> AsrModel:
        return await asyncio.to_thread(cls.build, directory)

    def decoder(self):  # type: ignore[no-untyped-def]
        from pocketsphinx import Decoder

        return Decoder(lm=str(self.lm_path), dict=str(self.dict_path), loglevel="FATAL",
                       beam=1e-60, wbeam=1e-50, pbeam=1e-60, fwdflat=False, bestpath=False)

    def transcribe(self, pcm: bytes) -> str:
        """Whole-utterance recognition (blocking), for tests and tools."""
        decoder = self.decoder()
        decoder.start_utt()
        decoder.process_raw(PAD + pcm + PAD, False, False)
        decoder.end_utt()
        hyp = decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


class StableText:
    """Append-only deltas from revisable hypotheses: words are sent once they are stable."""

    def __init__(self, holdback_words: int = 3) -> None:
        self.holdback = holdback_words
        self.sent: list[str] = []

    def _delta(self, words: list[str]) -> str:
        if not words:
            return ""
        text = " ".join(words)
        return text if not self.sent else " " + text

    def partial(self, hypothesis: str) -> str:
        words = hypothesis.split()
        if words[: len(self.sent)] != self.sent:
            return ""
        stable = words[: max(len(self.sent), len(words) - self.holdback)]
        new = stable[len(self.sent):]
        delta = self._delta(new)
        self.sent.extend(new)
        return delta

    def final(self, hypothesis: str) -> str:
        words = hypothesis.split()
        new = words[len(self.sent):]
        delta = self._delta(new)
        self.sent.extend(new)
        return delta


class Transcriber:
    """One session's recogniser. `start/feed/finish/cancel` are called from the event loop;
    decoding happens on `executor`, one call at a time, in the order of those calls."""

    def __init__(
        self,
        model: AsrModel,
        executor: Executor | None = None,
        on_partial: Callable[[str], None] | None = None,
        remote: RemoteDecoder | None = None,
    ) -> None:
        self._model = model
        self._executor = executor
        self._remote = remote  # decoding in an AsrPool worker process instead of a thread
        self._on_partial = on_partial
        self._decoder = None
        self._in_utt = False
        self._commands: deque[tuple[str, Any]] = deque()
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self.active = False
        self.utterances = 0
        self.decode_s = 0.0

    def start(self, preroll: bytes = b"") -> None:
        """Begin an utterance with the audio before the onset."""
        if self.active:
            return
        self.active = True
        self._commands.append(("start", PAD[: len(PAD) // 2] + preroll))
        self._kick()

    def feed(self, pcm: bytes) -> None:
        if self.active:
            self._commands.append(("audio", pcm))
            self._kick()

    def finish(self) -> asyncio.Future[Heard]:
        """End the utterance; the future gets its final text (pocketsphinx gives no usable
        word confidences here, so nothing is marked unsure)."""
        future: asyncio.Future[Heard] = asyncio.get_running_loop().create_future()
        if not self.active:
            future.set_result(Heard(""))
            return future
        self.active = False
        self._commands.append(("end", future))
        self._kick()
        return future

    def cancel(self) -> None:
        """Drop the utterance in progress (its text is discarded)."""
        if self.active:
            self.active = False
            self._commands.append(("cancel", None))
            self._kick()

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass
            self._worker = None
        for kind, arg in self._commands:
            if kind == "end" and not arg.done():
                arg.set_result(Heard(""))
        self._commands.clear()
        if self._remote is not None:
            await self._remote.close()

    # ---- worker -------------------------------------------------------------------------

    def _kick(self) -> None:
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    def _next_batch(self) -> tuple[bool, bytes, str | None, asyncio.Future[Heard] | None]:
        """Coalesce queued commands up to and including the next end/cancel."""
        started = False
        audio = bytearray()
        while self._commands:
            kind, arg = self._commands.popleft()
            if kind == "start":
                if audio or started:  # a new utterance after an unfinished one: restart
                    audio.clear()
                started = True
                audio += arg
            elif kind == "audio":
                audio += arg
            else:
                if kind == "end":
                    audio += PAD
                return started, bytes(audio), kind, arg
        return started, bytes(audio), None, None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._commands:
                started, audio, closing, future = self._next_batch()
                try:
                    if self._remote is not None:
                        text = await self._remote.decode(started, audio, closing is not None)
                    else:
                        text = await loop.run_in_executor(
                            self._executor, self._decode, started, audio, closing is not None
                        )
                except Exception:  # a broken decoder must not end the session
                    if self._remote is None or not self._remote.stopped:
                        log.exception("speech recognition failed")
                    self._decoder = None
                    self._in_utt = False
                    text = ""
                if closing == "end":
                    self.utterances += 1
                    if future is not None and not future.done():
                        future.set_result(Heard(text))
                elif closing is None and text and self._on_partial is not None:
                    self._on_partial(text)

    def _decode(self, started: bool, audio: bytes, closing: bool) -> str:
        t0 = time.perf_counter()
        if self._decoder is None:
            self._decoder = self._model.decoder()
        decoder = self._decoder
        if started:
            if self._in_utt:
                decoder.end_utt()
            decoder.start_utt()
            self._in_utt = True
        if not self._in_utt:
            return ""
        if audio:
            decoder.process_raw(audio, False, False)
        if closing:
            decoder.end_utt()
            self._in_utt = False
        hyp = decoder.hyp()
        self.decode_s += time.perf_counter() - t0
        return hyp.hypstr if hyp is not None else ""
