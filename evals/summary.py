"""A run's figures across cases (what the report's first table shows and what a baseline
comparison reads), and the comparison itself.

Thresholds (a run fails against its baseline when any is passed):

| figure | fails when |
|---|---|
| completion_rate (cases that reached `done`) | falls by more than 0.20 |
| phases_in_order_rate | falls by more than 0.20 |
| topic_coverage_mean | falls by more than 0.15 |
| distinct_2_mean | falls by more than 0.10 |
| memory_rate_mean | falls by more than 0.15 |
| repeated_questions | rises by more than 2 |
| meta_commentary | rises at all (it must be 0) |
| voice_p50_s | rises by more than 30 % and 0.15 s |
| voice_p95_s | rises by more than 50 % and 0.30 s |
| barge_in_p50_s | rises by more than 50 % and 0.10 s |
| feedback_order_ok (strong > average > weak) | was true, is now false |

A figure missing on either side (no voice cases, no feedback) is not compared.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals.metrics import pct, persona_order


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 3) if present else None


def summarize(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """`results`: [{case: {...}, ended_by, metrics: evals.metrics.evaluate(...)}]."""
    ms = [r["metrics"] for r in results]
    n = len(results)
    voice = [v for m in ms for v in m["timing"]["voice_latency_s"]]
    typed = [v for m in ms for v in m["timing"]["typed_latency_s"]]
    barge = [v for m in ms for v in m["timing"]["barge_in_s"]]
    coding = [m["coding"] for m in ms if m["coding"] is not None]
    after = [c["complexity_after_accept"] for c in coding if c["accepted"]]
    order = persona_order((r["case"]["persona"], r["metrics"]) for r in results)
    return {
        "cases": n,
        "completion_rate": round(sum(r["ended_by"] == "done" for r in results) / n, 3)
        if n else None,
        "phases_in_order_rate": round(sum(m["phases"]["in_order"] for m in ms) / n, 3)
        if n else None,
        "topic_coverage_mean": _mean([m["topics"]["coverage"] for m in ms]),
        "repeated_questions": sum(m["diversity"]["repeated"] for m in ms),
        "distinct_2_mean": _mean([m["diversity"]["distinct_2"] for m in ms]),
        "memory_rate_mean": _mean([m["memory"]["rate"] for m in ms]),
        "meta_commentary": sum(m["meta"]["count"] for m in ms),
        "candidate_word_share_mean": _mean([m["balance"]["candidate_word_share"] for m in ms]),
        "voice_p50_s": pct(voice, 0.5), "voice_p95_s": pct(voice, 0.95),
        "voice_turns": len(voice),
        "typed_p50_s": pct(typed, 0.5),
        "barge_in_p50_s": pct(barge, 0.5), "barge_in_p95_s": pct(barge, 0.95),
        "barge_in_missed": sum(m["timing"]["barge_in_missed"] for m in ms),
        "interviewer_cut_in": sum(m["timing"]["interviewer_cut_in"] for m in ms),
        "hints": sum(c["hints"] for c in coding),
        "complexity_after_accept_rate": round(sum(bool(a) for a in after) / len(after), 3)
        if after else None,
        "feedback_mean_score": order["mean_score"],
        "feedback_order_ok": order["strong_gt_average_gt_weak"],
    }


@dataclass(frozen=True)
class Rule:
    figure: str
    worse: str  # "lower" | "higher"
    abs_limit: float
    rel_limit: float = 0.0  # both must be passed when set (latencies)


RULES = (
    Rule("completion_rate", "lower", 0.20),
    Rule("phases_in_order_rate", "lower", 0.20),
    Rule("topic_coverage_mean", "lower", 0.15),
    Rule("distinct_2_mean", "lower", 0.10),
    Rule("memory_rate_mean", "lower", 0.15),
    Rule("repeated_questions", "higher", 2),
    Rule("meta_commentary", "higher", 0),
    Rule("voice_p50_s", "higher", 0.15, 0.30),
    Rule("voice_p95_s", "higher", 0.30, 0.50),
    Rule("barge_in_p50_s", "higher", 0.10, 0.50),
)


def compare(current: dict[str, Any], baseline: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure compared; `regressed` marks those past their threshold."""
    rows = []
    for rule in RULES:
        now, before = current.get(rule.figure), baseline.get(rule.figure)
        if now is None or before is None:
            continue
        change = now - before if rule.worse == "higher" else before - now
        regressed = change > rule.abs_limit
        if rule.rel_limit and before > 0:
            regressed = regressed and change / before > rule.rel_limit
        rows.append({"figure": rule.figure, "baseline": before, "current": now,
                     "regressed": regressed})
    was, now_ok = baseline.get("feedback_order_ok"), current.get("feedback_order_ok")
    if was is not None and now_ok is not None:
        rows.append({"figure": "feedback_order_ok", "baseline": was, "current": now_ok,
                     "regressed": bool(was) and not now_ok})
    return rows
