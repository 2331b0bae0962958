"""Prometheus metrics of the real-time path, observed on the hot path (one `observe` each).

The load harness (`evals/load.py`) reads the same names from `/metrics`.
"""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

# Fine around the 20 ms frame period and the 30 / 40 ms limits the load test checks
# (evals/load.py), so interpolated p99s mean something; the limits themselves are bounds.
_FRAME_BUCKETS = (
    0.005, 0.01, 0.015, 0.018, 0.02, 0.022, 0.025, 0.0275, 0.03, 0.035, 0.04, 0.05, 0.075,
    0.1, 0.2, 0.5, 1.0,
)

LIVE_SESSIONS = Gauge("ia_live_sessions", "Connected interview sessions in this process")
CALLS_REFUSED_FULL = Counter(
    "ia_calls_refused_at_capacity_total", "New calls refused: MAX_SESSIONS live already"
)
SESSIONS_ENDED = Counter("ia_sessions_ended_total", "Sessions ended, by reason", ["reason"])
INBOUND_GAP = Histogram(
    "ia_inbound_frame_gap_seconds",
    "Time between consecutive inbound audio frames at the fan-out",
    buckets=_FRAME_BUCKETS,
)
INBOUND_LATENESS = Histogram(
    "ia_inbound_lateness_seconds",
    "How far behind its media time an inbound audio frame reaches the fan-out",
    buckets=_FRAME_BUCKETS,
)
OUTBOUND_INTERVAL = Histogram(
    "ia_outbound_frame_interval_seconds",
    "Time between consecutive 20 ms outbound (agent) audio slots, sent or skipped in silence",
    buckets=_FRAME_BUCKETS,
)
PCM_TO_AGENT = Histogram(
    "ia_pcm_to_agent_seconds",
    "From an inbound audio frame's push into the 16 kHz resampler to the agent taking the chunk",
    buckets=(0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05, 0.1),
)
GC_PAUSE = Histogram(
    "ia_gc_pause_seconds",
    "Pauses of Python's cyclic garbage collector, any generation (the event loop stands still)",
    buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5),
)
LOOP_LAG = Histogram(
    "ia_event_loop_lag_seconds",
    "How late a periodic wake-up of the event loop runs: time something else held the loop",
    buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0),
)
LOOP_LAG_MAX = Gauge(
    "ia_event_loop_lag_max_seconds", "Largest event-loop lag since the process started"
)
CONNECTIONS_REFUSED = Counter(
    "ia_http_connections_refused_total", "Connections closed at once at a cap", ["cap"]
)
SEGMENTS_UPLOADED = Counter("ia_segments_uploaded_total", "Recording segments stored")
STORE_RETRIES = Counter("ia_object_store_retries_total", "Uploads retried: store unavailable")


def time_gc_pauses() -> None:
    """Observe how long each garbage collection takes into `GC_PAUSE` (call once)."""
    started = 0.0

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        nonlocal started
        if phase == "start":
            started = time.perf_counter()
        else:
            GC_PAUSE.observe(time.perf_counter() - started)

    gc.callbacks.append(on_gc)


async def watch_loop_lag(period_s: float = 0.02) -> None:
    """Sleep `period_s` at a time and observe how much later than asked each wake-up comes.

    Anything that holds the loop (hashing, parsing, file I/O, a long callback) shows here, and
    the same stall delays every session's 20 ms audio slot.
    """
    loop = asyncio.get_running_loop()
    worst = 0.0
    while True:
        asked = loop.time() + period_s
        await asyncio.sleep(period_s)
        lag = max(0.0, loop.time() - asked)
        LOOP_LAG.observe(lag)
        if lag > worst:
            worst = lag
            LOOP_LAG_MAX.set(worst)


FEEDBACK_ATTEMPTS = Counter(
    "ia_feedback_attempts_total", "Feedback generation attempts, by outcome", ["outcome"]
)
FEEDBACK_SECONDS = Histogram(
    "ia_feedback_seconds", "Time to gather evidence, evaluate and store one feedback",
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120),
)


CANVAS_STORED = Counter("ia_canvas_snapshots_stored_total", "Whiteboard snapshots stored")
CANVAS_REFUSED = Counter(
    "ia_canvas_snapshots_refused_total", "Whiteboard snapshots refused, by error code", ["code"]
)
