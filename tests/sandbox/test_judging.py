"""Parent side of the judge protocol: nonce-checked records, tampering, stop reasons."""

from __future__ import annotations

import json

from sandbox.backend import RawRun
from sandbox.judging import Spec, parse_report, spec_for, verdict
from sandbox.models import TestCase

NONCE = "n0nce"
SPEC = Spec("f", "exact", [TestCase(args=[i], expected=i * 2) for i in range(3)])


def rec(**fields) -> bytes:
    body = json.dumps({"n": NONCE, **fields}, separators=(",", ":"))
    return b"\n" + body.encode() + b"\n"


def raw(report: bytes, kind=None, stderr=b"", marks=()) -> RawRun:
    return RawRun(b"", stderr, report, 0, None, 10.0, 5.0, 1000, kind, report_marks=list(marks))


def arrivals(data: bytes, *seconds: float) -> list[tuple[int, float]]:
    """A mark at the end of each record (one per line holding one), at the given times."""
    ends, offset = [], 0
    for line in data.split(b"\n"):
        offset += len(line) + 1
        if line:
            ends.append(offset)
    return list(zip(ends, seconds, strict=True))


def test_records_without_the_nonce_are_ignored() -> None:
    forged = b'\n{"n":"other","k":"result","i":0,"ok":true,"a":0}\n{"k":"done"}\nnoise\n'
    report = parse_report(forged + rec(k="result", i=0, ok=True, a=0), NONCE, 3)
    assert list(report.results) == [0]
    assert report.results[0]["a"] == 0
    assert b"noise" in report.stray


def test_verdict_compares_in_the_parent() -> None:
    data = rec(k="ready") + rec(k="result", i=0, ok=True, a=0, ms=0.01, kb=1, out="hi\n")
    data += rec(k="result", i=1, ok=True, a=3)
    data += rec(k="result", i=2, ok=False, error="runtime_error", err="Traceback")
    data += rec(k="done")
    marks = arrivals(data, 0.040, 0.290, 0.300, 0.310, 0.311)
    v = verdict(raw(data, marks=marks), parse_report(data, NONCE, 3, marks), SPEC, "local")
    assert [t.error_kind for t in v.tests] == [None, "wrong_answer", "runtime_error"]
    assert v.status == "wrong_answer"
    # time: the parent's arrival gaps, memory: the run's cgroup peak; never the jail's `ms`/`kb`
    assert [round(t.time_ms) for t in v.tests] == [250, 10, 10]
    assert (v.passed, v.total, round(v.max_time_ms), v.max_memory_kb) == (1, 3, 250, 1000)
    assert v.tests[0].stdout == "hi\n"
    assert v.tests[1].actual == 3 and v.tests[1].expected == 2


def test_a_test_reported_twice_was_tampered_with() -> None:
    data = rec(k="result", i=0, ok=True, a=0) + rec(k="result", i=0, ok=True, a=0)
    v = verdict(raw(data, "runtime_error"), parse_report(data, NONCE, 3), SPEC, "local")
    assert v.tests[0].error_kind == "runtime_error"
    assert "forged" in v.tests[0].stderr


def test_unreported_tests_take_the_reason_the_run_stopped() -> None:
    data = rec(k="result", i=0, ok=True, a=0)
    v = verdict(raw(data, "timeout"), parse_report(data, NONCE, 3), SPEC, "local")
    assert [t.error_kind for t in v.tests] == [None, "timeout", "timeout"]
    assert v.status == "timeout"
    assert "time limit" in v.tests[1].stderr
    assert "stopped at test 1" in v.tests[2].stderr


def test_crash_without_reason_is_a_runtime_error() -> None:
    v = verdict(raw(b"", None, b"Segmentation fault"), parse_report(b"", NONCE, 3), SPEC, "x")
    assert v.status == "runtime_error"
    assert "Segmentation fault" in v.tests[0].stderr


def test_compile_and_load_errors_fail_every_test() -> None:
    data = rec(k="compile_error", err="SyntaxError: bad")
    v = verdict(raw(data), parse_report(data, NONCE, 3), SPEC, "local")
    assert v.status == "compile_error" and v.compile_output == "SyntaxError: bad"
    data = rec(k="load_error", error="memory_limit", err="MemoryError")
    v = verdict(raw(data), parse_report(data, NONCE, 3), SPEC, "local")
    assert [t.error_kind for t in v.tests] == ["memory_limit"] * 3


def test_untrusted_fields_are_sanitised() -> None:
    data = rec(k="result", i=0, ok=True, a=0, ms=-5, kb="lots", err=["x"])
    data += rec(k="result", i=99, ok=True, a=1) + rec(k="result", i=True, ok=True, a=1)
    data += rec(k="result", i=1, ok=False, error="accepted")
    v = verdict(raw(data), parse_report(data, NONCE, 3), SPEC, "local")
    assert v.tests[0].time_ms == 0.0 and v.tests[0].memory_kb == 1000 and v.tests[0].stderr == ""
    assert v.tests[1].error_kind == "runtime_error"


def test_spec_accepts_the_bank_format() -> None:
    q = {
        "entry_point": {"python": "two_sum", "javascript": "twoSum"},
        "compare": "unordered",
        "visible_tests": [{"args": [[1, 2], 3], "expected": [0, 1]}],
        "hidden_tests": [{"args": [[2, 2], 4], "expected": [0, 1]}],
    }
    spec = spec_for("javascript", q, None)
    assert (spec.entry, spec.compare, len(spec.tests)) == ("twoSum", "unordered", 2)
    assert len(spec_for("python", q, q["visible_tests"]).tests) == 1


def test_without_arrival_times_the_run_wall_clock_is_the_time() -> None:
    data = rec(k="result", i=0, ok=True, a=0, ms=0.01, kb=1) + rec(k="done")
    v = verdict(raw(data), parse_report(data, NONCE, 1), Spec("f", "exact", SPEC.tests[:1]), "x")
    assert v.tests[0].time_ms == 0.0 and v.max_time_ms == 10.0 and v.max_memory_kb == 1000


def test_a_redacted_verdict_keeps_pass_fail_and_error_kind_only() -> None:
    data = rec(k="result", i=0, ok=True, a=0, out="args: [0]", err="args: [0]")
    data += rec(k="result", i=1, ok=False, error="runtime_error", err="ValueError: [1]")
    data += rec(k="result", i=2, ok=True, a=99, out="[2]")
    v = verdict(raw(data), parse_report(data, NONCE, 3), SPEC, "local", redact=True)
    assert [(t.passed, t.error_kind) for t in v.tests] == [
        (True, None), (False, "runtime_error"), (False, "wrong_answer")]
    assert all(t.actual is None and t.stdout == t.stderr == "" for t in v.tests)
    data = rec(k="load_error", error="runtime_error", err="leak [0] [1] [2]")
    v = verdict(raw(data), parse_report(data, NONCE, 3), SPEC, "local", redact=True)
    assert all(t.stderr == "" for t in v.tests) and v.compile_output == ""
