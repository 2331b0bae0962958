"""`python -m evals.bench_sandbox`: the local jail's cost next to a plain subprocess.

Measures, per language, `print(1)` and a judged 10-test submission, each run alternately in the
jail (the real `Sandbox` path: admission, bwrap, seccomp, cgroups, rlimits, harness, parent-side
comparison) and as a plain subprocess of the same interpreter and flags (same harness and
comparison, no jail); prints median and p95 side by side with the ratio. Then judged
submissions per second with every worker slot busy, jailed and plain.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable

from sandbox import Limits, Sandbox, SandboxConfig, judging, languages
from sandbox.backend import RawRun
from sandbox.pump import pump

PRINT_ONE = {
    "python": "print(1)",
    "javascript": "console.log(1)",
    "java": "class Main { public static void main(String[] a) { System.out.println(1); } }",
}
SOLUTIONS = {
    "python": (
        "def pair_sum(nums, target):\n"
        "    seen = {}\n"
        "    for i, n in enumerate(nums):\n"
        "        if target - n in seen:\n"
        "            return [seen[target - n], i]\n"
        "        seen[n] = i\n"
        "    return []\n"
    ),
    "javascript": (
        "function pairSum(nums, target) {\n"
        "  const seen = new Map();\n"
        "  for (let i = 0; i < nums.length; i++) {\n"
        "    if (seen.has(target - nums[i])) return [seen.get(target - nums[i]), i];\n"
        "    seen.set(nums[i], i);\n"
        "  }\n"
        "  return [];\n"
        "}\n"
    ),
    "java": (
        "import java.util.*;\n"
        "class Solution {\n"
        "    public int[] pairSum(int[] nums, int target) {\n"
        "        Map<Integer, Integer> seen = new HashMap<>();\n"
        "        for (int i = 0; i < nums.length; i++) {\n"
        "            Integer j = seen.get(target - nums[i]);\n"
        "            if (j != null) return new int[] {j, i};\n"
        "            seen.put(nums[i], i);\n"
        "        }\n"
        "        return new int[0];\n"
        "    }\n"
        "}\n"
    ),
}
QUESTION = {
    "slug": "pair-sum",
    "entry_point": {"python": "pair_sum", "javascript": "pairSum", "java": "pairSum"},
    "compare": "exact",
    "tests": [
        {"args": [list(range(n)), 2 * n - 3], "expected": [n - 2, n - 1]} for n in range(2, 12)
    ],
}
EXES = {
    "python": "/usr/bin/python3",
    "javascript": "/usr/bin/node",
    "java": os.path.realpath("/usr/bin/java"),
}


def plain_run(lang: str, code: str) -> bytes:
    argv = languages.get(lang).argv(EXES[lang], "run", code, Limits(), -1)
    with tempfile.TemporaryDirectory() as work:  # Java writes its sources and classes here
        return subprocess.run(argv, capture_output=True, env={}, check=True, cwd=work).stdout


def plain_judge(lang: str, code: str) -> str:
    """The same harness, payload, pump and comparison as the jail, minus the jail."""
    spec = judging.spec_for(lang, QUESTION, None)
    limits = languages.get(lang).limits_for(Limits())
    nonce = judging.new_nonce()
    data = judging.payload(code, spec, limits, nonce)
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    report_r, report_w = os.pipe()
    argv = languages.get(lang).argv(EXES[lang], "judge", code, limits, report_w)
    work = tempfile.TemporaryDirectory()
    proc = subprocess.Popen(
        argv, stdin=in_r, stdout=out_w, stderr=err_w, pass_fds=(report_w,), env={},
        cwd=work.name,
    )
    for fd in (in_r, out_w, err_w, report_w):
        os.close(fd)
    pidfd = os.pidfd_open(proc.pid)
    drained = pump(
        pidfd,
        stdin_fd=in_w,
        stdin_data=data,
        stdout_fd=out_r,
        stderr_fd=err_r,
        report_fd=report_r,
        output_cap=1 << 20,
        report_cap=1 << 25,
        deadline=time.monotonic() + 60,
        kill=proc.kill,
    )
    proc.wait()
    work.cleanup()
    for fd in (pidfd, out_r, err_r, report_r):
        os.close(fd)
    report = judging.parse_report(bytes(drained.report), nonce, len(spec.tests))
    raw = RawRun(b"", b"", bytes(drained.report), 0, None, 0.0, 0.0, 0, None)
    return judging.verdict(raw, report, spec, "plain").status


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000.0


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[18] if len(xs) >= 20 else max(xs)


def compare(
    label: str, jailed: Callable[[], object], plain: Callable[[], object], runs: int
) -> None:
    jailed(), plain()  # warm caches
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        a.append(timed(jailed))
        b.append(timed(plain))
    ma, mb = statistics.median(a), statistics.median(b)
    print(
        f"{label:28s} {ma:8.1f} {p95(a):8.1f}   {mb:8.1f} {p95(b):8.1f}   {ma / mb:5.2f}x",
        flush=True,
    )


async def throughput(sb: Sandbox, lang: str, seconds: float) -> float:
    done = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < stop:
            # A roomy wall limit: on a busy machine, JVMs queued on every core can exceed 5 s.
            v = await sb.judge(lang, SOLUTIONS[lang], QUESTION, limits={"wall_s": 30})
            assert v.status == "accepted", v
            done += 1

    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(sb.config.max_concurrency)))
    return done / (time.monotonic() - t0)


def plain_throughput(lang: str, seconds: float, workers: int) -> float:
    done = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal done
        while time.monotonic() < stop:
            status = plain_judge(lang, SOLUTIONS[lang])
            assert status == "accepted", status
            with lock:
                done += 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done / (time.monotonic() - t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_sandbox", description=__doc__)
    parser.add_argument("--runs", type=int, default=40, help="timed runs per row (default 40)")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput window (5 s)")
    parser.add_argument("--languages", default="python,javascript")
    args = parser.parse_args(argv)
    langs = [languages.get(x).name for x in args.languages.split(",")]

    sb = Sandbox(SandboxConfig(backend="local", cgroup_name="interview-sandbox-bench"))
    backend = sb.backend()
    print(
        f"backend={backend.name} cgroups={getattr(backend, 'cgroup_version', '?')} "
        f"cores={os.cpu_count()} slots={sb.config.max_concurrency} runs={args.runs}"
    )
    print(f"{'ms':28s} {'jail p50':>8s} {'p95':>8s}   {'plain p50':>8s} {'p95':>8s}   ratio")
    try:
        for lang in langs:
            code = PRINT_ONE[lang]
            compare(
                f"{lang} print(1)",
                lambda lang=lang, code=code: sb.run_sync(lang, code),
                lambda lang=lang, code=code: plain_run(lang, code),
                args.runs,
            )
            compare(
                f"{lang} judge 10 tests",
                lambda lang=lang: sb.judge_sync(lang, SOLUTIONS[lang], QUESTION),
                lambda lang=lang: plain_judge(lang, SOLUTIONS[lang]),
                args.runs,
            )
        for lang in langs:
            jailed = asyncio.run(throughput(sb, lang, args.seconds))
            plain = plain_throughput(lang, args.seconds, sb.config.max_concurrency)
            print(
                f"{lang} judged submissions/s ({sb.config.max_concurrency} at once): "
                f"jail {jailed:.1f}  plain {plain:.1f}",
                flush=True,
            )
    finally:
        sb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
