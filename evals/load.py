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
    IA_LOAD_AGENT=interviewer python -m evals.load --server ours --turns --find-capacity \
        --seconds 60 --settle 15 --start 2 --step 2  # interviewer sessions per core

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

With `--turns` each peer takes turns instead (evals/load_turns.py): it speaks one sentence,
waits for the interviewer to answer and stop, then speaks the next, and the run also reports
how soon each answer's voice came back (end of sentence → first voiced packet).

A run passes when every peer connected and heard audio back, inbound lateness p99 ≤ 40 ms and
outbound interval p99 ≤ 30 ms (both thresholds are histogram bucket bounds: the verdict is
exact, the printed p99s are interpolated), and with `--turns` when every sentence was
answered within 10 s and the replies' p95 ≤ 1.3 s (the voice-to-voice goal).
`--find-capacity` steps N up from `--start` by `--step` until a run fails, then bisects, for
each server.

With `--url`, start the server with AGENT=alternating (what the harness starts it with).
For digging: IA_LOAD_KEEP=1 keeps the started server's data dir and log, IA_LOAD_LOG_LEVEL sets
its log level, IA_LOAD_AGENT its agent (echo, none); `--profile` needs py-spy (pip).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from pathlib import Path

from evals.load_background import describe, parse_background
from evals.load_config import (
    RT_PRIORITY,
    LoadConfig,
    LoadResult,
)
from evals.load_media import speech_clip, video_clip
from evals.load_report import format_capacity, format_results
from evals.load_run import find_capacity, run_load
from evals.load_turns import turn_clips

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
        turns=args.turns,
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
        + (f" ({turn_clips().source})" if args.turns else "")
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
    parser.add_argument(
        "--turns",
        action="store_true",
        help="each peer speaks a sentence, then waits for the interviewer's answer (run with "
        "IA_LOAD_AGENT=interviewer or --interviewer-external); reports reply latency",
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
