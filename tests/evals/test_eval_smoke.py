"""The eval runner end to end on its smoke subset: the server started by the harness (offline
interviewer), two typed interviews and one spoken, all through the real call; then the
metrics read on that run and the report written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import report
from evals.cases import load_cases
from evals.run import run
from evals.summary import compare, summarize

pytestmark = pytest.mark.timeout(300)
CASES = Path(__file__).resolve().parents[2] / "evals" / "cases"


async def test_smoke_cases_run_through_the_real_call_and_are_measured(tmp_path: Path) -> None:
    cases = load_cases(CASES, "smoke")
    results = await run(cases, tmp_path, parallel=3, feedback_timeout_s=15)
    by = {r["case"]["id"]: r for r in results}
    assert set(by) == {"sd-strong-typed", "code-strong-typed", "sd-average-voice"}
    for r in results:
        assert r["errors"] == [], r["errors"]
        assert r["status"] in ("completed", "abandoned")
        assert r["recordings"]["audio_bytes"] > 1000  # the call was recorded and is playable
        m = r["metrics"]
        assert m["meta"]["count"] == 0, m["meta"]["examples"]
        assert m["phases"]["in_order"]
        assert m["phases"]["reached"][:3] == ["routing", "intro", "interview"]
        assert m["feedback"]["status"] in ("absent", "done", "pending", "running")
        if m["feedback"]["status"] == "done":
            assert 0 <= m["feedback"]["score"] <= 10

    # Typed: the candidate asks to wrap up after its answers, so the interview runs to its end.
    for case_id in ("sd-strong-typed", "code-strong-typed"):
        r, m = by[case_id], by[case_id]["metrics"]
        assert r["ended_by"] == "done" and m["phases"]["complete"], m["phases"]
        assert m["diversity"]["repeated"] == 0 and m["diversity"]["distinct_2"] > 0.8
        assert m["memory"]["references"] >= 1  # "Thanks, Alex" at least
        assert 0.2 < m["balance"]["candidate_word_share"] < 0.8
        assert len(m["timing"]["typed_latency_s"]) >= 2
        assert all(0 < v < 15 for v in m["timing"]["typed_latency_s"])
        assert m["topics"]["coverage"] is not None
    code = by["code-strong-typed"]
    assert code["submissions"][0]["accepted"] and code["metrics"]["coding"]["accepted"]

    # Spoken: recognised speech reached the transcript and the latency was measured.
    voice = by["sd-average-voice"]
    assert any(row["speaker"] == "candidate" for row in voice["transcript"])
    assert voice["talk_s"]["candidate"] > 3 and voice["talk_s"]["interviewer"] > 3
    timing = voice["metrics"]["timing"]
    assert timing["voice_latency_s"] and 0.2 < timing["voice_p50_s"] < 10

    summary = summarize(results)
    assert summary["cases"] == 3 and summary["meta_commentary"] == 0
    assert summary["voice_turns"] >= 1
    assert not any(row["regressed"] for row in compare(summary, summary))
    report.write(tmp_path, results, summary, compare(summary, summary))
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["summary"]["cases"] == 3 and len(saved["cases"]) == 3
    page = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64," in page and "sd-average-voice" in page
    assert (tmp_path / "cases" / "sd-average-voice.json").exists()
