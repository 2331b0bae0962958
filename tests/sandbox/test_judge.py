"""The judge end to end in the real jail: the question bank, verdicts and per-test details."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from sandbox import InvalidRequest, Sandbox, UnsupportedLanguage
from tests.sandbox.conftest import REPO_ROOT

BANK = sorted((REPO_ROOT / "storage" / "seed" / "coding_questions").glob("*.json"))
ADD = {
    "slug": "add",
    "entry_point": {"python": "add", "javascript": "add"},
    "compare": "exact",
    "tests": [
        {"args": [1, 2], "expected": 3},
        {"args": [5, 0], "expected": 5},
        {"args": [0.1, 0.2], "expected": 0.3},
    ],
}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not BANK, reason="no question bank in this checkout")
async def test_bank_reference_solutions_pass_and_wrong_ones_fail(sandbox: Sandbox) -> None:
    questions = [_load(p) for p in BANK]
    good = [(q, lang, code) for q in questions for lang, code in q["reference_solutions"].items()]
    bad = [(q, lang, code) for q in questions for lang, code in q["wrong_solution"].items()]
    # The bank outgrows the admission queue: keep a few runs waiting, not all of them.
    admitted = asyncio.Semaphore(8)

    async def judged(q: dict, lang: str, code: str):
        async with admitted:
            return await sandbox.judge(lang, code, q)

    verdicts = await asyncio.gather(*(judged(q, lang, code) for q, lang, code in good + bad))
    for (q, lang, _), v in zip(good, verdicts[: len(good)], strict=True):
        assert v.status == "accepted", (q["slug"], lang, v.tests)
        assert v.passed == v.total == len(q["visible_tests"]) + len(q["hidden_tests"])
    for (q, lang, _), v in zip(bad, verdicts[len(good) :], strict=True):
        assert v.status != "accepted", (q["slug"], lang)


@pytest.mark.parametrize("language", ["python", "javascript"])
async def test_accepted_with_details(sandbox: Sandbox, language: str) -> None:
    code = {
        "python": "def add(a, b):\n    print('adding', a, b)\n    return a + b\n",
        "javascript": "function add(a, b) { console.log('adding', a, b); return a + b; }",
    }[language]
    v = await sandbox.judge(language, code, ADD)
    assert v.status == "accepted"
    assert (v.passed, v.total) == (3, 3)
    assert v.backend == "local"
    first = v.tests[0]
    assert first.passed and first.actual == 3 and first.expected == 3
    assert first.error_kind is None
    assert first.stdout == "adding 1 2\n"
    assert 0 <= first.time_ms < 1000
    assert first.memory_kb > 1000
    assert v.max_memory_kb >= first.memory_kb


@pytest.mark.parametrize(
    ("language", "code", "status", "kinds"),
    [
        (
            "python",
            "def add(a, b):\n    return a - b",
            "wrong_answer",
            ["wrong_answer", None, "wrong_answer"],
        ),
        (
            "python",
            "def add(a, b):\n    if b == 0:\n        raise ValueError()\n    return a + b",
            "runtime_error",
            [None, "runtime_error", None],
        ),
        ("python", "def add(a, b:\n", "compile_error", ["compile_error"] * 3),
        ("python", "def plus(a, b):\n    return a + b", "compile_error", ["compile_error"] * 3),
        (
            "python",
            "import nonexistent_module\ndef add(a, b):\n    return a + b",
            "runtime_error",
            ["runtime_error"] * 3,
        ),
        (
            "python",
            "def add(a, b):\n    if b == 0:\n        while True: pass\n    return a + b",
            "timeout",
            [None, "timeout", "timeout"],
        ),
        ("python", "def add(a, b):\n    return {1, 2}", "wrong_answer", ["wrong_answer"] * 3),
        ("python", "def add(a, b):\n    return object()", "runtime_error", ["runtime_error"] * 3),
        (
            "javascript",
            "function add(a, b) { return a - b }",
            "wrong_answer",
            ["wrong_answer", None, "wrong_answer"],
        ),
        (
            "javascript",
            "function add(a, b) { if (b === 0) throw new Error('zero'); return a + b }",
            "runtime_error",
            [None, "runtime_error", None],
        ),
        ("javascript", "function add(a, b { }", "compile_error", ["compile_error"] * 3),
        ("javascript", "const add = async (a, b) => a + b;", "accepted", [None] * 3),
        (
            "javascript",
            "function add(a, b) { if (b === 0) for(;;){} return a + b }",
            "timeout",
            [None, "timeout", "timeout"],
        ),
    ],
)
async def test_verdicts(sandbox: Sandbox, language, code, status, kinds) -> None:
    v = await sandbox.judge(language, code, ADD, limits={"wall_s": 2})
    assert v.status == status, v
    assert [t.error_kind for t in v.tests] == kinds, v


async def test_runtime_error_shows_the_candidate_traceback(sandbox: Sandbox) -> None:
    code = "def add(a, b):\n    return helper(a)\n\ndef helper(x):\n    return x / 0\n"
    v = await sandbox.judge("python", code, ADD)
    err = v.tests[0].stderr
    assert 'File "solution.py", line 5, in helper' in err
    assert "ZeroDivisionError" in err
    assert "harness" not in err


async def test_memory_and_output_limits_inside_the_harness(sandbox: Sandbox) -> None:
    mem = await sandbox.judge(
        "python", "def add(a, b):\n    return len(bytearray(2 * 1024 ** 3))", ADD
    )
    assert mem.status == "memory_limit"
    out = await sandbox.judge(
        "python", "def add(a, b):\n    while True:\n        print('x' * 1000)", ADD
    )
    assert out.status == "output_limit"
    assert out.tests[0].error_kind == "output_limit"
    js_out = await sandbox.judge(
        "javascript", "function add(a, b) { for (;;) console.log('x'.repeat(1000)) }", ADD
    )
    assert js_out.status == "output_limit"
    js_mem = await sandbox.judge(
        "javascript",
        "function add(a, b) { const x = []; for (;;) x.push(new Array(1e6).fill(1)) }",
        ADD,
        limits={"wall_s": 10, "memory_mb": 96},
    )
    assert js_mem.status == "memory_limit"


async def test_unordered_compare(sandbox: Sandbox) -> None:
    q = {
        "entry_point": {"python": "pairs"},
        "compare": "unordered",
        "tests": [{"args": [], "expected": [[1, 2], [3, 4]]}],
    }
    v = await sandbox.judge("python", "def pairs():\n    return [(3, 4), (1, 2)]", q)
    assert v.status == "accepted"
    v = await sandbox.judge("python", "def pairs():\n    return [(4, 3), (1, 2)]", q)
    assert v.status == "wrong_answer"


async def test_bad_requests_are_named_errors(sandbox: Sandbox) -> None:
    with pytest.raises(UnsupportedLanguage):
        await sandbox.judge("cobol", "x", ADD)
    with pytest.raises(InvalidRequest):
        await sandbox.judge("python", "x", {"entry_point": {"python": "a; import os"}, "tests": []})
    with pytest.raises(InvalidRequest):
        await sandbox.judge("python", "x" * 200_000, ADD)
    with pytest.raises(InvalidRequest):
        await sandbox.judge("python", "x", ADD, limits={"memory_mb": 10**9})
    with pytest.raises(InvalidRequest):
        await sandbox.judge("python", "x", {"entry_point": {"javascript": "f"}, "tests": []})
