"""Every question in the bank is solvable and its tests are right, through the real judge:
each reference solution (Python, JavaScript and Java) is accepted on all visible + hidden
tests, and each question's wrong solutions (Python and Java) are rejected."""

from __future__ import annotations

import pytest

import sandbox
from storage.seed import question_files

QUESTIONS = question_files()


def as_question(q: dict) -> sandbox.Question:
    tests = q["visible_tests"] + q["hidden_tests"]
    return sandbox.Question(
        slug=q["slug"], entry_point=q["entry_point"], compare=q["compare"],
        tests=[sandbox.TestCase(args=t["args"], expected=t["expected"]) for t in tests],
    )


@pytest.fixture(scope="module")
def judge_box():  # type: ignore[no-untyped-def]
    box = sandbox.Sandbox(sandbox.SandboxConfig(wall_s=20.0))
    yield box
    box.close()


@pytest.mark.parametrize("q", QUESTIONS, ids=[q["slug"] for q in QUESTIONS])
async def test_reference_accepted_and_wrong_rejected(judge_box, q: dict) -> None:
    question = as_question(q)
    for language in ("python", "javascript", "java"):
        verdict = await judge_box.judge(language, q["reference_solutions"][language], question)
        failed = [t for t in verdict.tests if not t.passed]
        assert verdict.status == "accepted", (language, failed[:2])
        assert verdict.passed == verdict.total == len(question.tests)
    for language in ("python", "java"):
        wrong = await judge_box.judge(language, q["wrong_solution"][language], question)
        assert wrong.status != "accepted" and wrong.passed < wrong.total, language
