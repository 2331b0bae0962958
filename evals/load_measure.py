"""Reading what a server did over a window: Prometheus histograms from /metrics (two scrapes,
subtracted) and CPU / RSS of its process from /proc."""

from __future__ import annotations

import gc
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

INBOUND_GAP = "ia_inbound_frame_gap_seconds"
INBOUND_LATENESS = "ia_inbound_lateness_seconds"
OUTBOUND_INTERVAL = "ia_outbound_frame_interval_seconds"
LOOP_LAG = "ia_event_loop_lag_seconds"
PCM_TO_AGENT = "ia_pcm_to_agent_seconds"
GC_PAUSE = "ia_gc_pause_seconds"
LIVE_SESSIONS = "ia_live_sessions"


@dataclass
class Histogram:
    """Cumulative bucket counts by upper bound (the last bound is +Inf)."""

    bounds: list[float] = field(default_factory=list)
    counts: list[float] = field(default_factory=list)

    @property
    def total(self) -> float:
        return self.counts[-1] if self.counts else 0.0

    def __sub__(self, earlier: Histogram) -> Histogram:
        if not earlier.bounds:
            return self
        if earlier.bounds != self.bounds:
            raise ValueError("histograms with different buckets cannot be subtracted")
        deltas = [a - b for a, b in zip(self.counts, earlier.counts, strict=True)]
        return Histogram(list(self.bounds), deltas)

    def quantile(self, q: float) -> float | None:
        """Prometheus' `histogram_quantile`: linear inside the bucket holding the q-th
        observation; the highest finite bound if it falls in +Inf; None when empty."""
        if not self.counts or self.total <= 0:
            return None
        rank = q * self.total
        lower_bound, lower_count = 0.0, 0.0
        for bound, count in zip(self.bounds, self.counts, strict=True):
            if count >= rank:
                if math.isinf(bound):
                    return lower_bound
                if count == lower_count:
                    return bound
                return lower_bound + (bound - lower_bound) * (rank - lower_count) / (
                    count - lower_count
                )
            lower_bound, lower_count = bound, count
        return lower_bound

    def max_bound(self) -> float | None:
        """The bucket bound the largest observation is under (None when empty)."""
        if self.total <= 0:
            return None
        return next(b for b, c in zip(self.bounds, self.counts, strict=True) if c >= self.total)

    def share_above(self, bound: float) -> float:
        """Fraction of observations above `bound` (which must be a bucket bound)."""
        if self.total <= 0:
            return 0.0
        index = self.bounds.index(bound)
        return 1.0 - self.counts[index] / self.total


@dataclass
class Scrape:
    histograms: dict[str, Histogram]
    gauges: dict[str, float]

    def histogram(self, name: str) -> Histogram:
        return self.histograms.get(name, Histogram())


def parse_metrics(text: str) -> Scrape:
    histograms: dict[str, Histogram] = {}
    gauges: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.type == "histogram":
            buckets = sorted(
                (float(s.labels["le"]), s.value)
                for s in family.samples
                if s.name.endswith("_bucket")
            )
            histograms[family.name] = Histogram([b for b, _ in buckets], [c for _, c in buckets])
        elif family.type == "gauge" and family.samples:
            gauges[family.name] = family.samples[0].value
    return Scrape(histograms, gauges)


def window(before: Scrape, after: Scrape, name: str) -> Histogram:
    return after.histogram(name) - before.histogram(name)


@dataclass(frozen=True)
class ProcSample:
    cpu_s: float  # user + system, all threads
    rss_bytes: int


def proc_sample(pid: int) -> ProcSample:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    rss_kb = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kb = int(line.split()[1])
            break
    return ProcSample((utime + stime) / CLOCK_TICKS, rss_kb * 1024)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of raw samples; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class GcPauses:
    """This process's own garbage-collector pauses (the harness must not stall either)."""

    def __init__(self) -> None:
        self.longest_s = 0.0
        self._started = 0.0

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def reset(self) -> None:
        self.longest_s = 0.0

    def _on_gc(self, phase: str, _info: dict[str, object]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest_s = max(self.longest_s, time.perf_counter() - self._started)
