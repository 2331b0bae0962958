"""The eval report: `report.json` (every case's metrics and the run's summary) and
`report.html`, one self-contained page (plots as PNG data URIs, no scripts) with the
summary, the per-case table, plots and every transcript."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

PERSONA_ORDER = ("strong", "average", "weak", "terse", "rambling", "off_topic", "interrupter")


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def plot_scores(results: Sequence[dict[str, Any]]) -> str | None:
    by: dict[str, list[float]] = {}
    for r in results:
        score = r["metrics"]["feedback"]["score"]
        if score is not None:
            by.setdefault(r["case"]["persona"], []).append(score)
    if not by:
        return None
    names = [p for p in PERSONA_ORDER if p in by]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar(names, [sum(by[n]) / len(by[n]) for n in names], color="#4c72b0")
    ax.set_ylim(0, 10)
    ax.set_ylabel("feedback score (0-10)")
    ax.set_title("Feedback score by persona")
    return _png(fig)


def plot_latency(results: Sequence[dict[str, Any]]) -> str | None:
    series = {
        "voice → voice": [v for r in results for v in r["metrics"]["timing"]["voice_latency_s"]],
        "typed → voice": [v for r in results for v in r["metrics"]["timing"]["typed_latency_s"]],
        "barge-in": [v for r in results for v in r["metrics"]["timing"]["barge_in_s"]],
    }
    series = {k: v for k, v in series.items() if v}
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.boxplot(list(series.values()), tick_labels=list(series.keys()),
               orientation="horizontal")
    ax.set_xlabel("seconds")
    ax.set_title("Latency distributions")
    return _png(fig)


def plot_coverage(results: Sequence[dict[str, Any]]) -> str | None:
    rows = [(r["case"]["id"], r["metrics"]["topics"]["coverage"], r["metrics"]["memory"]["rate"])
            for r in results]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(rows) + 1.2))
    ys = range(len(rows))
    ax.barh([y + 0.2 for y in ys], [c or 0 for _, c, _ in rows], 0.4, label="topic coverage")
    ax.barh([y - 0.2 for y in ys], [m or 0 for _, _, m in rows], 0.4, label="memory rate")
    ax.set_yticks(list(ys), [n for n, _, _ in rows])
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Topic coverage and memory per case")
    return _png(fig)


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.2f}"
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_fmt(x)}" for k, x in v.items()) or "–"
    return html.escape(str(v))


CASE_COLUMNS = (
    ("case", lambda r: r["case"]["id"]),
    ("persona", lambda r: r["case"]["persona"]),
    ("mode", lambda r: r["case"]["mode"]),
    ("ended", lambda r: r["ended_by"]),
    ("phases", lambda r: "→".join(r["metrics"]["phases"]["reached"])),
    ("in order", lambda r: r["metrics"]["phases"]["in_order"]),
    ("coverage", lambda r: r["metrics"]["topics"]["coverage"]),
    ("repeats", lambda r: r["metrics"]["diversity"]["repeated"]),
    ("distinct-2", lambda r: r["metrics"]["diversity"]["distinct_2"]),
    ("memory", lambda r: r["metrics"]["memory"]["rate"]),
    ("meta", lambda r: r["metrics"]["meta"]["count"]),
    ("cand. words", lambda r: r["metrics"]["balance"]["candidate_word_share"]),
    ("voice p50", lambda r: r["metrics"]["timing"]["voice_p50_s"]),
    ("barge-in p50", lambda r: r["metrics"]["timing"]["barge_in_p50_s"]),
    ("hints", lambda r: (r["metrics"]["coding"] or {}).get("hints")),
    ("cx after ok", lambda r: (r["metrics"]["coding"] or {}).get("complexity_after_accept")),
    ("score", lambda r: r["metrics"]["feedback"]["score"]),
)


def case_table_markdown(results: Sequence[dict[str, Any]]) -> str:
    head = "| " + " | ".join(n for n, _ in CASE_COLUMNS) + " |"
    sep = "|" + "---|" * len(CASE_COLUMNS)
    body = ["| " + " | ".join(_fmt(f(r)) for _, f in CASE_COLUMNS) + " |" for r in results]
    return "\n".join([head, sep, *body])


def write(out: Path, results: Sequence[dict[str, Any]], summary: dict[str, Any],
          comparison: list[dict[str, Any]] | None) -> None:
    data = {"summary": summary, "comparison": comparison,
            "cases": [{k: r[k] for k in ("case", "ended_by", "interview_id", "metrics")
                       if k in r} for r in results]}
    (out / "report.json").write_text(json.dumps(data, indent=1))
    (out / "report.html").write_text(render_html(results, summary, comparison))
    (out / "cases.md").write_text(case_table_markdown(results) + "\n")


def render_html(results: Sequence[dict[str, Any]], summary: dict[str, Any],
                comparison: list[dict[str, Any]] | None) -> str:
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Interview evals</title>",
             "<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1200px}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
             "padding:3px 6px;text-align:left}th{background:#f3f3f3}.bad{background:#fdd}"
             ".agent{color:#2a4d8f}.candidate{color:#2f6b2f}details{margin:.4em 0}</style>"
             "</head><body><h1>Interview evals</h1><h2>Summary</h2><table>"]
    for key, value in summary.items():
        parts.append(f"<tr><th>{html.escape(key)}</th><td>{_fmt(value)}</td></tr>")
    parts.append("</table>")
    if comparison:
        parts.append("<h2>Against the baseline</h2><table><tr><th>figure</th><th>baseline</th>"
                     "<th>now</th><th>regressed</th></tr>")
        for row in comparison:
            cls = " class='bad'" if row["regressed"] else ""
            parts.append(f"<tr{cls}><td>{row['figure']}</td><td>{_fmt(row['baseline'])}</td>"
                         f"<td>{_fmt(row['current'])}</td><td>{row['regressed']}</td></tr>")
        parts.append("</table>")
    parts.append("<h2>Cases</h2><table><tr>"
                 + "".join(f"<th>{n}</th>" for n, _ in CASE_COLUMNS) + "</tr>")
    for r in results:
        cls = " class='bad'" if r["metrics"]["meta"]["count"] else ""
        parts.append(f"<tr{cls}>" + "".join(f"<td>{_fmt(f(r))}</td>" for _, f in CASE_COLUMNS)
                     + "</tr>")
    parts.append("</table><h2>Plots</h2>")
    for plot in (plot_scores(results), plot_latency(results), plot_coverage(results)):
        if plot:
            parts.append(f"<p><img alt='plot' src='{plot}'></p>")
    parts.append("<h2>Transcripts</h2>")
    for r in results:
        m = r["metrics"]
        parts.append(f"<details><summary>{html.escape(r['case']['id'])} — "
                     f"{html.escape(str((r.get('question') or {}).get('title')))}, ended "
                     f"{html.escape(str(r['ended_by']))}</summary>")
        parts.append(f"<p>Topics probed: {_fmt(m['topics']['probed'])}; missed: "
                     f"{_fmt(m['topics']['missed'])}. Errors: {_fmt(r.get('errors'))}</p><ol>")
        for row in r.get("transcript", []):
            speaker = html.escape(str(row["speaker"]))
            parts.append(f"<li class='{speaker}'>[{row.get('t')}] <b>{speaker}</b>: "
                         f"{html.escape(str(row['text']))}</li>")
        parts.append("</ol></details>")
    parts.append("</body></html>")
    return "\n".join(parts)
