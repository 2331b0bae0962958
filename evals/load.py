"""Load test: N simulated candidates against our server and the plain-aiortc baseline.

    python -m evals.load --peers 30 --seconds 20 --video            # both servers, side by side
    python -m evals.load --peers 30 --seconds 20 --video --server ours
    python -m evals.load --peers 30 --video --loops asyncio,uvloop  # ours on each loop + baseline
    python -m evals.load --peers 30 --video --before /tmp/main-checkout  # ours before/after + base
    python -m evals.load --find-capacity --video --seconds 15       # sessions per core, both
    python -m evals.load --peers 5 --url http://127.0.0.1:8080 --server-pid 1234
    python -m evals.load --peers 10 --server ours --background signups=4/s  # without, then with
    python -m evals.load --peers 10 --canvas                        # ours without/with snapshots
    python -m evals.load --peers 8 --server ours --interviewer-external  # model in its own process

Each peer is a real aiortc peer connection on loopback that sends pre-encoded speech (Opus,
encoded once) and with `--video` a pre-encoded 640×360 15 fps VP8 clip, and times the agent's
audio coming back without decoding it. Without `--url` the harness starts the server itself
(`python -m server`, agent `alternating`, or `python -m evals.baseline_server`) on a temporary
data dir, pinned to one core (`--server-cpu`, default 0) while the harness runs on another
(`--client-cpu`, default 1), signs up, creates the interviews through the HTTP API, and
measures over a steady window of `--seconds` once every peer hears audio back:

- server CPU % (all threads, from /proc/<pid>/stat) in total and per session;
- RSS per session: (RSS with N sessions − idle RSS after a warm-up call) / N;
- connect time p50/p99: offer → ICE + DTLS connected;
- inbound frame gap p50/p99, inbound lateness p99, outbound frame interval p99 and
  frame → PCM-to-agent p99, from the server's /metrics histograms (window deltas);
- agent audio back: packets each peer received per second, and how many were speech (ours
  skips most silence: DTX); RTP packets lost both ways (aiortc's receiver stats and the
  server's RTCP reports); the server's longest garbage-collector pause;
- the harness's own CPU, worst send lateness and GC pause (if the harness lags, the run is
  suspect).

On a machine shared with other work, `--rt` (root) runs server and harness SCHED_RR so other
processes' time slices do not show up as 20-60 ms of lateness; both servers get the same.

A run passes when every peer connected and heard audio back, inbound lateness p99 ≤ 40 ms and
outbound interval p99 ≤ 30 ms (both thresholds are histogram bucket bounds: the verdict is
exact, the printed p99s are interpolated). `--find-capacity` steps N up from `--start` by
`--step` until a run fails, then bisects, for each server.

With `--url`, start the server with AGENT=alternating (what the harness starts it with).
For digging: IA_LOAD_KEEP=1 keeps the started server's data dir and log, IA_LOAD_LOG_LEVEL sets
its log level, IA_LOAD_AGENT its agent (echo, none); `--profile` needs py-spy (pip).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import json
import os
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import aiohttp

from evals import load_measure as measure
from evals.load_background import background_load, describe, parse_background
from evals.load_config import (
    INTERVIEW,
    LATENESS_LIMIT_S,
    OUTBOUND_LIMIT_S,
    PASSWORD,
    RT_PRIORITY,
    LoadConfig,
    LoadResult,
)
from evals.load_media import canvas_png, speech_clip, video_clip
from evals.load_peer import LoadPeer, RtpCounts, install_arrival_decoder, restore_decoder
from evals.load_report import fmt, format_capacity, format_results
from evals.load_server import server_under_test, start_profiler, wait_quiet
from server.live.ice import disable_loopback_only, enable_loopback_only, loopback_only_enabled


async def _signup(http: aiohttp.ClientSession) -> None:
    body = {
        "email": f"load-{uuid.uuid4().hex[:10]}@example.com",
        "password": PASSWORD,
        "name": "Load",
    }
    async with http.post("/api/auth/signup", json=body) as resp:
        if resp.status != 201:
            raise RuntimeError(f"signup failed: HTTP {resp.status} {await resp.text()}")


async def _new_interview(http: aiohttp.ClientSession) -> str:
    async with http.post("/api/interviews", json=INTERVIEW) as resp:
        if resp.status != 201:
            raise RuntimeError(f"creating an interview failed: HTTP {resp.status}")
        return str((await resp.json())["id"])


async def _scrape(http: aiohttp.ClientSession) -> measure.Scrape:
    async with http.get("/metrics") as resp:
        return measure.parse_metrics(await resp.text())


async def _wait_sessions(http: aiohttp.ClientSession, count: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (await _scrape(http)).gauges.get(measure.LIVE_SESSIONS, 0) <= count:
            return
        await asyncio.sleep(0.25)


async def _warm_up(http: aiohttp.ClientSession, cfg: LoadConfig) -> None:
    """One short call first, so codecs and lazy imports are not counted as per-session RSS."""
    peer = LoadPeer(-1, speech_clip(), video_clip() if cfg.video else None)
    try:
        await peer.connect(http, await _new_interview(http), timeout_s=cfg.connect_timeout_s)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await peer.first_back.wait()
        await asyncio.sleep(1.0)
    finally:
        await peer.close()
    await _wait_sessions(http, 0, 15)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


async def run_load(cfg: LoadConfig) -> LoadResult:
    """One bounded run: connect `cfg.peers`, measure `cfg.seconds`, close everything."""
    speech = speech_clip()
    video = video_clip() if cfg.video else None
    result = LoadResult(server=cfg.server, peers=cfg.peers, video=cfg.video, canvas=cfg.canvas,
                        variant=cfg.variant if cfg.server == "ours" else None)
    had_loopback = loopback_only_enabled()
    enable_loopback_only()
    previous_decoder = install_arrival_decoder()
    peers: list[LoadPeer] = []
    gc.collect()
    gc.freeze()  # the harness's own long-lived objects: out of the collector's full passes
    try:
        async with server_under_test(cfg) as (url, pid):
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(url, cookie_jar=jar) as http:
                await _signup(http)
                if cfg.warmup:
                    await _warm_up(http, cfg)
                await wait_quiet(pid)
                idle = measure.proc_sample(pid) if pid else None
                ids = [await _new_interview(http) for _ in range(cfg.peers)]
                peers = [LoadPeer(i, speech, video) for i in range(cfg.peers)]
                gate = asyncio.Semaphore(cfg.connect_concurrency)

                async def connect(peer: LoadPeer, interview_id: str) -> None:
                    async with gate:
                        await peer.connect(http, interview_id, timeout_s=cfg.connect_timeout_s)

                await asyncio.gather(*(connect(p, i) for p, i in zip(peers, ids, strict=True)))
                live = [p for p in peers if p.connect_s is not None]
                result.connected = len(live)
                result.failures += sorted({p.failed for p in peers if p.failed})
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(10):
                        await asyncio.gather(*(p.first_back.wait() for p in live))
                if cfg.canvas:
                    for peer in live:
                        peer.start_canvas(canvas_png())
                await asyncio.sleep(cfg.settle_s)
                await _measure_window(cfg, http, url, pid, idle, live, result)
    finally:
        await asyncio.gather(*(p.close() for p in peers), return_exceptions=True)
        restore_decoder(previous_decoder)
        gc.unfreeze()
        if not had_loopback:
            disable_loopback_only()
    return result


async def _measure_window(
    cfg: LoadConfig,
    http: aiohttp.ClientSession,
    url: str,
    pid: int | None,
    idle: measure.ProcSample | None,
    live: Sequence[LoadPeer],
    result: LoadResult,
) -> None:
    counts0 = [await p.rtp_counts() for p in live]
    before = await _scrape(http)
    for peer in live:
        peer.start_window()
    back0 = [(p.back_packets, p.back_voiced) for p in live]
    canvas0 = [(p.canvas_sent, p.canvas_saved) for p in live]
    proc0 = measure.proc_sample(pid) if pid else None
    client0, wall0 = os.times(), time.monotonic()
    profiler = await start_profiler(cfg, pid)
    async with contextlib.AsyncExitStack() as stack:  # background requests drain at its end
        if cfg.background:
            bg = await stack.enter_async_context(background_load(http, url, cfg.background))
        with measure.GcPauses() as client_gc:
            await asyncio.sleep(cfg.seconds)
            if profiler is not None:
                await profiler.wait()
        wall1, client1 = time.monotonic(), os.times()
        proc1 = measure.proc_sample(pid) if pid else None
        after = await _scrape(http)
        counts1 = [await p.rtp_counts() for p in live]
    if cfg.background:
        result.background = describe(cfg.background)
        result.background_ok, result.background_failed = bg.ok, bg.failed + bg.skipped
        result.background_p99_ms = _ms(measure.percentile(bg.latencies_s, 0.99))
    elapsed = wall1 - wall0

    result.seconds = elapsed
    result.load_avg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if proc0 and proc1:
        result.cpu_pct = (proc1.cpu_s - proc0.cpu_s) / elapsed * 100
        if idle is not None and live:
            result.rss_idle_mb = idle.rss_bytes / 2**20
            result.rss_per_session_mb = (proc1.rss_bytes - idle.rss_bytes) / len(live) / 2**20
    client_cpu = (client1.user + client1.system) - (client0.user + client0.system)
    result.client_cpu_pct = client_cpu / elapsed * 100
    result.client_send_late_ms = max((p.send_lateness_s for p in live), default=0.0) * 1000
    result.client_gc_max_ms = client_gc.longest_s * 1000

    connects = [p.connect_s for p in live if p.connect_s is not None]
    result.connect_p50_ms = _ms(measure.percentile(connects, 0.50))
    result.connect_p99_ms = _ms(measure.percentile(connects, 0.99))

    gap = measure.window(before, after, measure.INBOUND_GAP)
    late = measure.window(before, after, measure.INBOUND_LATENESS)
    out = measure.window(before, after, measure.OUTBOUND_INTERVAL)
    pcm = measure.window(before, after, measure.PCM_TO_AGENT)
    result.gap_p50_ms = _ms(gap.quantile(0.50))
    result.gap_p99_ms = _ms(gap.quantile(0.99))
    result.lateness_p99_ms = _ms(late.quantile(0.99))
    result.outbound_p99_ms = _ms(out.quantile(0.99))
    result.pcm_p99_ms = _ms(pcm.quantile(0.99))
    result.gc_pause_max_ms = _ms(measure.window(before, after, measure.GC_PAUSE).max_bound())
    lag = measure.window(before, after, measure.LOOP_LAG)
    result.loop_lag_p99_ms = _ms(lag.quantile(0.99))
    result.loop_lag_max_ms = _ms(lag.max_bound())
    result.loop_lag_over_5ms = round(lag.total * lag.share_above(0.005)) if lag.total else 0
    result.canvas_sent = sum(p.canvas_sent - s for p, (s, _) in zip(live, canvas0, strict=True))
    result.canvas_saved = sum(p.canvas_saved - a for p, (_, a) in zip(live, canvas0, strict=True))
    result.inbound_frames = int(late.total)
    result.outbound_frames = int(out.total)
    result.pcm_chunks = int(pcm.total)
    result.late_share = late.share_above(LATENESS_LIMIT_S) if late.total else 0.0
    result.slow_share = out.share_above(OUTBOUND_LIMIT_S) if out.total else 0.0

    peer_s = len(live) * elapsed
    got = sum(p.back_packets - b for p, (b, _) in zip(live, back0, strict=True))
    voiced = sum(p.back_voiced - v for p, (_, v) in zip(live, back0, strict=True))
    result.heard_back = sum(1 for p in live if p.first_back.is_set())
    result.back_pps = got / peer_s if peer_s else 0.0
    result.back_voiced_pps = voiced / peer_s if peer_s else 0.0
    lost = sum((c1 - c0 for c0, c1 in zip(counts0, counts1, strict=True)), RtpCounts())
    result.lost_to_server, result.lost_from_server = lost.sent_lost, lost.back_lost


async def find_capacity(
    cfg: LoadConfig, *, start: int, step: int, max_peers: int, report: bool = True
) -> tuple[int, list[LoadResult]]:
    """The largest N that passes: step up until a run fails, then bisect to ~20 %."""
    runs: list[LoadResult] = []

    async def passes(n: int) -> bool:
        result = await run_load(dataclasses.replace(cfg, peers=n))
        runs.append(result)
        if report:
            print(
                f"  {result.label} N={n}: {'pass' if result.ok else 'fail'} "
                f"(lateness p99 {fmt(result.lateness_p99_ms)} ms, outbound p99 "
                f"{fmt(result.outbound_p99_ms)} ms, CPU {fmt(result.cpu_pct, 0)} %, "
                f"harness CPU {result.client_cpu_pct:.0f} %, load {result.load_avg})",
                flush=True,
            )
        return result.ok

    lo, hi, n = 0, None, start
    while n <= max_peers:
        if not await passes(n):
            hi = n
            break
        lo, n = n, n + step
    if hi is None:
        return lo, runs
    while hi - lo > max(1, lo // 5):
        mid = (lo + hi) // 2
        if await passes(mid):
            lo = mid
        else:
            hi = mid
    return lo, runs


# -- command line --------------------------------------------------------------------------------


def _pin_harness(cpu: int | None, nice: int, realtime: bool) -> None:
    if nice:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    if realtime:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(RT_PRIORITY))
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return
    if cpu in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {cpu})


def _quiet_closing_errors(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
    # Peers torn down mid-send make aioice raise "not connected" in orphan tasks: noise here.
    if isinstance(context.get("exception"), ConnectionError):
        return
    loop.default_exception_handler(context)


async def _main(args: argparse.Namespace) -> int:
    asyncio.get_running_loop().set_exception_handler(_quiet_closing_errors)
    kinds = ["baseline", "ours"] if args.server == "both" else [args.server]
    background = parse_background(args.background) if args.background else {}
    if args.url:  # one running server, labelled by --server (ours unless told otherwise)
        kinds = ["ours" if args.server == "both" else args.server]
    # ours: (its name in the tables, EVENT_LOOP, checkout): one per loop asked for, plus the
    # checkout given by --before, so a change is measured against the code before it in one run
    loops = [x.strip() for x in (args.loops or "").split(",") if x.strip()]
    ours: list[tuple[str | None, str | None, str | None]] = [(x, x, None) for x in loops]
    if args.before:
        ours = ours or [("after", None, None)]  # the change itself, beside the code before it
        ours.insert(0, ("before", None, args.before))
    if not ours or args.url:
        ours = [(None, None, None)]
    base = LoadConfig(
        peers=args.peers,
        seconds=args.seconds,
        video=args.video,
        url=args.url,
        server_pid=args.server_pid,
        server_cpu=args.server_cpu,
        settle_s=args.settle,
        profile=args.profile,
        nice=args.nice,
        realtime=args.rt,
        interviewer_external=args.interviewer_external,
        model_cpu=args.client_cpu,
    )
    if args.canvas:  # side by side: the same server without and with whiteboard snapshots
        kinds = ["ours"]
    # the runs, in order: the baseline once, ours once per variant
    variants = [
        dataclasses.replace(base, server=k, variant=name, event_loop=loop, root=root)
        for k in kinds
        for name, loop, root in (ours if k == "ours" else [(None, None, None)])
    ]
    print(
        f"media: speech {speech_clip().source}, {speech_clip().bitrate_kbps:.0f} kbit/s"
        + (
            f"; video 640x360 15 fps VP8 {video_clip().bitrate_kbps:.0f} kbit/s"
            if args.video
            else "; no video"
        )
        + f"; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if args.find_capacity:
        found: dict[str, tuple[int, list[LoadResult]]] = {}
        for cfg in variants:
            label = LoadResult(server=cfg.server, peers=0, video=False, variant=cfg.variant).label
            found[label] = await find_capacity(
                cfg,
                start=args.start,
                step=args.step,
                max_peers=args.max_peers,
            )
        print(format_capacity(found))
        dump: object = {k: [dataclasses.asdict(r) for r in v[1]] for k, v in found.items()}
        ok = True
    else:
        results = []
        for cfg in variants:
            name = f"{cfg.server} ({cfg.variant})" if cfg.variant else cfg.server
            for canvas in (False, True) if args.canvas else (False,):
                print(f"  running {name}{' + canvas' if canvas else ''}: {args.peers} peers, "
                      f"{args.seconds:.0f} s ...", flush=True)
                results.append(await run_load(dataclasses.replace(cfg, canvas=canvas)))
            if background and cfg.server == "ours":
                print(f"  running {name} + {describe(background)} ...", flush=True)
                results.append(await run_load(dataclasses.replace(cfg, background=background)))
        results.sort(key=lambda r: (r.server != "ours", bool(r.background), r.canvas))
        print(format_results(results))
        dump = [dataclasses.asdict(r) for r in results]
        ok = all(r.connected for r in results)
    if args.json:
        Path(args.json).write_text(json.dumps(dump, indent=2))
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--peers", type=int, default=10, help="simulated candidates (10)")
    parser.add_argument("--seconds", type=float, default=20.0, help="steady window (20)")
    parser.add_argument("--video", action="store_true", help="also send 640x360 VP8 video")
    parser.add_argument("--server", choices=["ours", "baseline", "both"], default="both")
    parser.add_argument(
        "--loops",
        help="run ours once per event loop, side by side, e.g. 'asyncio,uvloop' "
        "(its EVENT_LOOP; default: the server's own default, unlabelled)",
    )
    parser.add_argument(
        "--before",
        metavar="CHECKOUT",
        help="also run ours from this checkout (e.g. `git archive main | tar -x -C DIR`), "
        "labelled 'before': a change measured against the code before it, in one run",
    )
    parser.add_argument("--url", help="drive a running server instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --url: measure this process")
    parser.add_argument("--server-cpu", type=int, default=0, help="core for the server (0)")
    parser.add_argument("--client-cpu", type=int, default=1, help="core for the harness (1)")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="priority of server and harness, e.g. -10 on a shared machine "
        "(below 0 needs root; both servers get the same)",
    )
    parser.add_argument(
        "--rt",
        action="store_true",
        help="run server and harness SCHED_RR (root; the kernel still leaves "
        "others 5 %% of each core): on a busy shared machine, other work's "
        "preemptions otherwise show up as 20-60 ms of lateness",
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds before the window")
    parser.add_argument(
        "--find-capacity",
        action="store_true",
        help="step N up until lateness p99 > 40 ms or outbound p99 > 30 ms",
    )
    parser.add_argument("--start", type=int, default=10, help="capacity: first N (10)")
    parser.add_argument("--step", type=int, default=10, help="capacity: N step (10)")
    parser.add_argument("--max-peers", type=int, default=100, help="capacity: largest N (100)")
    parser.add_argument(
        "--background",
        help="also run ours with background HTTP load over the window, e.g. "
        "'signups=4/s' or 'signups=4/s,logins=2/s,lists=10/s' (one run without, one with)",
    )
    parser.add_argument(
        "--canvas",
        action="store_true",
        help="our server twice, side by side: without, then with each peer sending a ~400 KB "
        "whiteboard snapshot every 2 s",
    )
    parser.add_argument(
        "--interviewer-external",
        action="store_true",
        help="the real interviewer (ADK run_live) in every call of ours, its model in a "
        "`python -m agents.offline` process on the harness's core",
    )
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument(
        "--profile",
        help="py-spy the server over the window into this file "
        "(.txt: collapsed stacks, else a flame graph .svg); one server only",
    )
    args = parser.parse_args(argv)
    _pin_harness(args.client_cpu, args.nice, args.rt)
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
