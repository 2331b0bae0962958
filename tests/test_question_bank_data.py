"""Data checks for the seeded coding question bank (storage/seed/coding_questions/*.json).

No sandbox is involved: the Python reference solutions run in-process, the JavaScript ones
run under ``node`` in a subprocess (one process per question), and every question's
``wrong_solution`` must fail at least one of its tests.
"""

from __future__ import annotations

import copy
import json
import math
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from storage.seed import QUESTION_FIELDS, QUESTIONS_DIR

BANK_DIR = QUESTIONS_DIR
QUESTION_FILES = sorted(BANK_DIR.glob("*.json"))

REQUIRED_FIELDS = {"slug", *QUESTION_FIELDS, "wrong_solution"}
DIFFICULTIES = {"easy", "medium", "hard"}
COMPARE_MODES = {"exact", "unordered"}
COMPANIES = {"google", "meta", "amazon", "netflix"}
LANGUAGES = ("python", "javascript", "java")
MAX_FILE_BYTES = 200 * 1024
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NODE = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)

# Reads {"source", "entry", "tests": [args, ...]} on stdin and writes one
# {"ok": bool, "value"|"error": ...} per test as a JSON list on stdout.
JS_RUNNER = r"""
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const fn = new Function(payload.source + "\nreturn " + payload.entry + ";")();
  const results = payload.tests.map((args) => {
    try {
      const value = fn(...structuredClone(args));
      return { ok: true, value: JSON.parse(JSON.stringify(value === undefined ? null : value)) };
    } catch (err) {
      return { ok: false, error: String((err && err.stack) || err) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
"""


# --------------------------------------------------------------------------- compare helper


def _json_equal(actual, expected) -> bool:
    """Deep equality of JSON values; floats compare within 1e-6 relative tolerance."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        if isinstance(actual, int) and isinstance(expected, int):
            return actual == expected
        return math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-12)
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(
            _json_equal(a, e) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            _json_equal(actual[k], expected[k]) for k in expected
        )
    if actual is None or expected is None:
        return actual is None and expected is None
    if isinstance(actual, str) and isinstance(expected, str):
        return actual == expected
    return False


def results_match(actual, expected, mode: str) -> bool:
    """The judge's comparison: ``exact`` deep equality or ``unordered`` top-level multiset."""
    if mode == "exact":
        return _json_equal(actual, expected)
    if mode == "unordered":
        if not isinstance(actual, list) or not isinstance(expected, list):
            return False
        if len(actual) != len(expected):
            return False
        # Fast path for values without floats: compare canonical encodings as multisets.
        canon = lambda v: json.dumps(v, sort_keys=True)  # noqa: E731
        if Counter(map(canon, actual)) == Counter(map(canon, expected)):
            return True
        unused = list(actual)
        for item in expected:
            for i, candidate in enumerate(unused):
                if _json_equal(candidate, item):
                    del unused[i]
                    break
            else:
                return False
        return True
    raise ValueError(f"unknown compare mode {mode!r}")


def test_results_match_helper():
    assert results_match([0, 1], [0, 1], "exact")
    assert not results_match([1, 0], [0, 1], "exact")
    assert results_match([[1], [2, 3]], [[2, 3], [1]], "unordered")
    assert not results_match([[1], [3, 2]], [[2, 3], [1]], "unordered")
    assert not results_match([1, 1, 2], [1, 2, 2], "unordered")
    assert results_match(0.1 + 0.2, 0.3, "exact")
    assert results_match(2.0, 2, "exact")
    assert not results_match(1.001, 1.0, "exact")
    assert not results_match(True, 1, "exact")
    assert not results_match(None, 0, "exact")
    assert not results_match({"a": 1}, {"a": 1, "b": 2}, "exact")
    assert results_match([[0.5, 1]], [[0.5000000001, 1]], "unordered")


# --------------------------------------------------------------------------- helpers


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _all_tests(q: dict) -> list[dict]:
    return q["visible_tests"] + q["hidden_tests"]


def _to_json(value):
    """What the judge sees: the return value after a JSON round trip."""
    return json.loads(json.dumps(value))


def _python_function(source: str, name: str):
    namespace: dict = {"__name__": "question_bank_solution"}
    exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102 - trusted seed data
    return namespace[name]


def _run_python(source: str, name: str, tests: list[dict]) -> list[tuple[bool, object]]:
    fn = _python_function(source, name)
    out = []
    for t in tests:
        try:
            out.append((True, _to_json(fn(*copy.deepcopy(t["args"])))))
        except Exception as exc:  # a wrong solution may crash; that counts as a failure
            out.append((False, repr(exc)))
    return out


def _run_javascript(source: str, name: str, tests: list[dict]) -> list[dict]:
    payload = json.dumps({"source": source, "entry": name, "tests": [t["args"] for t in tests]})
    proc = subprocess.run(
        [NODE, "-e", JS_RUNNER],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert len(results) == len(tests)
    return results


@pytest.fixture(params=QUESTION_FILES, ids=lambda p: p.stem)
def question_file(request) -> Path:
    return request.param


@pytest.fixture
def question(question_file: Path) -> dict:
    return _load(question_file)


# --------------------------------------------------------------------------- bank-wide checks


def test_bank_has_enough_varied_questions():
    assert len(QUESTION_FILES) >= 15
    questions = [_load(p) for p in QUESTION_FILES]
    by_difficulty = Counter(q["difficulty"] for q in questions)
    assert all(by_difficulty[d] >= 3 for d in DIFFICULTIES), by_difficulty
    assert len({q["slug"] for q in questions}) == len(questions)
    assert len({q["title"] for q in questions}) == len(questions)
    for lang in LANGUAGES:
        names = [q["entry_point"][lang] for q in questions]
        assert len(set(names)) == len(names), f"duplicate {lang} entry points"
    tags = {t for q in questions for t in q["tags"]}
    for required in (
        "arrays",
        "hashing",
        "strings",
        "two-pointers",
        "stack",
        "intervals",
        "graphs",
        "bfs",
        "dp",
        "heap",
        "binary-search",
        "trees-as-arrays",
    ):
        assert required in tags, required
    assert {c for q in questions for c in q["companies"]} == COMPANIES


# --------------------------------------------------------------------------- per-question checks


def test_schema(question_file):
    q = _load(question_file)
    assert set(q) == REQUIRED_FIELDS
    assert question_file.stat().st_size < MAX_FILE_BYTES
    assert q["slug"] == question_file.stem
    assert SLUG_RE.match(q["slug"])
    assert isinstance(q["title"], str) and q["title"].strip()
    assert q["difficulty"] in DIFFICULTIES
    assert q["compare"] in COMPARE_MODES
    assert isinstance(q["tags"], list) and q["tags"]
    assert all(isinstance(t, str) and SLUG_RE.match(t) for t in q["tags"])
    assert isinstance(q["companies"], list) and q["companies"]
    assert set(q["companies"]) <= COMPANIES
    assert isinstance(q["description"], str) and len(q["description"]) > 100
    assert isinstance(q["hints"], list) and q["hints"]
    assert all(isinstance(h, str) and h.strip() for h in q["hints"])

    assert len(q["visible_tests"]) >= 3
    assert len(q["hidden_tests"]) >= 5
    for t in _all_tests(q):
        assert set(t) == {"args", "expected"}
        assert isinstance(t["args"], list)
    if q["compare"] == "unordered":
        assert all(isinstance(t["expected"], list) for t in _all_tests(q))
        assert "any order" in q["description"]

    assert set(q["entry_point"]) == set(LANGUAGES)
    assert set(q["templates"]) == set(LANGUAGES)
    assert set(q["reference_solutions"]) == set(LANGUAGES)
    assert "python" in q["wrong_solution"]
    py_name = q["entry_point"]["python"]
    js_name = q["entry_point"]["javascript"]
    assert py_name.isidentifier() and re.fullmatch(r"[A-Za-z_$][\w$]*", js_name)
    py_def = re.compile(rf"^def {re.escape(py_name)}\(", re.MULTILINE)
    js_def = re.compile(rf"^function {re.escape(js_name)}\(", re.MULTILINE)
    assert py_def.search(q["templates"]["python"])
    assert js_def.search(q["templates"]["javascript"])
    assert py_def.search(q["reference_solutions"]["python"])
    assert js_def.search(q["reference_solutions"]["javascript"])
    assert py_def.search(q["wrong_solution"]["python"])
    java_def = re.compile(rf"^    public [\w<>\[\], ]+ {re.escape(js_name)}\(", re.MULTILINE)
    for source in (q["templates"], q["reference_solutions"], q["wrong_solution"]):
        assert "class Solution {" in source["java"] and java_def.search(source["java"])
    assert q["entry_point"]["java"] == js_name
    assert py_name in q["description"] and js_name in q["description"]
    assert "module.exports" not in q["reference_solutions"]["javascript"]
    # Test data must be plain JSON that survives a round trip unchanged.
    assert _to_json(_all_tests(q)) == _all_tests(q)


def test_templates_run_and_return_nothing(question):
    """The starter code is valid and callable with the test arguments (returning null)."""
    q = question
    first = q["visible_tests"][:1]
    py = _run_python(q["templates"]["python"], q["entry_point"]["python"], first)
    assert py == [(True, None)]
    if NODE is None:
        pytest.skip("node is not installed")
    js = _run_javascript(q["templates"]["javascript"], q["entry_point"]["javascript"], first)
    assert js == [{"ok": True, "value": None}]


def test_python_reference_passes_all_tests(question):
    q = question
    tests = _all_tests(q)
    results = _run_python(q["reference_solutions"]["python"], q["entry_point"]["python"], tests)
    failures = [
        (i, value, t["expected"])
        for i, ((ok, value), t) in enumerate(zip(results, tests, strict=True))
        if not ok or not results_match(value, t["expected"], q["compare"])
    ]
    assert not failures, f"{q['slug']}: python reference failed tests {failures[:3]}"


def test_javascript_reference_passes_all_tests(question):
    if NODE is None:
        pytest.skip("node is not installed")
    q = question
    tests = _all_tests(q)
    results = _run_javascript(
        q["reference_solutions"]["javascript"], q["entry_point"]["javascript"], tests
    )
    failures = [
        (i, r.get("value", r.get("error")), t["expected"])
        for i, (r, t) in enumerate(zip(results, tests, strict=True))
        if not r["ok"] or not results_match(r["value"], t["expected"], q["compare"])
    ]
    assert not failures, f"{q['slug']}: javascript reference failed tests {failures[:3]}"


def test_wrong_solution_fails_some_test(question):
    q = question
    tests = _all_tests(q)
    results = _run_python(q["wrong_solution"]["python"], q["entry_point"]["python"], tests)
    failed = [
        i
        for i, ((ok, value), t) in enumerate(zip(results, tests, strict=True))
        if not ok or not results_match(value, t["expected"], q["compare"])
    ]
    assert failed, f"{q['slug']}: wrong_solution passes every test"
