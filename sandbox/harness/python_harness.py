"""Judge harness run inside the jail by `python3 -I -S -c <this file> REPORT_FD` (stdlib only).

Reads one JSON payload on stdin ({nonce, code, entry, tests: [[args...]...], out_cap, keep,
actual_cap}), calls the entry point once per test and writes one JSON record per line to the
report fd. It never sees expected values and does not judge: the trusted parent compares, so a
candidate who patches json, builtins or this module, or forges records, cannot pass a test it
did not solve. Candidate prints are captured per test; past the output budget the harness
reports `output_limit` and exits.
"""

import builtins
import os
import resource
import sys
import time

_write = os.write
_clock = time.perf_counter
_rusage = resource.getrusage
_exit = os._exit
_TYPING_NAMES = ("List", "Dict", "Set", "Tuple", "Optional", "Deque", "DefaultDict", "Any")


def _no_default(value):
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


try:
    # The C codec straight from `_json`: `import json` pulls in `re` and costs ~10 ms a run.
    import _json

    class _ScanContext:
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = float
        memo = {}

    _scan = _json.make_scanner(_ScanContext())
    _escape = _json.encode_basestring_ascii

    def _loads(text):
        return _scan(text, 0)[0]

    def _dumps(value, default=_no_default):
        encode = _json.make_encoder({}, default, _escape, None, ":", ",", False, False, False)
        return "".join(encode(value, 0))

except (ImportError, AttributeError, TypeError):  # another Python: the slow, sure way
    import json

    _loads = json.loads

    def _dumps(value, default=_no_default):
        return json.dumps(value, default=default, allow_nan=False, separators=(",", ":"))


class _Reporter:
    """Writes newline-framed JSON records carrying the run's nonce to the report fd."""

    def __init__(self, fd, nonce):
        self.fd = fd
        self.head = '\n{"n":' + _dumps(nonce)

    def send(self, body):
        data = (self.head + "," + body + "}\n").encode("utf-8", "replace")
        while data:
            try:
                n = _write(self.fd, data)
            except OSError:
                _exit(3)
            data = data[n:]

    def record(self, **fields):
        self.send(_dumps(fields)[1:-1])


class _Budget:
    """Output shared by every test; `current` is the test being run (-1 while loading)."""

    def __init__(self, cap, keep, reporter):
        self.cap = cap
        self.keep = keep
        self.used = 0
        self.current = -1
        self.reporter = reporter

    def overflow(self):
        kind = "output_limit"
        msg = f"output limit exceeded ({self.cap} bytes)"
        if self.current < 0:
            self.reporter.record(k="load_error", error=kind, err=msg)
        else:
            self.reporter.record(k="result", i=self.current, ok=False, error=kind, err=msg)
        _exit(0)


class _Capture:
    """A text sink standing in for sys.stdout / sys.stderr during candidate code."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, budget):
        self.budget = budget
        self.parts = []
        self.kept = 0

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        b = self.budget
        b.used += len(s)
        if b.used > b.cap:
            b.overflow()
        if self.kept < b.keep:
            piece = s[: b.keep - self.kept]
            self.parts.append(piece)
            self.kept += len(piece)
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def take(self):
        text = "".join(self.parts)
        self.parts = []
        self.kept = 0
        return text


def _fmt_exc(exc):
    """The traceback limited to the candidate's own frames."""
    import traceback

    te = traceback.TracebackException.from_exception(exc, limit=-50)
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if f.filename == "solution.py"]
    )
    return "".join(te.format())


def _error_kind(exc):
    return "memory_limit" if isinstance(exc, MemoryError) else "runtime_error"


def _jsonable(value):
    if isinstance(value, (set, frozenset)):
        items = list(value)
        try:
            items.sort()
        except TypeError:
            pass
        return items
    raise TypeError(f"return value of type {type(value).__name__} is not JSON serializable")


def _namespace(code):
    ns = {"__name__": "solution", "__builtins__": builtins}
    if "typing" not in code and any(n + "[" in code for n in _TYPING_NAMES):
        import typing

        for name in _TYPING_NAMES:
            ns[name] = getattr(typing, name)
    return ns


def main():
    report_fd = int(sys.argv[1])
    if report_fd > 2:
        os.set_inheritable(report_fd, False)
    payload = _loads(sys.stdin.buffer.read().decode("utf-8"))
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    rep = _Reporter(report_fd, payload["nonce"])
    budget = _Budget(int(payload["out_cap"]), int(payload["keep"]), rep)
    actual_cap = int(payload["actual_cap"])
    code = payload["code"]
    entry = payload["entry"]
    tests = payload["tests"]
    del payload
    sys.setrecursionlimit(100_000)

    try:
        compiled = compile(code, "solution.py", "exec")
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as e:
        import traceback

        rep.record(k="compile_error", err="".join(traceback.format_exception_only(e)))
        _exit(0)

    out, err = _Capture(budget), _Capture(budget)
    real_out, real_err = sys.stdout, sys.stderr
    ns = _namespace(code)
    sys.stdout, sys.stderr = out, err
    try:
        exec(compiled, ns)
    except BaseException as e:  # noqa: BLE001 - any failure of candidate code is reported
        sys.stdout, sys.stderr = real_out, real_err
        rep.record(k="load_error", error=_error_kind(e), err=err.take() + _fmt_exc(e))
        _exit(0)
    sys.stdout, sys.stderr = real_out, real_err
    fn = ns.get(entry)
    if not callable(fn):
        rep.record(k="compile_error", err=f"solution.py must define a function named {entry}")
        _exit(0)
    rep.record(k="ready")  # the parent timestamps its arrival: test 0 starts here

    for i, args in enumerate(tests):
        budget.current = i
        out.take()
        err.take()
        sys.stdout, sys.stderr = out, err
        t0 = _clock()
        try:
            value = fn(*args)
            ms = (_clock() - t0) * 1000.0
            actual = _dumps(value, _jsonable)
        except BaseException as e:  # noqa: BLE001
            ms = (_clock() - t0) * 1000.0
            sys.stdout, sys.stderr = real_out, real_err
            kb = _rusage(resource.RUSAGE_SELF).ru_maxrss
            rep.record(
                k="result",
                i=i,
                ok=False,
                error=_error_kind(e),
                ms=ms,
                kb=kb,
                out=out.take(),
                err=err.take() + _fmt_exc(e),
            )
            continue
        sys.stdout, sys.stderr = real_out, real_err
        kb = _rusage(resource.RUSAGE_SELF).ru_maxrss
        if len(actual) > actual_cap:
            msg = f"return value larger than {actual_cap} bytes"
            rep.record(k="result", i=i, ok=False, error="output_limit", ms=ms, kb=kb, err=msg)
            continue
        meta = _dumps(
            {
                "k": "result",
                "i": i,
                "ok": True,
                "ms": ms,
                "kb": kb,
                "out": out.take(),
                "err": err.take(),
            }
        )
        rep.send(meta[1:-1] + ',"a":' + actual)
    rep.record(k="done")
    _exit(0)


if __name__ == "__main__":
    main()
