"""How long whiteboard snapshot work holds the event loop (it must never be > 5 ms).

    python -m evals.bench_canvas --snapshots 40 --kb 400

An `EventChannel` and a `CanvasKeeper` (the server's own, on a real SQLite database and a
local object store in a temp dir) receive `--snapshots` snapshots of about `--kb` KB as
data-channel chunks, one every `--every` seconds, while a 1 ms timer measures the CPU time
the loop's thread spends between its ticks: with nothing else on the loop, that is snapshot
work holding it (thread CPU time, so a busy machine preempting us does not count).
Prints the worst and p99 hold, and the same with the checks done on the loop (what the
worker thread saves).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.load_media import canvas_png
from server.live import canvas as canvas_module
from server.live.canvas import CanvasKeeper
from server.live.events import EventChannel, EventRouter
from storage.db import create_engine, migrate, session_maker
from storage.objects import LocalObjectStore
from storage.queries import interviews, users

CHUNK_CHARS = 60_000


class _Channel:
    readyState = "open"

    def __init__(self) -> None:
        self.saved = 0

    def send(self, data: str) -> None:
        if '"canvas.saved"' in data:
            self.saved += 1


async def _held(samples: list[float], stop: asyncio.Event, tick_s: float = 0.001) -> None:
    """CPU time the loop's thread spent between two timer ticks: what held the loop. Thread
    CPU time, not wall time, so a machine's other work preempting us does not count."""
    while not stop.is_set():
        before = time.thread_time()
        await asyncio.sleep(tick_s)
        samples.append(time.thread_time() - before)


def _chunks(event: dict[str, Any], ident: str) -> list[str]:
    text = json.dumps(event)
    pieces = [text[i:i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]
    return [json.dumps({"type": "chunk", "id": ident, "seq": i, "total": len(pieces),
                        "data": p}) for i, p in enumerate(pieces)]


async def run(snapshots: int, kb: int, every_s: float, on_loop: bool) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="ia-bench-canvas-"))
    engine = create_engine(f"sqlite:///{tmp / 'db.sqlite'}")
    await migrate(engine)
    db = session_maker(engine)
    async with db.begin() as s:
        user = await users.create_user(s, "b@example.com", "B", "x")
        row = await interviews.create_interview(s, user.id, type="system_design", role="SWE",
                                                level="mid", company="google")
    channel = _Channel()
    router = EventRouter()
    events = EventChannel(channel, router)
    keeper = CanvasKeeper(db, LocalObjectStore(tmp / "obj"), row.id, events.send)
    router.on("canvas.snapshot", keeper.on_snapshot)
    if on_loop:  # what it would cost without the worker thread
        async def inline(fn: Any, *args: Any) -> Any:
            return fn(*args)
        canvas_module.asyncio.to_thread = inline  # type: ignore[attr-defined]
    b64 = base64.b64encode(canvas_png(kb * 1000)).decode()
    batches = []  # built before measuring: the client's work is not the server's
    for n in range(snapshots):
        elements = [{"id": f"b{i}", "type": "rectangle", "version": n + i} for i in range(40)]
        event = {"type": "canvas.snapshot", "version": n, "png": b64, "elements": elements}
        batches.append(_chunks(event, f"s{n}"))
    samples: list[float] = []
    stop = asyncio.Event()
    monitor = asyncio.create_task(_held(samples, stop))
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    for batch in batches:
        for chunk in batch:
            events.on_message(chunk)
            await asyncio.sleep(0)  # messages arrive one by one, as SCTP delivers them
        await asyncio.sleep(every_s)
    while channel.saved < snapshots and time.perf_counter() - started < 60:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    stop.set()
    await monitor
    await events.close()
    await engine.dispose()
    if on_loop:
        canvas_module.asyncio.to_thread = asyncio.to_thread  # type: ignore[attr-defined]
    samples.sort()
    return {"saved": channel.saved, "worst_ms": samples[-1] * 1000,
            "p99_ms": samples[int(len(samples) * 0.99)] * 1000,
            "median_ms": statistics.median(samples) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.bench_canvas")
    parser.add_argument("--snapshots", type=int, default=40)
    parser.add_argument("--kb", type=int, default=400)
    parser.add_argument("--every", type=float, default=0.2, help="seconds between snapshots")
    args = parser.parse_args()
    print(f"{args.snapshots} snapshots of ~{args.kb} KB, one every {args.every} s")
    print("| checks | stored | loop held: worst (ms) | p99 (ms) | median (ms) |")
    print("|---|---|---|---|---|")
    for on_loop in (False, True):
        canvas_module.SNAPSHOTS_PER_S = canvas_module.SNAPSHOT_BURST = 1000.0
        r = asyncio.run(run(args.snapshots, args.kb, args.every, on_loop))
        where = "on the event loop" if on_loop else "worker thread (shipped)"
        print(f"| {where} | {r['saved']:.0f} | {r['worst_ms']:.1f} | {r['p99_ms']:.2f} | "
              f"{r['median_ms']:.2f} |")


if __name__ == "__main__":
    main()
