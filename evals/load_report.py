"""Tables the load harness prints: one run per server side by side, and capacity steps."""

from __future__ import annotations

from collections.abc import Sequence

from evals.load_config import LoadResult


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


ROWS: list[tuple[str, str, int]] = [
    ("sessions connected / heard back", "", 0),
    ("server CPU % (one core = 100)", "cpu_pct", 1),
    ("server CPU % per session", "cpu_pct_per_session", 2),
    ("RSS idle (MB)", "rss_idle_mb", 1),
    ("RSS per session (MB)", "rss_per_session_mb", 2),
    ("connect p50 (ms)", "connect_p50_ms", 0),
    ("connect p99 (ms)", "connect_p99_ms", 0),
    ("inbound frame gap p50 (ms)", "gap_p50_ms", 1),
    ("inbound frame gap p99 (ms)", "gap_p99_ms", 1),
    ("inbound lateness p99 (ms)", "lateness_p99_ms", 1),
    ("outbound frame interval p99 (ms)", "outbound_p99_ms", 1),
    ("frame → PCM-to-agent p99 (ms)", "pcm_p99_ms", 2),
    ("agent audio back, packets/s per peer (voiced)", "", 0),
    ("turns: replies / unanswered / p50 / p95 (ms)", "", 0),
    ("server GC: longest pause ≤ (ms)", "gc_pause_max_ms", 0),
    ("event loop lag p99 / worst ≤ (ms)", "", 0),
    ("event loop held > 5 ms (ticks)", "loop_lag_over_5ms", 0),
    ("whiteboard snapshots sent / stored", "", 0),
    ("RTP lost client→server / server→client", "", 0),
    ("harness CPU % / worst send lateness / GC (ms)", "", 0),
    ("background requests ok / failed / p99 (ms)", "", 0),
    ("verdict (lateness ≤ 40, outbound ≤ 30 ms; turns: replies p95 ≤ 1.3 s)", "", 0),
]
RATIO_ROWS = {
    "cpu_pct_per_session",
    "rss_per_session_mb",
    "lateness_p99_ms",
    "outbound_p99_ms",
    "pcm_p99_ms",
}


def _cell(result: LoadResult, label: str, attr: str, digits: int) -> str:
    if label.startswith("sessions"):
        return f"{result.connected}/{result.peers} / {result.heard_back}"
    if label.startswith("agent audio back"):
        return f"{result.back_pps:.1f} ({result.back_voiced_pps:.1f})"
    if label.startswith("turns"):
        if not result.turns:
            return "–"
        return (f"{result.replies} / {result.unanswered} / {fmt(result.reply_p50_ms, 0)} / "
                f"{fmt(result.reply_p95_ms, 0)}")
    if label.startswith("event loop lag"):
        return f"{fmt(result.loop_lag_p99_ms)} / {fmt(result.loop_lag_max_ms, 0)}"
    if label.startswith("whiteboard"):
        return f"{result.canvas_sent} / {result.canvas_saved}" if result.canvas else "–"
    if label.startswith("RTP lost"):
        return f"{result.lost_to_server} / {result.lost_from_server}"
    if label.startswith("harness"):
        return (
            f"{result.client_cpu_pct:.0f} / {result.client_send_late_ms:.0f} / "
            f"{result.client_gc_max_ms:.0f}"
        )
    if label.startswith("background"):
        if not result.background:
            return "–"
        return (
            f"{result.background_ok} / {result.background_failed} / "
            f"{fmt(result.background_p99_ms, 0)}"
        )
    if label.startswith("verdict"):
        return "pass" if result.ok else "FAIL " + "; ".join(result.failures)[:60]
    return fmt(getattr(result, attr), digits)


def comparisons(results: Sequence[LoadResult]) -> list[tuple[str, LoadResult, LoadResult]]:
    """The ratio columns: (title, reference, compared): the baseline against each plain run of
    ours, ours before a change against each run of ours after it, ours on asyncio against ours
    on uvloop."""
    plain = [r for r in results if not r.background and not r.canvas]
    base = next((r for r in plain if r.server == "baseline"), None)
    ours = [r for r in plain if r.server == "ours"]
    pairs = [(f"baseline ÷ {r.label}", base, r) for r in ours if base is not None]
    named = {r.variant: r for r in ours}
    if "before" in named:
        pairs += [(f"before ÷ {r.variant}", named["before"], r) for r in ours
                  if r.variant != "before"]
    if "asyncio" in named and "uvloop" in named:
        pairs.append(("asyncio ÷ uvloop", named["asyncio"], named["uvloop"]))
    return pairs


def _ratio(reference: float | None, compared: float | None) -> str:
    return f"{reference / compared:.1f}×" if compared and reference is not None else ""


def format_results(results: Sequence[LoadResult]) -> str:
    """A Markdown table, one column per run, then the ratio columns of `comparisons`."""
    pairs = comparisons(results)
    head = [
        "",
        *(
            f"{r.label}{' + ' + r.background if r.background else ''} "
            f"({r.peers} peers{', video' if r.video else ''}{', canvas' if r.canvas else ''})"
            for r in results
        ),
        *(title for title, _, _ in pairs),
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, attr, digits in ROWS:
        cells = [label, *(_cell(r, label, attr, digits) for r in results)]
        for _, ref, other in pairs:
            ratio = attr in RATIO_ROWS and _ratio(getattr(ref, attr), getattr(other, attr))
            cells.append(ratio or "")
        lines.append("| " + " | ".join(cells) + " |")
    load = {r.load_avg for r in results if r.load_avg}
    lines.append("")
    lines.append(
        f"window {', '.join(f'{r.seconds:.0f} s' for r in results)}; "
        f"load average at the end: {'; '.join(sorted(load))}"
    )
    return "\n".join(lines)


def _replies(result: LoadResult) -> str:
    if not result.turns:
        return "–"
    missed = f", {result.unanswered} unanswered" if result.unanswered else ""
    return f"{fmt(result.reply_p50_ms, 0)} / {fmt(result.reply_p95_ms, 0)}{missed}"


def format_capacity(found: dict[str, tuple[int, list[LoadResult]]]) -> str:
    """`found`: run label (`LoadResult.label`) → (capacity, the runs that found it)."""
    lines = [
        "| server | N | pass | CPU %/session | RSS MB/session | lateness p99 | "
        "outbound p99 | PCM p99 | back pkt/s (voiced) | replies p50/p95 (ms) | harness CPU % |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, (_, runs) in found.items():
        for r in sorted(runs, key=lambda r: r.peers):
            lines.append(
                f"| {label} | {r.peers} | {'yes' if r.ok else 'no'} | "
                f"{fmt(r.cpu_pct_per_session, 2)} | {fmt(r.rss_per_session_mb, 2)} | "
                f"{fmt(r.lateness_p99_ms)} | {fmt(r.outbound_p99_ms)} | "
                f"{fmt(r.pcm_p99_ms, 2)} | {r.back_pps:.1f} ({r.back_voiced_pps:.1f}) | "
                f"{_replies(r)} | {r.client_cpu_pct:.0f} |"
            )
    lines.append("")
    for label, (capacity, _) in found.items():
        lines.append(f"{label}: {capacity} sessions on one core")
    base = found.get("baseline")
    for label, (capacity, _) in found.items():
        if label.startswith("ours") and base is not None:
            ratio = f"{capacity / base[0]:.1f}×" if base[0] else "∞ (the baseline held none)"
            lines.append(f"{label} ÷ baseline: {ratio}")
    if "ours (before)" in found:
        before = found["ours (before)"][0]
        for label, (capacity, _) in found.items():
            if label.startswith("ours (") and label != "ours (before)":
                lines.append(f"{label} ÷ ours (before): {_ratio(capacity, before) or '–'}")
    if "ours (asyncio)" in found and "ours (uvloop)" in found:
        on_asyncio, on_uvloop = found["ours (asyncio)"][0], found["ours (uvloop)"][0]
        lines.append(f"ours: uvloop ÷ asyncio: {_ratio(on_uvloop, on_asyncio) or '–'}")
    return "\n".join(lines)


# -- capacity ------------------------------------------------------------------------------------
