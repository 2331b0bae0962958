"""Coding-room notes for the interviewer (agents/coding.py) and how the offline interviewer
reacts to them (agents/offline/code_notes.py through the brain)."""

from __future__ import annotations

import asyncio

from agents.coding import CodeCoach, read_code_tool
from agents.hooks import InterviewBrief
from agents.offline.brain import Brain, Say
from agents.offline.brief import Brief
from tests.agents.fake_io import FakeIO


def result(kind: str, status: str, passed: int, total: int, **failing) -> dict:  # type: ignore[no-untyped-def]
    tests = [{"index": i, "hidden": False, "passed": True} for i in range(passed)]
    if passed < total:
        tests.append({"index": passed, "hidden": False, "passed": False, "args": [[3, 1, 2]],
                      "expected": 5, "actual": 4, "error_kind": "wrong_answer", **failing})
    return {"kind": kind, "language": "java", "status": status, "passed": passed,
            "total": total, "tests": tests, "compile_output": ""}


def spoken(actions: list) -> str:  # type: ignore[type-arg]
    return " ".join(a.text for a in actions if isinstance(a, Say))


def test_failing_runs_are_context_until_the_third_in_a_row() -> None:
    coach = CodeCoach()
    first = coach.on_result(result("run", "wrong_answer", 2, 3))
    assert not first.reply
    assert "2 of 3 tests pass" in first.text
    assert "input ([3, 1, 2]), expected 5, got 4 (wrong answer)" in first.text
    assert not coach.on_result(result("run", "wrong_answer", 2, 3)).reply
    third = coach.on_result(result("run", "wrong_answer", 2, 3))
    assert third.reply and "seems stuck" in third.text and "hint number 1" in third.text
    assert not coach.on_result(result("run", "wrong_answer", 2, 3)).reply
    accepted = coach.on_result(result("submit", "accepted", 9, 9))
    assert accepted.reply and "ACCEPTED" in accepted.text and "complexity" in accepted.text
    assert coach.failing_streak == 0


def test_compile_error_and_idle_code() -> None:
    coach = CodeCoach()
    broken = result("run", "compile_error", 0, 3)
    broken["compile_output"] = "Solution.java:3: error: ';' expected\n1 error"
    note = coach.on_result(broken)
    assert "does not compile: Solution.java:3: error: ';' expected" in note.text
    coach.on_result(result("run", "wrong_answer", 1, 3))
    assert coach.idle_note({"unchanged_s": 60, "version": 4}) is None
    idle = coach.idle_note({"unchanged_s": 185, "version": 4})
    assert idle is not None and idle.reply and "3 minutes" in idle.text
    assert coach.idle_note({"unchanged_s": 400, "version": 4}) is None  # once per version


def test_read_code_tool_returns_the_code_and_last_result() -> None:
    io = FakeIO(InterviewBrief("iv", "coding", "Engineer", "mid", "google"))
    coach = CodeCoach()
    tool = read_code_tool(io, coach)
    assert asyncio.run(tool())["code"] is None
    io.code = {"language": "java", "code": "class Solution {}", "unchanged_s": 3.0, "version": 2}
    coach.on_result(result("run", "wrong_answer", 0, 1))
    out = asyncio.run(tool())
    assert out["code"] == "class Solution {}" and out["language"] == "java"
    assert out["last_result"]["first_failure"].startswith("first failing test")


def test_offline_brain_reacts_like_the_brief_asks() -> None:
    brain = Brain.create(Brief(type="coding", phase="interview"), seed=3)
    brain.question_presented = True
    coach = CodeCoach()
    # Context only (turn not complete): remembered, nothing said.
    brain.replay([("user", coach.on_result(result("run", "wrong_answer", 2, 3)).text)])
    assert brain.code["failure"]["got"] == "4"
    help_line = spoken(brain.on_user_turn("I'm stuck, can you give me a hint?"))
    assert "[3, 1, 2]" in help_line and "5" in help_line and "returns 4" in help_line
    coach.on_result(result("run", "wrong_answer", 2, 3))
    stuck = coach.on_result(result("run", "wrong_answer", 2, 3))
    hint = spoken(brain.on_user_turn(stuck.text))
    assert hint and hint != help_line and "[3, 1, 2]" in hint  # the next, more direct hint
    accepted = spoken(brain.on_user_turn(coach.on_result(result("submit", "accepted", 9, 9)).text))
    assert "complexity" in accepted and "edge case" in accepted
    assert Brain.from_dict(brain.to_dict()).code == brain.code
