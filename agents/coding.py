"""What the interviewer learns from the coding room, as bracketed platform notes.

Every judged run or submission becomes one `[Code result: ...]` line for the model: tests
passed, the first failing visible case with expected and actual, the error kind. Most are
context only (the model keeps listening); a reply is asked for when one is due:
- an accepted submission: ask for time and space complexity and an edge case;
- a third failing run in a row, or three minutes without a change to failing code: the
  candidate is stuck, offer a graded hint (each one a little more direct) without the
  solution, pointing at the actual failing case.
The offline model server reads the same lines (agents/offline/brain.py), so the wording
here is its contract too: keep the markers in `MARK_*`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents.hooks import AgentIO

STUCK_FAILURES = 3
IDLE_S = 180.0
MAX_VALUE_CHARS = 160
MAX_CODE_CHARS = 20_000

MARK_RESULT = "[Code result:"
MARK_IDLE = "[Code idle:"
MARK_ACCEPTED = "ACCEPTED"
MARK_STUCK = "seems stuck"
LANGUAGE_NAMES = {"python": "Python", "javascript": "JavaScript", "java": "Java"}
KIND_WORDS = {
    "wrong_answer": "wrong answer",
    "runtime_error": "runtime error",
    "timeout": "time limit exceeded",
    "memory_limit": "memory limit exceeded",
    "output_limit": "output limit exceeded",
    "compile_error": "does not compile",
}


@dataclass(frozen=True)
class Note:
    text: str
    reply: bool  # ask the model to answer now (a complete turn) rather than add context


def _value(v: Any) -> str:
    text = json.dumps(v, separators=(", ", ": "))
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def first_failure(result: dict[str, Any]) -> dict[str, Any] | None:
    """The first failing test the candidate can see (else the first failing hidden one)."""
    failing = [t for t in result.get("tests") or [] if not t.get("passed")]
    visible = [t for t in failing if not t.get("hidden")]
    return (visible or failing or [None])[0]


def describe_failure(test: dict[str, Any]) -> str:
    kind = KIND_WORDS.get(test.get("error_kind") or "", "failed")
    if test.get("hidden"):
        return f"a hidden test fails ({kind})"
    args = ", ".join(_value(a) for a in test.get("args") or [])
    text = f"first failing test: input ({args}), expected {_value(test.get('expected'))}"
    if test.get("error_kind") == "wrong_answer":
        return f"{text}, got {_value(test.get('actual'))} (wrong answer)"
    stderr = (test.get("stderr") or "").strip().splitlines()
    last = f": {stderr[-1][:160]}" if stderr else ""
    return f"{text}, but it ended with a {kind}{last}"


class CodeCoach:
    """Turns results into notes and keeps the streak of failing runs and the hints given."""

    def __init__(self) -> None:
        self.failing_streak = 0
        self.hints_given = 0
        self.last: dict[str, Any] | None = None
        self._idle_nudged_version: int | None = None

    def on_result(self, result: dict[str, Any]) -> Note:
        self.last = result
        kind = "submitted" if result.get("kind") == "submit" else "ran the visible tests"
        language = LANGUAGE_NAMES.get(result.get("language") or "", result.get("language"))
        passed, total = result.get("passed", 0), result.get("total", 0)
        head = f"{MARK_RESULT} the candidate {kind} in {language}:"
        if result.get("status") == "accepted":
            self.failing_streak = 0
            if result.get("kind") == "submit":
                return Note(
                    f"{head} {MARK_ACCEPTED}, all {total} tests pass. Acknowledge it briefly, "
                    "then ask for the time and space complexity of their solution and one "
                    "edge case they would test.]",
                    reply=True,
                )
            return Note(f"{head} all {total} visible tests pass.]", reply=False)
        self.failing_streak += 1
        if result.get("status") == "compile_error":
            output = (result.get("compile_output") or "").strip().splitlines()
            detail = f"the code does not compile: {output[0][:200]}" if output else "no compile"
        else:
            failure = first_failure(result)
            detail = f"{passed} of {total} tests pass; " + (
                describe_failure(failure) if failure else "it failed"
            )
        if self.failing_streak >= STUCK_FAILURES and self.failing_streak % STUCK_FAILURES == 0:
            self.hints_given += 1
            return Note(
                f"{head} {detail}. That is {self.failing_streak} failing runs in a row: the "
                f"candidate {MARK_STUCK}. Offer hint number {self.hints_given}, a little more "
                "direct than the last, about this failing case, without giving the solution "
                "or writing code for them.]",
                reply=True,
            )
        return Note(f"{head} {detail}.]", reply=False)

    def idle_note(self, current: dict[str, Any] | None) -> Note | None:
        """Three minutes without a change to code that still fails: a nudge, once per version."""
        if current is None or current.get("unchanged_s", 0) < IDLE_S:
            return None
        if self.last is None or self.last.get("status") == "accepted":
            return None
        version = current.get("version")
        if version == self._idle_nudged_version:
            return None
        self._idle_nudged_version = version
        self.hints_given += 1
        failure = first_failure(self.last)
        detail = describe_failure(failure) if failure else "their last run failed"
        return Note(
            f"{MARK_IDLE} the candidate's code has not changed for "
            f"{int(current['unchanged_s'] // 60)} minutes and {detail}. The candidate "
            f"{MARK_STUCK}. Offer hint number {self.hints_given} without giving the solution.]",
            reply=True,
        )

    def summary(self) -> dict[str, Any] | None:
        if self.last is None:
            return None
        failure = first_failure(self.last)
        return {
            "kind": self.last.get("kind"),
            "status": self.last.get("status"),
            "passed": self.last.get("passed"),
            "total": self.last.get("total"),
            "first_failure": describe_failure(failure) if failure else None,
            "failing_runs_in_a_row": self.failing_streak,
        }


def read_code_tool(io: AgentIO, coach: CodeCoach) -> Callable[..., Any]:
    """The `read_code` function the model may call (its name and docstring are what it sees)."""

    async def read_code() -> dict[str, Any]:
        """Read the candidate's current code in the editor, with its language and the result
        of their last run or submission. Call it when you need to look at their code, for
        example to point at a line when they ask for help."""
        current = io.current_code()
        if current is None:
            return {"code": None, "note": "the candidate has not written any code yet"}
        code = current.get("code") or ""
        return {
            "language": current.get("language"),
            "code": code[:MAX_CODE_CHARS],
            "truncated": len(code) > MAX_CODE_CHARS,
            "unchanged_seconds": current.get("unchanged_s"),
            "last_result": coach.summary(),
        }

    return read_code
