"""Whisper base (faster-whisper's CTranslate2 model, int8, one thread) for short utterances.

`WhisperRecognizer.recognize(pcm, prompt=...)` is one blocking decode of up to ~25 s of
16 kHz speech; call it from a worker thread (CTranslate2 releases the GIL while it works,
so several decodes share the cores with the event loop).

Why not `WhisperModel.transcribe()`: it pads every call to Whisper's 30 s window, and the
encoder's cost follows the window, not the speech (1.8 CPU-s for 30 s on one core here,
0.2 s for 8 s). Interview turns are a few seconds, so the mel features are padded only to
the utterance's length plus a margin (whisper.cpp's `audio_ctx` does the same). The pieces
used (`feature_extractor`, `encode`, `get_prompt`, `find_alignment`) are faster-whisper's.

Each word comes back with its probability (from the alignment pass, which also gives its
timing); `Recognition.unsure` are the words too doubtful to quote back to the candidate.
"""

from __future__ import annotations

import logging
import math
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

RATE_HZ = 16_000
FRAMES_PER_S = 100  # mel frames
MIN_WINDOW_S = 4.0  # shorter encoder windows lose accuracy
MARGIN_S = 1.0
MAX_WINDOW_S = 30.0
WORD_MIN_PROBABILITY = 0.45  # below this a word is not quoted back
SEGMENT_MIN_LOGPROB = -1.0  # a whole hypothesis this unlikely: nothing in it is quoted
NO_SPEECH_MAX = 0.6  # above this (and unlikely text) the audio held no speech
_HALLUCINATIONS = re.compile(
    r"^\W*(?:thank you|thanks for watching|you|bye|\.+|subtitles? by .*)\W*$", re.I
)


@dataclass(frozen=True)
class Word:
    text: str  # as Whisper wrote it: a leading space before a word, none before punctuation
    start: float  # seconds from the start of the audio given
    end: float
    probability: float


@dataclass(frozen=True)
class Recognition:
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    unsure: frozenset[str] = field(default_factory=frozenset)  # normalized words


def _repetitive(text: str) -> bool:
    """Whisper's runaway loops ("I I I I ...") compress far better than speech does."""
    data = text.encode()
    return len(data) > 40 and len(data) / len(zlib.compress(data)) > 2.4


def _speech_end_s(audio: np.ndarray) -> float:
    """Where the last 20 ms frame with a twentieth of the loudest frame's energy ends."""
    frames = audio[: len(audio) // 320 * 320].reshape(-1, 320)
    if not len(frames):
        return 0.0
    energy = np.sqrt(np.mean(frames**2, axis=1))
    loud = np.nonzero(energy > 0.05 * float(energy.max()))[0]
    return (int(loud[-1]) + 1) * 0.02 + 0.05 if loud.size else 0.0


def _without_echo(words: tuple[Word, ...]) -> tuple[Word, ...]:
    """Cut a repeat of the opening words after a sentence end ("X. X. X" -> "X.")."""
    norm = [normalized_word(w.text) for w in words]
    spoken = [i for i, n in enumerate(norm) if n]
    if len(spoken) < 4:
        return words
    head = [norm[i] for i in spoken[:2]]
    for k in range(1, len(words)):
        if words[k - 1].text.strip() in (".", "?", "!") or words[k - 1].text.endswith((".", "?")):
            rest = [norm[i] for i in spoken if i >= k][:2]
            if rest == head:
                return words[:k]
    return words


def join_words(words: list[Word] | tuple[Word, ...]) -> str:
    return "".join(w.text for w in words).strip()


def normalized_word(word: str) -> str:
    return re.sub(r"[^a-z0-9'+]+", "", word.lower().replace("\u2019", "'"))


def word_parts(word: str) -> list[str]:
    """A recognised word as the interviewer's memory splits it ("Grebulin-Fastric" is two)."""
    return re.sub(r"[^a-z0-9'+]+", " ", word.lower().replace("\u2019", "'")).split()


def doubtful_words(words: tuple[Word, ...], avg_logprob: float) -> frozenset[str]:
    """Words recognised with low confidence (or all of them if the whole text is doubtful).
    A word glued to a doubtful one by a hyphen is doubtful too."""
    if avg_logprob < SEGMENT_MIN_LOGPROB:
        chosen = list(words)
    else:
        chosen = [w for w in words if w.probability < WORD_MIN_PROBABILITY]
        chosen += [b for a, b in zip(words, words[1:], strict=False)
                   if a in chosen and not b.text.startswith(" ")]
        chosen += [a for a, b in zip(words, words[1:], strict=False)
                   if b in chosen and not b.text.startswith(" ") and b.text.strip(".,?!")]
    return frozenset(part for w in chosen for part in word_parts(w.text))


class WhisperRecognizer:
    """A loaded model shared by every session: CTranslate2 runs up to `inter_threads`
    calls at once, one core each; the HF tokenizer's encode/decode are safe across threads."""

    def __init__(self, model_dir: Path, *, inter_threads: int = 2, beam_size: int = 5) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self.model_dir = model_dir
        self.beam_size = beam_size
        self._model = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=1,
            num_workers=inter_threads,
        )
        self._tokenizer = Tokenizer(
            self._model.hf_tokenizer, multilingual=self._model.model.is_multilingual,
            task="transcribe", language="en",
        )
        self.calls = 0
        self.audio_s = 0.0

    @classmethod
    def load(cls, model_dir: Path, **kwargs: object) -> WhisperRecognizer:
        return cls(model_dir, **kwargs)  # type: ignore[arg-type]

    def recognize(self, pcm: bytes, prompt: str = "") -> Recognition:
        """Blocking recognition of one utterance (16 kHz mono s16)."""
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        seconds = len(audio) / RATE_HZ
        if seconds < 0.2:
            return Recognition("")
        audio = audio[: int(MAX_WINDOW_S * RATE_HZ) - RATE_HZ]
        model, tokenizer = self._model, self._tokenizer
        features = model.feature_extractor(audio)
        window_s = min(MAX_WINDOW_S, max(MIN_WINDOW_S, math.ceil(seconds + MARGIN_S)))
        frames = int(window_s * FRAMES_PER_S)
        padded = np.zeros((features.shape[0], frames), dtype=np.float32)
        used = min(frames, features.shape[1])
        padded[:, :used] = features[:, :used]
        encoded = model.encode(padded)
        prompt_ids = model.get_prompt(
            tokenizer, [], without_timestamps=True, hotwords=prompt.strip() or None
        )
        # speech carries at most ~5 tokens a second: a longer output is a runaway loop
        budget = int(seconds * 6) + 8
        result, tokens, text = self._generate(encoded, prompt_ids, budget, 1.0)
        if len(tokens) >= budget or _repetitive(text):
            result, tokens, text = self._generate(encoded, prompt_ids, budget, 1.3)
            if len(tokens) >= budget or _repetitive(text):
                return Recognition("", no_speech_prob=result.no_speech_prob)
        avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1) if tokens else -10.0
        self.calls += 1
        self.audio_s += seconds
        if not text or (result.no_speech_prob > NO_SPEECH_MAX and avg_logprob < -0.7):
            return Recognition("", no_speech_prob=result.no_speech_prob)
        if _HALLUCINATIONS.match(text) and avg_logprob < -0.5:
            return Recognition("", no_speech_prob=result.no_speech_prob)
        aligned = self._align(tokens, prompt_ids, encoded, used)
        words = tuple(
            Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w["probability"]))
            for w in aligned
            if str(w["word"]).strip()
        )
        # Whisper sometimes reads on into the padding, repeating itself: words aligned past
        # the end of the audio were never said.
        # (alignment can put the last word a little late: only clearly later ones go)
        end_s = _speech_end_s(audio) + 0.25
        kept = _without_echo(tuple(w for w in words if w.start < end_s))
        if len(kept) < len(words):
            words, text = kept, join_words(kept)
            if not text:
                return Recognition("", no_speech_prob=result.no_speech_prob)
        return Recognition(
            text=text, words=words, avg_logprob=float(avg_logprob),
            no_speech_prob=float(result.no_speech_prob),
            unsure=doubtful_words(words, float(avg_logprob)),
        )

    def _generate(
        self, encoded: object, prompt_ids: list[int], budget: int, repetition_penalty: float
    ) -> tuple[Any, list[int], str]:
        tokenizer = self._tokenizer
        result = self._model.model.generate(
            encoded, [prompt_ids], beam_size=self.beam_size,
            max_length=len(prompt_ids) + budget, return_scores=True,
            return_no_speech_prob=True, suppress_blank=True, suppress_tokens=[-1],
            repetition_penalty=repetition_penalty,
            no_repeat_ngram_size=3 if repetition_penalty > 1 else 0,
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
        return result, tokens, tokenizer.decode(tokens).strip()

    def _align(self, tokens: list[int], prompt_ids: list[int], encoded: object,
               frames: int) -> list[dict[str, object]]:
        """faster-whisper's `find_alignment`, but conditioned on the same prompt as the
        decode, so a word the prompt made likely is not scored as if it came from nowhere."""
        tokenizer = self._tokenizer
        saved = tokenizer.sot_sequence
        try:
            return self._model.find_alignment(
                _PromptedTokenizer(tokenizer, prompt_ids), [tokens], encoded, frames
            )[0]
        finally:
            assert tokenizer.sot_sequence == saved


class _PromptedTokenizer:
    """A view of a faster-whisper Tokenizer whose `sot_sequence` is a whole prompt."""

    def __init__(self, tokenizer: object, prompt_ids: list[int]) -> None:
        self._tokenizer = tokenizer
        self.sot_sequence = prompt_ids

    def __getattr__(self, name: str) -> object:
        return getattr(self._tokenizer, name)
