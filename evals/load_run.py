"""One load run and the capacity search: sign up, create the interviews, connect N simulated
candidates, measure a steady window from the server's /metrics and /proc, close everything
(`python -m evals.load` is the command line around these)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import os
import time
import uuid
from collections.abc import Sequence

import aiohttp

from evals import load_measure as measure
from evals.load_background import background_load, describe
from evals.load_config import (
    INTERVIEW,
    LATENESS_LIMIT_S,
    OUTBOUND_LIMIT_S,
    PASSWORD,
    LoadConfig,
    LoadResult,
)
from evals.load_media import canvas_png, speech_clip, video_clip
from evals.load_peer import LoadPeer, RtpCounts, install_arrival_decoder, restore_decoder
from evals.load_report import fmt
from evals.load_server import server_under_test, start_profiler, wait_quiet
from evals.load_turns import turn_clips
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
    speech = turn_clips() if cfg.turns else speech_clip()
    video = video_clip() if cfg.video else None
    result = LoadResult(server=cfg.server, peers=cfg.peers, video=cfg.video, canvas=cfg.canvas,
                        variant=cfg.variant if cfg.server == "ours" else None, turns=cfg.turns)
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
    _count_replies(live, wall0, wall1, result)


def _count_replies(live: Sequence[LoadPeer], t0: float, t1: float, result: LoadResult) -> None:
    """Turn-taking peers: the replies to sentences ended inside the window."""
    delays = [s for p in live if p.turns is not None
              for at, s in p.turns.replies if t0 <= at <= t1]
    result.replies = len(delays)
    result.unanswered = sum(1 for p in live if p.turns is not None
                            for at in p.turns.unanswered if t0 <= at <= t1)
    result.reply_p50_ms = _ms(measure.percentile(delays, 0.50))
    result.reply_p95_ms = _ms(measure.percentile(delays, 0.95))


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
