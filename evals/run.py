"""Run the eval cases through the real product and report conversation-quality metrics.

    python -m evals.run --cases evals/cases --out DIR [--url URL] [--parallel N]
                        [--baseline PREVIOUS.json] [--only TAG] [--feedback-timeout S]
                        [--judge]

Without `--url` it starts the server itself (a temporary data dir, the embedded default,
the offline interviewer). Each of the N workers signs up one account and runs its share of
the cases one after another (the product allows 2 live interviews per user). Writes
DIR/cases/<id>.json (the raw records), DIR/report.json, DIR/report.html and DIR/cases.md;
with `--baseline` compares against an earlier report.json and exits 1 when a figure has
regressed past its threshold (evals/summary.py lists them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from evals import interview, judge, metrics, report
from evals.cases import Case, CaseError, load_cases
from evals.load_server import started_server
from evals.summary import compare, summarize
from server.live.ice import (
    disable_loopback_only,
    enable_loopback_only,
    is_loopback,
    loopback_only_enabled,
)

log = logging.getLogger("evals")


async def sign_up(http: aiohttp.ClientSession, worker: int) -> None:
    body = {"email": f"eval-{worker}-{secrets.token_hex(4)}@example.com",
            "password": secrets.token_urlsafe(12), "name": f"Eval candidate {worker}"}
    async with http.post("/api/auth/signup", json=body) as resp:
        if resp.status != 201:
            raise RuntimeError(f"sign-up: HTTP {resp.status} {await resp.text()}")


async def worker(index: int, url: str, todo: asyncio.Queue[Case], out: Path,
                 results: list[dict[str, Any]], feedback_timeout_s: float,
                 use_judge: bool = False) -> None:
    async with aiohttp.ClientSession(url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await sign_up(http, index)
        while not todo.empty():
            case = todo.get_nowait()
            log.info("worker %d: %s", index, case.id)
            try:
                async with asyncio.timeout(case.time_limit_s + feedback_timeout_s + 120):
                    record = await interview.run_case(case, http,
                                                      feedback_timeout_s=feedback_timeout_s)
            except TimeoutError:
                record = {"case": case.model_dump(mode="json"), "ended_by": "error",
                          "errors": ["the case overran its time bound"]}
            record["metrics"] = metrics.evaluate(record)
            if use_judge:
                record["metrics"]["judge"] = await judge.judge(record)
            interview.save(record, out / "cases")
            results.append(record)
            log.info("worker %d: %s ended %s", index, case.id, record["ended_by"])


class LoopLag:
    """The harness's own event-loop lag: if it runs late, its timings are not to be trusted
    (and a peer that answers ICE consent checks late loses its connection)."""

    def __init__(self, period_s: float = 0.05) -> None:
        self.period_s = period_s
        self.max_s = 0.0
        self.late = 0  # wake-ups later than 0.5 s, aioice's consent-check timeout

    async def watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.period_s
            await asyncio.sleep(self.period_s)
            lag = loop.time() - due
            self.max_s = max(self.max_s, lag)
            self.late += lag > 0.5


@contextlib.asynccontextmanager
async def target(url: str | None, nice: int) -> AsyncIterator[str]:
    if url:
        yield url.rstrip("/")
        return
    async with started_server("ours", None, nice, agent="interviewer") as (started, _pid):
        yield started


async def run(cases: Sequence[Case], out: Path, *, url: str | None = None, parallel: int = 2,
              feedback_timeout_s: float = 60.0, nice: int = 0,
              lag: LoopLag | None = None, use_judge: bool = False) -> list[dict[str, Any]]:
    (out / "cases").mkdir(parents=True, exist_ok=True)
    todo: asyncio.Queue[Case] = asyncio.Queue()
    for case in cases:
        todo.put_nowait(case)
    results: list[dict[str, Any]] = []
    lag = lag or LoopLag()
    watcher = asyncio.create_task(lag.watch())
    had_loopback = loopback_only_enabled()
    try:
        async with target(url, nice) as base:
            if is_loopback(urlsplit(base).hostname or ""):
                enable_loopback_only()  # aioice offers no 127.0.0.1 candidate on its own
            await asyncio.gather(*(worker(i, base, todo, out, results, feedback_timeout_s,
                                          use_judge)
                                   for i in range(max(1, min(parallel, len(cases))))))
    finally:
        watcher.cancel()
        if not had_loopback:
            disable_loopback_only()
    order = {c.id: i for i, c in enumerate(cases)}
    return sorted(results, key=lambda r: order[r["case"]["id"]])


def against_baseline(summary: dict[str, Any], path: str | Path) -> list[dict[str, Any]]:
    """Compare with an earlier run's report.json (or a bare summary)."""
    baseline = json.loads(Path(path).read_text())
    return compare(summary, baseline.get("summary", baseline))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # asyncio.run cancels the run: the server it started is stopped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="evals/cases", help="a case file or a directory")
    parser.add_argument("--out", required=True, help="where to write the report")
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--baseline", help="an earlier report.json to compare against")
    parser.add_argument("--only", help="run only the cases with this tag (or id)")
    parser.add_argument("--feedback-timeout", type=float, default=60.0)
    parser.add_argument("--judge", action="store_true",
                        help="also ask an LLM to rate each interviewer turn (GOOGLE_API_KEY)")
    parser.add_argument("--nice", type=int, default=0, help="start the server at this nice")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        cases = load_cases(args.cases, args.only)
    except CaseError as exc:
        print(f"cases: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    signal.signal(signal.SIGTERM, _interrupt)
    lag = LoopLag()
    results = asyncio.run(run(cases, out, url=args.url, parallel=args.parallel,
                              feedback_timeout_s=args.feedback_timeout, nice=args.nice, lag=lag,
                              use_judge=args.judge))
    summary = summarize(results)
    summary["harness_loop_lag_max_s"] = round(lag.max_s, 3)
    summary["harness_late_wakeups"] = lag.late
    comparison = against_baseline(summary, args.baseline) if args.baseline else None
    report.write(out, results, summary, comparison)
    print(json.dumps(summary, indent=1))
    print(report.case_table_markdown(results))
    regressed = [row["figure"] for row in comparison or [] if row["regressed"]]
    if regressed:
        print(f"regressed against the baseline: {', '.join(regressed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
