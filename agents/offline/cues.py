"""What the candidate's words signal to the offline interviewer: done, asking something,
a stage direction rather than speech; and how to say their decisions back to them."""

from __future__ import annotations

import re

from agents.memory import TECHNOLOGIES, normalize

_DONE = re.compile(
    r"\b(?:that's all|that is all|i'm done|i am done|no more|nothing more|that's everything|"
    r"that is everything|that covers it|i'm finished|i am finished|let's wrap up|"
    r"we can wrap up|i have nothing else|nothing else)\b"
)
_STOP = re.compile(
    r"\b(?:let's wrap up|we can wrap up|let's wrap it up|let's stop|can we stop|"
    r"i want to stop|i'd like to stop|let's end|end the interview|i have to go|i need to go|"
    r"i'm done|i am done|i'm finished|i am finished)\b"
)
_ASKS_QUESTION = re.compile(
    r"\b(?:what|how|why|when|where|which|who|could you tell|can you tell|is there|are there|"
    r"do you|does the|does your)\b"
)
_NO_QUESTIONS = re.compile(
    r"\b(?:no questions|don't have any|do not have any|nothing|no thanks|"
    r"no thank you|i'm good|i am good|not really)\b"
)
_STAGE = re.compile(r"^\s*\[[^\]]*\]\s*$")
_CANONICAL_WORDS = {
    form: name
    for name, forms in TECHNOLOGIES.items()
    for form in forms
    if " " not in form and form.isalpha() and len(form) > 2
}


def is_stage_direction(text: str) -> bool:
    """A bracketed client note such as "[the candidate has joined]", not the candidate's words."""
    return bool(_STAGE.match(text))


def is_rejoin(text: str) -> bool:
    """The client's note that the candidate came back after their connection dropped."""
    return is_stage_direction(text) and "rejoined" in text.lower()


def says_done(text: str) -> bool:
    """The candidate means to stop ("that's all", "I'm done")."""
    return bool(_DONE.search(normalize(text)))


def says_stop(text: str) -> bool:
    """The candidate asks to end the interview itself, not just their answer."""
    return bool(_STOP.search(normalize(text)))


def asks_a_question(said: str) -> bool:
    return bool(_ASKS_QUESTION.search(said)) and not _NO_QUESTIONS.search(said)


def as_spoken(decision: str) -> str:
    """The candidate's decision in the second person, with technology names as spoken."""
    words = []
    for w in decision.split():
        w = {"i": "you", "my": "your", "i'd": "you'd", "i'll": "you'll", "me": "you"}.get(w, w)
        words.append(_CANONICAL_WORDS.get(w, w))
    return " ".join(words)
