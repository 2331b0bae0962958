"""Hidden tests leak nothing, and time and memory are measured by the parent, in the real jail.

The hostile code prints every argument to stdout and stderr, raises with it, and rewrites the
harness's own timing fields (`ms`, `kb`) to look instant and tiny.
"""

from __future__ import annotations

import json

from sandbox import Sandbox
from sandbox.judging import parse_report, verdict

SECRET_ARGS = [[f"hidden-{i}-x9q"] for i in range(3)]
QUESTION = {
    "slug": "echo",
    "entry_point": {"python": "echo", "javascript": "echo"},
    "compare": "exact",
    "tests": [{"args": a, "expected": a[0]} for a in SECRET_ARGS],
}
FAKER = '''
import gc, re, sys, time

def _fake_timing():
    for o in gc.get_objects():
        if type(o).__name__ == "_Reporter" and not getattr(o, "faked", False):
            send = o.send
            def lying(body, send=send):
                body = re.sub(r'"ms":[-0-9.e+]+', '"ms":0.01', body)
                return send(re.sub(r'"kb":[0-9]+', '"kb":1', body))
            o.send, o.faked = lying, True

def echo(arg):
    _fake_timing()
    print("ARG", arg)
    sys.stderr.write("ARG %s\\n" % arg)
    busy = time.monotonic()
    while time.monotonic() - busy < 0.25:
        pass
    if arg.startswith("hidden-1"):
        raise ValueError("ARG " + arg)
    return arg
'''
JS_LEAKER = """
function echo(arg) {
  console.log('ARG ' + arg);
  console.error('ARG ' + arg);
  if (arg.startsWith('hidden-1')) throw new Error('ARG ' + arg);
  return arg;
}
"""


def leaks(v) -> list[str]:  # type: ignore[no-untyped-def]
    text = json.dumps(v.model_dump()) + v.compile_output
    return [a[0] for a in SECRET_ARGS if a[0] in text.replace(f'"expected": "{a[0]}"', "")]


async def test_hidden_results_carry_pass_fail_and_error_kind_only(sandbox: Sandbox) -> None:
    for language, code in (("python", FAKER), ("javascript", JS_LEAKER)):
        shown = await sandbox.judge(language, code, QUESTION)
        assert len(leaks(shown)) == 3, (language, shown)  # the code does print its arguments

        hidden = await sandbox.judge(language, code, QUESTION, redact=True)
        assert leaks(hidden) == [], (language, hidden)
        assert [(t.passed, t.error_kind) for t in hidden.tests] == [
            (True, None), (False, "runtime_error"), (True, None)]
        assert hidden.status == "runtime_error" and hidden.passed == 2


async def test_time_and_memory_come_from_the_parent_not_the_jail(sandbox: Sandbox) -> None:
    job, spec, nonce = sandbox._judge_job("python", FAKER, QUESTION, None, None)
    raw = await sandbox._execute(job)
    report = parse_report(raw.report, nonce, len(spec.tests), raw.report_marks)
    assert report.results[0]["ms"] == 0.01 and report.results[0]["kb"] == 1  # the forgery landed

    v = verdict(raw, report, spec, "local")
    for t in v.tests:
        assert 240 <= t.time_ms < 2000, t  # each call busy-waits 250 ms
        assert t.memory_kb == raw.memory_kb > 1000
    assert v.max_time_ms >= 240 and v.max_memory_kb > 1000
    assert sum(t.time_ms for t in v.tests) <= raw.time_ms
