"""One session's Whisper recognition while the candidate speaks, so the end needs only the tail.

The growing utterance is decoded about every `STEP_S` of new audio (partial captions), and
again as soon as the candidate pauses. Words two decodes in a row agree on (and that are
not at the moving edge) are committed and their audio is dropped from the buffer
("local agreement", as whisper_streaming does), so each decode covers only a few seconds.
When the utterance ends, the last decode is reused if it already covered all the voiced
audio (it usually has: it ran during the end-of-speech wait); otherwise only the
uncommitted tail is decoded.

Same interface as `asr.Transcriber` (start/feed/finish/cancel/close), so the session does
not care which recogniser it has. Decodes go through the shared `ModelPool`: partials are
optional (skipped when the pool is busy), the end of an utterance is urgent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

import webrtcvad

from agents.offline.asr import Heard
from agents.offline.pool import BACKGROUND, NORMAL, URGENT, ModelPool, Skipped
from agents.offline.whisper import (
    Recognition,
    WhisperRecognizer,
    Word,
    join_words,
    normalized_word,
)

log = logging.getLogger(__name__)

RATE_HZ = 16_000
BYTES_PER_S = RATE_HZ * 2
STEP_S = 1.2  # new audio that triggers a partial decode
PAUSE_MS = 200  # trailing non-speech that triggers a decode (likely the last one)
EDGE_S = 0.8  # words ending this close to the buffer's end are never committed
FRAME = RATE_HZ * 20 // 1000 * 2
PROMPT_WORDS = 40


def _agreed(previous: list[Word], current: list[Word]) -> int:
    """How many leading words two hypotheses share."""
    n = 0
    for a, b in zip(previous, current, strict=False):
        if normalized_word(a.text) != normalized_word(b.text):
            break
        n += 1
    return n


class WhisperTranscriber:
    def __init__(
        self,
        recognizer: WhisperRecognizer,
        pool: ModelPool,
        on_partial: Callable[[str], None] | None = None,
        vocabulary: Callable[[], str] | None = None,
    ) -> None:
        self._recognizer = recognizer
        self._pool = pool
        self._on_partial = on_partial
        self._vocabulary = vocabulary or (lambda: "")
        self._vad = webrtcvad.Vad(2)
        self._audio = bytearray()  # since the commit point
        self._committed: list[Word] = []
        self._committed_unsure: set[str] = set()
        self._hypothesis: list[Word] = []  # last decode's uncommitted words
        self._hypothesis_unsure: frozenset[str] = frozenset()
        self._decoded = 0  # bytes of _audio the last decode covered
        self._next_at = 0  # bytes of _audio at which to try a partial again
        self._finish: asyncio.Future[Heard] | None = None
        self._generation = 0
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self.active = False
        self.utterances = 0
        self.decode_s = 0.0
        self.decodes = 0
        self.reused_finals = 0

    # ---- called from the event loop ------------------------------------------------------

    def start(self, preroll: bytes = b"") -> None:
        if self.active:
            return
        self._reset()
        self.active = True
        self._audio += preroll
        self._kick()

    def feed(self, pcm: bytes) -> None:
        if self.active:
            self._audio += pcm
            self._kick()

    def finish(self) -> asyncio.Future[Heard]:
        future: asyncio.Future[Heard] = asyncio.get_running_loop().create_future()
        if not self.active:
            future.set_result(Heard(""))
            return future
        self.active = False
        if self._finish is not None and not self._finish.done():
            self._finish.set_result(Heard(""))
        self._finish = future
        self._kick()
        return future

    def cancel(self) -> None:
        if self.active:
            self.active = False
            self._reset()

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        if self._finish is not None and not self._finish.done():
            self._finish.set_result(Heard(""))

    # ---- worker -------------------------------------------------------------------------

    def _reset(self) -> None:
        self._generation += 1
        self._audio.clear()
        self._committed, self._committed_unsure = [], set()
        self._hypothesis, self._hypothesis_unsure = [], frozenset()
        self._decoded = self._next_at = 0

    def _kick(self) -> None:
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    def _paused(self) -> bool:
        """The newest PAUSE_MS of audio hold no speech."""
        frames = PAUSE_MS // 20
        tail = bytes(self._audio[-frames * FRAME :])
        if len(tail) < frames * FRAME:
            return False
        return not any(
            self._vad.is_speech(tail[i : i + FRAME], RATE_HZ) for i in range(0, len(tail), FRAME)
        )

    def _voiced_after(self, offset: int) -> bool:
        """Whether the audio after `offset` holds speech the last decode did not hear."""
        tail = bytes(self._audio[offset:])
        voiced = sum(
            self._vad.is_speech(tail[i : i + FRAME], RATE_HZ)
            for i in range(0, len(tail) - FRAME + 1, FRAME)
        )
        return voiced >= 3

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while True:
                    if self._finish is not None:
                        await self._final()
                    elif self.active and len(self._audio) >= self._next_at:
                        new = len(self._audio) - self._decoded
                        if new >= STEP_S * BYTES_PER_S:
                            await self._partial(BACKGROUND)
                        elif new >= 0.3 * BYTES_PER_S and self._paused():
                            await self._partial(NORMAL)
                        else:
                            break
                    else:
                        break
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed decode must not end the session
                log.exception("speech recognition failed")
                if self._finish is not None and not self._finish.done():
                    self._finish.set_result(Heard(""))
                self._finish = None

    def _prompt(self) -> str:
        context = join_words(self._committed[-PROMPT_WORDS:])
        return f"{self._vocabulary()} {context}".strip()

    async def _decode(self, priority: int, audio: bytes) -> Recognition:
        t0 = time.perf_counter()
        result = await self._pool.run(priority, self._recognizer.recognize, audio, self._prompt())
        self.decode_s += time.perf_counter() - t0
        self.decodes += 1
        return result

    async def _partial(self, priority: int) -> None:
        generation, audio = self._generation, bytes(self._audio)
        try:
            result = await self._decode(priority, audio)
        except Skipped:
            self._next_at = len(audio) + BYTES_PER_S // 2
            return
        if generation != self._generation:
            return
        self._next_at = len(audio) + BYTES_PER_S // 4
        words = list(result.words)
        agreed = _agreed(self._hypothesis, words)
        edge = len(audio) / BYTES_PER_S - EDGE_S
        commit = 0
        while commit < agreed and words[commit].end <= edge:
            commit += 1
        cut_s = 0.0
        if commit:
            self._committed += words[:commit]
            self._committed_unsure |= {
                n for w in words[:commit] if (n := normalized_word(w.text)) in result.unsure
            }
            following = words[commit].start if commit < len(words) else words[commit - 1].end
            cut_s = (words[commit - 1].end + following) / 2
        cut = min(len(audio), int(cut_s * RATE_HZ) * 2)
        del self._audio[:cut]
        self._next_at = max(0, self._next_at - cut)
        self._decoded = len(audio) - cut
        self._hypothesis = [
            Word(w.text, w.start - cut_s, w.end - cut_s, w.probability) for w in words[commit:]
        ]
        self._hypothesis_unsure = result.unsure
        if self._on_partial is not None:
            text = join_words(self._committed + self._hypothesis)
            if text:
                self._on_partial(text)

    async def _final(self) -> None:
        future, generation = self._finish, self._generation
        assert future is not None
        if self._decoded and not self._voiced_after(self._decoded):
            words, unsure = self._hypothesis, self._hypothesis_unsure
            self.reused_finals += 1
        else:
            result = await self._decode(URGENT, bytes(self._audio))
            words, unsure = list(result.words), result.unsure
        if generation == self._generation and self._finish is future:
            text = join_words(self._committed + words)
            heard_unsure = frozenset(self._committed_unsure) | {
                n for w in words if (n := normalized_word(w.text)) in unsure
            }
            self.utterances += 1
            self._finish = None
            self._reset()
            if not future.done():
                future.set_result(Heard(text, heard_unsure))
