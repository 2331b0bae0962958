"""agents/offline/vad.py: utterance onset and end on espeak-ng speech with silence gaps."""

from __future__ import annotations

import numpy as np

from agents.offline.vad import FRAME_BYTES, SpeechAudio, SpeechEnd, SpeechStart, TurnDetector
from tests.agents.offline.speech import silence, speech_16k


def run(detector: TurnDetector, pcm: bytes, chunk_ms: int = 30) -> list[tuple[float, object]]:
    """(time in s, event) for PCM pushed in `chunk_ms` pieces."""
    out = []
    step = chunk_ms * 32
    for start in range(0, len(pcm), step):
        for event in detector.push(pcm[start : start + step]):
            out.append(((start + step) / 32_000, event))
    return out


def voiced_end_s(pcm: bytes) -> float:
    """Where the last audible sample of a clip is."""
    samples = np.abs(np.frombuffer(pcm, dtype="<i2"))
    return float(np.nonzero(samples > 300)[0][-1]) / 16_000


def test_two_utterances_separated_by_silence() -> None:
    first = speech_16k("I would use a cache in front of the database.")
    second = speech_16k("And shard it by user.")
    pcm = silence(500) + first + silence(1500) + second + silence(1000)
    events = run(TurnDetector(), pcm)
    starts = [t for t, e in events if isinstance(e, SpeechStart)]
    ends = [t for t, e in events if isinstance(e, SpeechEnd)]
    assert len(starts) == 2 and len(ends) == 2
    speech1_end = 0.5 + voiced_end_s(first)
    assert 0.5 < starts[0] < 0.5 + 0.35  # onset within ~150-300 ms of speech
    assert speech1_end + 0.35 < ends[0] < speech1_end + 0.7  # end ~440 ms after speech
    assert ends[0] < starts[1]
    heard = b"".join(e.audio for _, e in events if isinstance(e, SpeechStart | SpeechAudio))
    assert len(heard) > len(first) + len(second)  # pre-roll and trailing silence included


def test_noise_and_clicks_do_not_start_an_utterance() -> None:
    rng = np.random.default_rng(0)
    hiss = (rng.normal(0, 30, 16_000 * 2)).astype(np.int16).tobytes()
    click = np.zeros(16_000, np.int16)
    click[8000:8080] = 20_000
    detector = TurnDetector()
    assert not [e for _, e in run(detector, hiss + click.tobytes() + silence(1000))
                if isinstance(e, SpeechStart)]


def test_end_of_stream_closes_the_utterance_and_odd_chunks_are_buffered() -> None:
    detector = TurnDetector()
    pcm = speech_16k("Hello there, this is a test.")
    events = []
    for start in range(0, len(pcm), 777):  # not a multiple of the 20 ms frame
        events += detector.push(pcm[start : start + 777])
    assert any(isinstance(e, SpeechStart) for e in events) and detector.in_speech
    (end,) = detector.end()
    assert isinstance(end, SpeechEnd) and end.forced and end.voiced_ms > 500
    assert detector.end() == []
    assert FRAME_BYTES == 640
