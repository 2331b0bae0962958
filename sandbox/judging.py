"""Judge protocol, parent side: the harness payload, the report parser and the verdict.

The jail only reports actual values; expected values never enter it and the comparison runs
here. Records must carry this run's random nonce; a test reported twice was tampered with.

Time and memory are the parent's: a test's time is the gap between the arrivals of its record
and the one before (the parent's clock, on the report pipe), memory the run's cgroup peak.
The `ms`/`kb` the harness writes are ignored: candidate code shares the harness's process and
can rewrite them (a faked `time_ms: 0.01` was accepted before). A `redact`ed verdict (hidden
tests) keeps pass/fail and the error kind only: no actual value, stdout, stderr or compile text.
"""

from __future__ import annotations

import bisect
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from sandbox.backend import RawRun
from sandbox.compare import matches
from sandbox.errors import InvalidRequest
from sandbox.models import CompareMode, ErrorKind, Limits, TestCase, TestResult, Verdict

KEEP_CHARS = 4096  # captured stdout/stderr kept per test
ACTUAL_CAP = 4 * 1024 * 1024  # largest return value, as JSON
_KINDS = frozenset(get_args(ErrorKind))
_JS_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class Spec:
    """What to judge: entry point name, comparison mode and the tests."""

    entry: str
    compare: CompareMode
    tests: list[TestCase]


def spec_for(language: str, question: Any, tests: Sequence[Any] | None) -> Spec:
    """Accept a bank question (dict or object) and optional tests (dicts or TestCase)."""
    if isinstance(question, Mapping):
        get = question.get
    else:
        get = lambda k, d=None: getattr(question, k, d)  # noqa: E731
    entries = get("entry_point") or {}
    entry = entries.get(language) if isinstance(entries, Mapping) else entries
    if not isinstance(entry, str) or not entry:
        raise InvalidRequest(f"the question has no entry point for {language}")
    if not (entry.isidentifier() if language == "python" else _JS_IDENTIFIER.match(entry)):
        raise InvalidRequest(f"entry point {entry!r} is not a valid {language} identifier")
    compare = get("compare") or "exact"
    if compare not in ("exact", "unordered"):
        raise InvalidRequest(f"unknown compare mode {compare!r}")
    if tests is None:
        tests = get("tests") or [*(get("visible_tests") or []), *(get("hidden_tests") or [])]
    try:
        cases = [t if isinstance(t, TestCase) else TestCase.model_validate(t) for t in tests]
    except ValueError as e:
        raise InvalidRequest(f"malformed test: {e}") from e
    return Spec(entry, compare, cases)


def payload(code: str, spec: Spec, limits: Limits, nonce: str) -> bytes:
    return json.dumps(
        {
            "nonce": nonce,
            "code": code,
            "entry": spec.entry,
            "tests": [t.args for t in spec.tests],
            "out_cap": limits.output_kb * 1024,
            "keep": KEEP_CHARS,
            "actual_cap": ACTUAL_CAP,
        },
        separators=(",", ":"),
    ).encode()


def new_nonce() -> str:
    return secrets.token_hex(16)


@dataclass
class Report:
    """The harness's records for one run, after nonce and sanity checks."""

    compile_error: str | None = None
    load_error: tuple[ErrorKind, str] | None = None
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    tampered: set[int] = field(default_factory=set)
    done: bool = False
    stray: bytearray = field(default_factory=bytearray)  # non-record bytes (Docker: stdout)
    ready_at: float | None = None  # parent clock (s since start) when loading finished
    arrived: dict[int, float] = field(default_factory=dict)  # test -> its record's arrival


def parse_report(
    data: bytes, nonce: str, total: int, marks: Sequence[tuple[int, float]] = ()
) -> Report:
    rep = Report()
    prefix = b'{"n":"' + nonce.encode() + b'"'
    ends = [n for n, _ in marks]
    offset = 0
    for line in data.split(b"\n"):
        offset += len(line) + 1
        if not line.startswith(prefix):
            if line:
                rep.stray += line + b"\n"
            continue
        at = None
        if ends:
            k = bisect.bisect_left(ends, offset)
            at = marks[k][1] if k < len(marks) else marks[-1][1]
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if not isinstance(rec, dict) or rec.get("n") != nonce:
            continue
        kind = rec.get("k")
        if kind == "compile_error":
            rep.compile_error = _text(rec.get("err"))
        elif kind == "load_error":
            rep.load_error = (_kind(rec.get("error")), _text(rec.get("err")))
        elif kind == "done":
            rep.done = True
        elif kind == "ready":
            if rep.ready_at is None and at is not None:
                rep.ready_at = at
        elif kind == "result":
            i = rec.get("i")
            if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < total:
                continue
            if i in rep.results:
                rep.tampered.add(i)
            rep.results[i] = rec
            if at is not None:
                rep.arrived[i] = at
    return rep


def verdict(
    raw: RawRun, report: Report, spec: Spec, backend: str, *, redact: bool = False
) -> Verdict:
    """Per-test results; `redact` (hidden tests) keeps only pass/fail and the error kind."""
    v = _verdict(raw, report, spec, backend)
    if redact:
        v.compile_output = ""
        v.tests = [t.model_copy(update={"actual": None, "stdout": "", "stderr": ""})
                   for t in v.tests]
    return v


def _verdict(raw: RawRun, report: Report, spec: Spec, backend: str) -> Verdict:
    total = len(spec.tests)
    if report.compile_error is not None:
        msg = report.compile_error
        tests = [_failed(i, t, "compile_error", msg) for i, t in enumerate(spec.tests)]
        return _summary(tests, backend, compile_output=msg)
    if report.load_error is not None:
        kind, msg = report.load_error
        return _summary([_failed(i, t, kind, msg) for i, t in enumerate(spec.tests)], backend)

    results: list[TestResult] = []
    stopped_at: int | None = None
    for i, case in enumerate(spec.tests):
        rec = report.results.get(i)
        if i in report.tampered:
            results.append(_failed(i, case, "runtime_error", "the report for this test was forged"))
        elif rec is None:
            if stopped_at is None:
                stopped_at = i
                results.append(_failed(i, case, _stop_kind(raw), _stop_message(raw)))
            else:
                msg = f"not run: the run stopped at test {stopped_at}"
                results.append(_failed(i, case, _stop_kind(raw), msg))
        else:
            results.append(_judged(i, case, rec, spec.compare, _took_ms(report, i), raw))
    if total == 0 and raw.error_kind is not None and not report.done:
        return _summary([], backend, status=raw.error_kind, compile_output=_stop_message(raw))
    return _summary(results, backend, raw=raw, timed=bool(report.arrived))


def _took_ms(report: Report, i: int) -> float:
    """Parent-clock time of test i: its record's arrival minus the previous record's."""
    at = report.arrived.get(i)
    if at is None:
        return 0.0
    before = [t for j, t in report.arrived.items() if j < i]
    if report.ready_at is not None:
        before.append(report.ready_at)
    return max(0.0, at - max(before, default=0.0)) * 1000.0


def _judged(
    i: int, case: TestCase, rec: dict[str, Any], mode: CompareMode, took_ms: float, raw: RawRun
) -> TestResult:
    common = {
        "index": i,
        "expected": case.expected,
        "time_ms": round(took_ms, 3),
        "memory_kb": raw.memory_kb,  # the run's peak (cgroup): it cannot be split per test
        "stdout": _text(rec.get("out")),
        "stderr": _text(rec.get("err")),
    }
    if rec.get("ok") is not True or "a" not in rec:
        return TestResult(passed=False, error_kind=_kind(rec.get("error")), **common)
    actual = rec["a"]
    passed = matches(actual, case.expected, mode)
    return TestResult(
        passed=passed, actual=actual, error_kind=None if passed else "wrong_answer", **common
    )


def _failed(i: int, case: TestCase, kind: ErrorKind, message: str) -> TestResult:
    return TestResult(
        index=i, passed=False, expected=case.expected, error_kind=kind, stderr=message[-KEEP_CHARS:]
    )


def _stop_kind(raw: RawRun) -> ErrorKind:
    return raw.error_kind if raw.error_kind not in (None, "wrong_answer") else "runtime_error"


def _stop_message(raw: RawRun) -> str:
    tail = raw.stderr[-KEEP_CHARS:].decode("utf-8", "replace")
    reason = {
        "timeout": "time limit exceeded",
        "memory_limit": "memory limit exceeded",
        "output_limit": "output limit exceeded",
    }.get(raw.error_kind or "", "the program stopped before finishing this test")
    return f"{reason}\n{tail}" if tail else reason


def _summary(
    tests: list[TestResult],
    backend: str,
    status: Any = None,
    compile_output: str = "",
    *,
    raw: RawRun | None = None,
    timed: bool = True,
) -> Verdict:
    failed = next((t for t in tests if not t.passed), None)
    if status is None:
        status = "accepted" if failed is None else failed.error_kind or "runtime_error"
    max_time_ms = max((t.time_ms for t in tests), default=0.0)
    if not timed and raw is not None:
        max_time_ms = round(raw.time_ms, 3)  # no arrival times: the whole run's wall clock
    return Verdict(
        status=status,
        passed=sum(t.passed for t in tests),
        total=len(tests),
        max_time_ms=max_time_ms,
        max_memory_kb=max((t.memory_kb for t in tests), default=0),
        tests=tests,
        compile_output=compile_output,
        backend=backend,
    )


def _kind(value: Any) -> ErrorKind:
    return value if value in _KINDS and value != "wrong_answer" else "runtime_error"


def _text(value: Any) -> str:
    return value[:KEEP_CHARS] if isinstance(value, str) else ""


def combine(first: Verdict, second: Verdict) -> Verdict:
    """One verdict for two runs of the same code (visible tests, then hidden ones): the
    second's tests are numbered after the first's; the status is the first failure's."""
    offset = len(first.tests)
    tests = [*first.tests, *(t.model_copy(update={"index": t.index + offset})
                             for t in second.tests)]
    status = first.status if first.status != "accepted" else second.status
    return Verdict(
        status=status,
        passed=first.passed + second.passed,
        total=first.total + second.total,
        max_time_ms=max(first.max_time_ms, second.max_time_ms),
        max_memory_kb=max(first.max_memory_kb, second.max_memory_kb),
        tests=tests,
        compile_output=first.compile_output or second.compile_output,
        backend=first.backend,
    )
