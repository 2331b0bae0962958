"""A load candidate that takes turns, for measuring the interviewer itself under load.

The plain load candidate (`ClipTrack`) talks without a pause, so a real interviewer never
gets a turn: it listens forever and its speech models sit idle. `TurnTakingTrack` speaks one
sentence, then sends silence until the interviewer has answered and stopped talking (or has
not answered within `REPLY_WAIT_S`), then speaks the next. It notes each reply's latency:
from the end of its sentence to the first voiced packet of the interviewer's answer, which is
the voice-to-voice delay a candidate hears (the server's end-of-turn detection included),
measured under however many other calls the run holds.

The peer tells the track when voiced audio arrives (`heard`); the track decides on each 20 ms
slot what to send (`next_payload`), on the harness's event loop, with no decoding.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from evals.load_media import AUDIO_RATE_HZ, SPEECH_TEXT, Clip, ClipTrack, opus_clip, speech_pcm

REPLY_WAIT_S = 10.0  # no voice back this long after a sentence: the reply never came
QUIET_S = 1.0  # the interviewer's voice has stopped this long: its turn is over
LONGEST_TURN_S = 45.0  # an interviewer still talking after this: speak anyway
THINK_S = 0.3  # between the interviewer's last word and the candidate's next


@dataclass(frozen=True)
class TurnClips:
    """The candidate's sentences, each its own Opus clip, and one payload of silence."""

    sentences: tuple[Clip, ...]
    silence: bytes
    source: str


def _trimmed(pcm: np.ndarray, threshold: int = 300) -> np.ndarray:
    """`pcm` without its trailing silence, so a sentence's clip ends on its last word."""
    loud = np.nonzero(np.abs(pcm.astype(np.int32)) > threshold)[0]
    return pcm[: int(loud[-1]) + 1] if loud.size else pcm


@functools.cache
def turn_clips() -> TurnClips:
    """The load candidate's speech cut into sentences, encoded once per harness process."""
    sentences = [s.strip() for s in re.split(r"(?<=[.?!])\s+", SPEECH_TEXT) if s.strip()]
    clips, source = [], ""
    for sentence in sentences:
        pcm, source = speech_pcm(sentence)
        clips.append(opus_clip(_trimmed(pcm), source))
    silence = opus_clip(np.zeros(AUDIO_RATE_HZ // 5, np.int16), "silence").payloads[-2]
    return TurnClips(tuple(clips), silence, f"{source}, {len(clips)} sentences, turn-taking")


class TurnTakingTrack(ClipTrack):
    """Speaks a sentence, waits for the reply to start and end, speaks the next.

    It starts by listening: the interviewer opens the call. `replies` holds
    (when the sentence ended, seconds until the voice came back); `unanswered` the end times
    of sentences no voice answered within `REPLY_WAIT_S`.
    """

    def __init__(self, clips: TurnClips, *, offset: int = 0) -> None:
        super().__init__("audio", clips.sentences[0])
        self._clips = clips
        self._sentence = offset % len(clips.sentences)
        self._speaking: Clip | None = None
        self._at = 0  # next payload of the sentence being spoken
        self._said_at: float | None = None  # the last sentence ended (None: not spoken yet)
        self._listen_from: float | None = None  # set by the first slot: the call is up
        self._first_voice: float | None = None
        self._last_voice: float | None = None
        self.replies: list[tuple[float, float]] = []
        self.unanswered: list[float] = []

    def heard(self, at: float) -> None:
        """A voiced packet of the interviewer's arrived at `at` (time.monotonic())."""
        if self._speaking is not None or (self._listen_from is not None
                                          and at < self._listen_from):
            return  # talked over while speaking: not an answer to anything
        if self._first_voice is None:
            self._first_voice = at
            if self._said_at is not None:
                self.replies.append((self._said_at, at - self._said_at))
        self._last_voice = at

    def next_payload(self, now: float) -> bytes:
        if self._listen_from is None:
            self._listen_from = now
        if self._speaking is None and self._turn_is_ours(now):
            self._speaking, self._at = self._clips.sentences[self._sentence], 0
            self._sentence = (self._sentence + 1) % len(self._clips.sentences)
        if self._speaking is None:
            return self._clips.silence
        payload = self._speaking.payloads[self._at]
        self._at += 1
        if self._at == len(self._speaking.payloads):
            self._speaking = None
            self._said_at = self._listen_from = now + self._period_s
            self._first_voice = self._last_voice = None
        return payload

    def _turn_is_ours(self, now: float) -> bool:
        if self._first_voice is None:  # no answer yet
            if self._said_at is None:  # nobody opened the call: start it
                return now - (self._listen_from or now) >= REPLY_WAIT_S
            if now - self._said_at >= REPLY_WAIT_S:
                self.unanswered.append(self._said_at)
                return True
            return False
        assert self._last_voice is not None
        return (now - self._last_voice >= QUIET_S + THINK_S
                or now - self._first_voice >= LONGEST_TURN_S)
