"""Turn detection on 16 kHz mono PCM with webrtcvad: when the candidate starts and stops.

`TurnDetector.push(pcm)` is sync and cheap (webrtcvad costs microseconds per 20 ms frame),
so it runs on the event loop as audio arrives. It returns events:

- `SpeechStart(audio)`: voiced frames covered `onset_ms` of the last `onset_window_ms`;
  `audio` is the pre-roll (the onset window and `preroll_ms` before it) for the recogniser.
- `SpeechAudio(audio)`: frames during the utterance, trailing silence included.
- `SpeechEnd(forced)`: `end_ms` of non-speech after the utterance (or the utterance got
  longer than `max_utterance_s`, or the client said the stream ended).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import webrtcvad

RATE_HZ = 16_000
FRAME_MS = 20
FRAME_BYTES = RATE_HZ * FRAME_MS // 1000 * 2


@dataclass(frozen=True)
class VadConfig:
    aggressiveness: int = 2
    onset_ms: int = 140  # voiced time that makes an utterance (and a barge-in)
    onset_window_ms: int = 180
    end_ms: int = 440  # non-speech time that ends it
    preroll_ms: int = 300
    max_utterance_s: float = 30.0


@dataclass(frozen=True)
class SpeechStart:
    audio: bytes


@dataclass(frozen=True)
class SpeechAudio:
    audio: bytes


@dataclass(frozen=True)
class SpeechEnd:
    forced: bool = False
    voiced_ms: int = 0


VadEvent = SpeechStart | SpeechAudio | SpeechEnd


class TurnDetector:
    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = c = config or VadConfig()
        self._vad = webrtcvad.Vad(c.aggressiveness)
        self._pending = bytearray()
        self._window: deque[bool] = deque(maxlen=max(1, c.onset_window_ms // FRAME_MS))
        self._preroll: deque[bytes] = deque(
            maxlen=max(1, (c.preroll_ms + c.onset_window_ms) // FRAME_MS)
        )
        self._onset_frames = max(1, c.onset_ms // FRAME_MS)
        self._end_frames = max(1, c.end_ms // FRAME_MS)
        self._max_frames = int(c.max_utterance_s * 1000 / FRAME_MS)
        self.in_speech = False
        self._silent_run = 0
        self._utterance_frames = 0
        self._voiced_frames = 0
        self.frames_seen = 0

    def push(self, pcm: bytes) -> list[VadEvent]:
        self._pending += pcm
        events: list[VadEvent] = []
        speech = bytearray()
        while len(self._pending) >= FRAME_BYTES:
            frame = bytes(self._pending[:FRAME_BYTES])
            del self._pending[:FRAME_BYTES]
            self.frames_seen += 1
            voiced = self._vad.is_speech(frame, RATE_HZ)
            if not self.in_speech:
                self._window.append(voiced)
                self._preroll.append(frame)
                if sum(self._window) >= self._onset_frames:
                    self.in_speech = True
                    self._silent_run = 0
                    self._utterance_frames = len(self._preroll)
                    self._voiced_frames = sum(self._window)
                    events.append(SpeechStart(b"".join(self._preroll)))
                    self._preroll.clear()
                    self._window.clear()
                continue
            speech += frame
            self._utterance_frames += 1
            self._silent_run = 0 if voiced else self._silent_run + 1
            self._voiced_frames += voiced
            forced = self._utterance_frames >= self._max_frames
            if self._silent_run >= self._end_frames or forced:
                events.append(SpeechAudio(bytes(speech)))
                speech.clear()
                events.append(SpeechEnd(forced, self._voiced_frames * FRAME_MS))
                self.in_speech = False
        if speech:
            events.append(SpeechAudio(bytes(speech)))
        return events

    def end(self) -> list[VadEvent]:
        """The client's audio stream ended: close an utterance in progress."""
        if not self.in_speech:
            self._window.clear()
            return []
        self.in_speech = False
        return [SpeechEnd(True, self._voiced_frames * FRAME_MS)]

    def reset(self) -> None:
        self.in_speech = False
        self._window.clear()
        self._preroll.clear()
        self._pending.clear()
