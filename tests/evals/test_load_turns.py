"""The turn-taking load candidate waits for the interviewer, answers, and times each reply."""

from __future__ import annotations

from fractions import Fraction

from evals.load_media import Clip
from evals.load_turns import QUIET_S, REPLY_WAIT_S, THINK_S, TurnClips, TurnTakingTrack

SLOT_S = 0.02
SILENCE = b"\x00" * 3


def _clip(name: bytes, frames: int) -> Clip:
    return Clip(tuple(name + bytes([i]) for i in range(frames)), 960, Fraction(1, 48_000), "t")


class Call:
    """Drives a track slot by slot on a fake clock; the interviewer talks when told to."""

    def __init__(self) -> None:
        clips = TurnClips((_clip(b"A", 5), _clip(b"B", 3)), SILENCE, "test")
        self.track = TurnTakingTrack(clips)
        self.now = 100.0
        self.sent: list[bytes] = []

    def run(self, seconds: float, *, interviewer_talks: bool = False) -> None:
        for _ in range(round(seconds / SLOT_S)):
            if interviewer_talks:
                self.track.heard(self.now)
            self.sent.append(self.track.next_payload(self.now))
            self.now += SLOT_S

    def spoken(self) -> bytes:
        return b"".join(p[:1] for p in self.sent if p != SILENCE)


def test_it_lets_the_interviewer_open_then_answers_after_the_reply_ends() -> None:
    call = Call()
    call.run(1.0)  # the call is up, the interviewer is about to greet: the candidate waits
    assert call.spoken() == b""
    call.run(3.0, interviewer_talks=True)  # the greeting
    assert call.spoken() == b""
    call.run(QUIET_S + THINK_S + 0.1)  # the greeting is over: the first sentence
    assert call.spoken() == b"A" * 5
    call.run(0.7)  # the interviewer thinks 0.7 s ...
    call.run(2.0, interviewer_talks=True)  # ... then answers
    assert call.spoken() == b"A" * 5  # the candidate did not talk over the reply
    (said_at, delay), = call.track.replies
    assert abs(delay - 0.7) < 2 * SLOT_S
    call.run(QUIET_S + THINK_S + 0.1)
    assert call.spoken() == b"A" * 5 + b"B" * 3
    assert call.track.unanswered == []


def test_a_sentence_nobody_answers_is_counted_and_the_candidate_goes_on() -> None:
    call = Call()
    call.run(0.5, interviewer_talks=True)
    call.run(QUIET_S + THINK_S + 0.2)
    assert call.spoken() == b"A" * 5
    call.run(REPLY_WAIT_S + 0.2)  # silence: the interviewer never answers
    assert len(call.track.unanswered) == 1
    assert call.track.replies == []
    assert call.spoken().endswith(b"B")


def test_voice_heard_while_the_candidate_speaks_is_not_a_reply() -> None:
    call = Call()
    call.run(0.5, interviewer_talks=True)
    call.run(QUIET_S + THINK_S + 0.05)  # the first sentence has started
    assert call.spoken().startswith(b"A")
    call.track.heard(call.now)  # the interviewer talks over it
    call.run(0.2)
    assert call.track.replies == []
