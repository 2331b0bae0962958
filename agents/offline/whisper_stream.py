"""One session's Whisper recognition while the candidate speaks, so the end needs only the tail.

The growing utterance is decoded about every `STEP_S` of new audio (partial captions), and
again as soon as the candidate pauses. Words two decodes in a row agree on (and that are
not at the moving edge) are committed and their audio is dropped from the buffer
("local agreement", as whisper_streaming does), so each decode covers only a few seconds;
past `MAX_TAIL_S` of uncommitted audio the newest words are committed without agreement.
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
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import webrtcvad

from agents.offline.asr import Heard
from agents.offline.pool import BACKGROUND, NORMAL, URGENT, ModelPool, Skipped
from agents.offline.whisper import (
    Recognition,
    WhisperRecognizer,
    Word,
    join_words,
    normalized_word,
    word_parts,
)

log = logging.getLogger(__name__)

RATE_HZ = 16_000
BYTES_PER_S = RATE_HZ * 2
STEP_S = 1.2  # new audio that triggers a partial decode
PAUSE_MS = 200  # trailing non-speech after unheard speech triggers a decode (likely the last)
EDGE_S = 0.8  # words ending this close to the buffer's end are never committed
# Past this much uncommitted audio the newest hypothesis is committed up to the edge even
# where two decodes disagree (unclear speech never agrees with itself): the end of an
# utterance then decodes at most a few seconds, whatever the candidate said before it.
MAX_TAIL_S = 4.0
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


@dataclass(eq=False)
class _Utterance:
    audio: bytearray = field(default_factory=bytearray)  # since the commit point
    committed: list[Word] = field(default_factory=list)
    committed_unsure: set[str] = field(default_factory=set)
    hypothesis: list[Word] = field(default_factory=list)  # last decode's uncommitted words
    hypothesis_unsure: frozenset[str] = frozenset()
    decoded: int = 0  # bytes of `audio` the last decode covered
    next_at: int = 0  # bytes of `audio` at which to try a partial again


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
        self._utt: _Utterance | None = None
        self._finals: deque[tuple[_Utterance, asyncio.Future[Heard]]] = deque()
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self.utterances = 0
        self.decode_s = 0.0
        self.decodes = 0
        self.reused_finals = 0

    @property
    def active(self) -> bool:
        return self._utt is not None

    # ---- called from the event loop ------------------------------------------------------

    def start(self, preroll: bytes = b"") -> None:
        if self._utt is None:
            self._utt = _Utterance(bytearray(preroll))
            self._kick()

    def feed(self, pcm: bytes) -> None:
        if self._utt is not None:
            self._utt.audio += pcm
            self._kick()

    def finish(self) -> asyncio.Future[Heard]:
        """End the utterance; the future gets its text. A new one may start at once."""
        future: asyncio.Future[Heard] = asyncio.get_running_loop().create_future()
        if self._utt is None:
            future.set_result(Heard(""))
            return future
        self._finals.append((self._utt, future))
        self._utt = None
        self._kick()
        return future

    def cancel(self) -> None:
        self._utt = None

    async def close(self) -> None:
        self._utt = None
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while self._finals:
            _, future = self._finals.popleft()
            if not future.done():
                future.set_result(Heard(""))

    # ---- worker -------------------------------------------------------------------------

    def _kick(self) -> None:
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    def _voiced_frames(self, audio: bytes | bytearray, start: int, limit: int = 0) -> int:
        tail = bytes(audio[start:])
        count = 0
        for i in range(0, len(tail) - FRAME + 1, FRAME):
            count += self._vad.is_speech(tail[i : i + FRAME], RATE_HZ)
            if limit and count >= limit:
                break
        return count

    def _paused(self, utt: _Utterance) -> bool:
        """The newest PAUSE_MS hold no speech, and there is speech no decode has heard."""
        size = PAUSE_MS // 20 * FRAME
        if len(utt.audio) < size or self._voiced_frames(utt.audio, len(utt.audio) - size):
            return False
        return self._voiced_frames(utt.audio[: len(utt.audio) - size], utt.decoded, 3) >= 3

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while True:
                try:
                    if self._finals:
                        await self._final(*self._finals[0])
                        self._finals.popleft()
                        continue
                    utt = self._utt
                    if utt is None or len(utt.audio) < utt.next_at:
                        break
                    new = len(utt.audio) - utt.decoded
                    if new >= STEP_S * BYTES_PER_S:
                        await self._partial(utt, BACKGROUND)
                    elif new >= 0.3 * BYTES_PER_S and self._paused(utt):
                        await self._partial(utt, NORMAL)
                    else:
                        break
                except asyncio.CancelledError:
                    raise
                except Exception:  # a failed decode must not end the session
                    log.exception("speech recognition failed")
                    if self._finals:
                        _, future = self._finals.popleft()
                        if not future.done():
                            future.set_result(Heard(""))
                    break

    def _prompt(self, utt: _Utterance) -> str:
        context = join_words(utt.committed[-PROMPT_WORDS:])
        return f"{self._vocabulary()} {context}".strip()

    async def _decode(self, priority: int, utt: _Utterance) -> Recognition:
        t0 = time.perf_counter()
        result = await self._pool.run(
            priority, self._recognizer.recognize, bytes(utt.audio), self._prompt(utt)
        )
        self.decode_s += time.perf_counter() - t0
        self.decodes += 1
        return result

    async def _partial(self, utt: _Utterance, priority: int) -> None:
        size = len(utt.audio)
        try:
            result = await self._decode(priority, utt)
        except Skipped:
            utt.next_at = size + BYTES_PER_S // 2
            return
        log.debug("partial over %.1f s: %r", size / BYTES_PER_S, result.text)
        utt.next_at = size + BYTES_PER_S // 4
        words = list(result.words)
        agreed = _agreed(utt.hypothesis, words)
        edge = size / BYTES_PER_S - EDGE_S
        commit = 0
        settled = len(words) if size / BYTES_PER_S > MAX_TAIL_S else agreed
        while commit < settled and words[commit].end <= edge:
            commit += 1
        cut_s = 0.0
        if commit:
            utt.committed += words[:commit]
            utt.committed_unsure |= {
                n for w in words[:commit] for n in word_parts(w.text) if n in result.unsure
            }
            following = words[commit].start if commit < len(words) else words[commit - 1].end
            cut_s = (words[commit - 1].end + following) / 2
        cut = min(size, int(cut_s * RATE_HZ) * 2)
        del utt.audio[:cut]
        utt.next_at = max(0, utt.next_at - cut)
        utt.decoded = size - cut
        utt.hypothesis = [
            Word(w.text, w.start - cut_s, w.end - cut_s, w.probability) for w in words[commit:]
        ]
        utt.hypothesis_unsure = result.unsure
        if self._on_partial is not None and utt is self._utt:
            text = join_words(utt.committed + utt.hypothesis)
            if text:
                self._on_partial(text)

    async def _final(self, utt: _Utterance, future: asyncio.Future[Heard]) -> None:
        if utt.decoded and self._voiced_frames(utt.audio, utt.decoded, 3) < 3:
            words, unsure = utt.hypothesis, utt.hypothesis_unsure
            self.reused_finals += 1
        else:
            result = await self._decode(URGENT, utt)
            words, unsure = list(result.words), result.unsure
            log.debug("final over %.1f s: %r", len(utt.audio) / BYTES_PER_S, result.text)
        heard_unsure = frozenset(utt.committed_unsure) | {
            n for w in words for n in word_parts(w.text) if n in unsure
        }
        self.utterances += 1
        if not future.done():
            future.set_result(Heard(join_words(utt.committed + words), heard_unsure))
