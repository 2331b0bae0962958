"""The offline interviewer's side of the coding room: it reads the `[Code result: ...]` and
`[Code idle: ...]` lines the platform sends (agents/coding.py writes them) exactly as the
real model receives them, and answers the way the instruction asks of the real model: the
complexity question after an accepted submission, graded hints without the solution when
the candidate is stuck, and the actual failing case when they ask for help.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agents.coding import MARK_ACCEPTED, MARK_IDLE, MARK_RESULT, MARK_STUCK

_FAILURE = re.compile(
    r"input \((?P<input>.*?)\), expected (?P<expected>.*?)"
    r"(?:, got (?P<got>.*?) \(wrong answer\)|, but it ended with a (?P<kind>[a-z ]+))"
)
_COMPILE = re.compile(r"does not compile: (?P<error>[^\]]*)")
_HELP = re.compile(
    r"\b(?:help|hint|stuck|not sure what|no idea|don't know why|do not know why|"
    r"what am i missing|why (?:is|does) (?:it|this|my))\b"
)

ACCEPTED = (
    "Nice, all the tests pass. What's the time and space complexity of your solution? "
    "And is there an edge case you'd want a test for?",
    "Great, every test passes. Walk me through the time and space complexity, and tell me "
    "one edge case you'd check.",
    "All green, well done. What's the complexity of that, in time and in space? And which "
    "edge case worries you most?",
)
HINTS = (
    "Let's look at the failing case together: for input {input} the test expects "
    "{expected}, and your code {outcome}. Can you trace what your code does with that input?",
    "Here's a nudge: think about what makes the input {input} different from the cases that "
    "pass, and which part of your code handles it. The expected answer there is {expected}.",
    "One more hint: check the boundaries for {input}, the first and last elements and how "
    "your loop or recursion stops, and what you keep from one step to the next.",
)
COMPILE_HELP = (
    "It looks like the code doesn't compile yet: {error}. Fix that first and run it again, "
    "then we can look at the tests."
)
NO_FAILURE_HELP = (
    "Sure. Try running your code against the visible tests; then we can look at whichever "
    "case fails together."
)


@dataclass(frozen=True)
class Parsed:
    accepted: bool
    stuck: bool
    failure: dict[str, str] | None
    compile_error: str | None


def is_code_note(text: str) -> bool:
    t = text.strip()
    return t.startswith(MARK_RESULT) or t.startswith(MARK_IDLE)


def parse(text: str) -> Parsed:
    failure = None
    m = _FAILURE.search(text)
    if m:
        failure = {k: v for k, v in m.groupdict().items() if v is not None}
    c = _COMPILE.search(text)
    return Parsed(
        accepted=MARK_ACCEPTED in text,
        stuck=MARK_STUCK in text,
        failure=failure,
        compile_error=c.group("error").strip().rstrip(".") if c else None,
    )


def asks_for_help(said: str) -> bool:
    return bool(_HELP.search(said))


def hint(state: dict[str, Any], level: int) -> str:
    """Hint `level` (1 = a question about the failing case, later ones more direct)."""
    if state.get("compile_error"):
        return COMPILE_HELP.format(error=state["compile_error"])
    failure = state.get("failure")
    if not failure:
        return NO_FAILURE_HELP
    got = failure.get("got")
    outcome = f"returns {got}" if got is not None else f"ends with a {failure.get('kind')}"
    text = HINTS[min(level, len(HINTS)) - 1]
    return text.format(input=failure["input"], expected=failure["expected"], outcome=outcome)


def react(state: dict[str, Any], text: str, *, reply: bool) -> str | None:
    """Update `state` (kept in the brain's dict) from a note; the line to say, if any."""
    parsed = parse(text)
    state["failure"] = parsed.failure
    state["compile_error"] = parsed.compile_error
    state["accepted"] = parsed.accepted
    if not reply:
        return None
    if parsed.accepted:
        state["hints"] = 0
        return None  # the caller picks from ACCEPTED with its seeded picker
    if parsed.stuck or parsed.failure or parsed.compile_error:
        state["hints"] = int(state.get("hints", 0)) + 1
        return hint(state, state["hints"])
    return None
