"""The eval metrics on hand-written transcripts: a good interview scores well, and each
metric has a transcript built to fail it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals import metrics
from evals.run import against_baseline
from evals.summary import compare, summarize

TOPICS = ["short code generation and collisions", "read-heavy redirect path and caching",
          "click analytics pipeline"]


def rec(lines: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    """A record from (speaker, text) pairs, one second apart."""
    transcript = [{"seq": i, "speaker": s, "text": t, "t": float(i)}
                  for i, (s, t) in enumerate(lines)]
    base: dict[str, Any] = {
        "case": {"type": "system_design", "persona": "strong"},
        "question": {"text": "Design a service that turns long web addresses into short links.",
                     "topics": TOPICS},
        "transcript": transcript, "phases": [], "turns": [], "voice_spans": [],
    }
    base.update(extra)
    return base


GOOD = rec([
    ("agent", "Hi, thanks for joining. Could you tell me a little about yourself?"),
    ("candidate", "I'm Alex, I build payment systems with Kafka and PostgreSQL."),
    ("agent", "Thanks, Alex. Here's the problem: design a link shortener. Where would you start?"),
    ("candidate", "I'd put a Redis cache in front of the store for the redirect path."),
    ("agent", "You mentioned Redis. How would you keep the cache consistent on the redirect path?"),
    ("candidate", "Writes delete the key, and a TTL bounds staleness."),
    ("agent", "Let's talk about short code generation. How would you avoid collisions?"),
    ("candidate", "A Snowflake generator, base62 encoded."),
    ("agent", "Going back to Snowflake: what happens if two generators share a worker id?"),
])


def test_phases_in_order_with_time_in_each() -> None:
    r = rec([], phases=[{"phase": "routing", "t": 0}, {"phase": "intro", "t": 2},
                        {"phase": "interview", "t": 10}, {"phase": "interview", "t": 11},
                        {"phase": "closing", "t": 50}, {"phase": "done", "t": 60}], call_s=62)
    out = metrics.phases(r)
    assert out["reached"] == ["routing", "intro", "interview", "closing", "done"]
    assert out["in_order"] and out["complete"]
    assert out["time_in_s"] == {"routing": 2, "intro": 8, "interview": 40, "closing": 10,
                                "done": 2}


def test_phases_out_of_order_or_skipping_fail() -> None:
    back = rec([], phases=[{"phase": "intro", "t": 0}, {"phase": "interview", "t": 5},
                           {"phase": "intro", "t": 9}])
    assert not metrics.phases(back)["in_order"]
    skipped = rec([], phases=[{"phase": "intro", "t": 0}, {"phase": "done", "t": 5}])
    out = metrics.phases(skipped)
    assert out["in_order"] and not out["complete"]
    assert metrics.phases(rec([]))["in_order"] is False


def test_topic_coverage_counts_what_the_interviewer_probed() -> None:
    out = metrics.topic_coverage(GOOD)
    assert out["probed"] == ["short code generation and collisions",
                             "read-heavy redirect path and caching"]
    assert out["missed"] == ["click analytics pipeline"] and out["coverage"] == 0.667
    # The candidate naming a topic is not the interviewer probing it.
    quiet = rec([("agent", "Where would you start?"),
                 ("candidate", "The click analytics pipeline, then caching.")])
    assert metrics.topic_coverage(quiet)["coverage"] == 0.0


def test_a_repeated_question_is_caught_and_lowers_distinct_2() -> None:
    good = metrics.question_diversity(GOOD)
    assert good["repeated"] == 0 and good["questions"] == 5 and good["distinct_2"] > 0.9
    parrot = rec([("agent", "Okay. How would you scale the database?"),
                  ("candidate", "More shards."),
                  ("agent", "Okay. How would you scale the database?")])
    out = metrics.question_diversity(parrot)
    assert out["repeated"] == 1 and out["repeated_examples"] == ["how would you scale the database"]
    assert out["distinct_2"] == 0.5


def test_memory_counts_turns_that_use_the_candidates_own_words() -> None:
    out = metrics.memory(GOOD)
    assert out["references"] == 3 and out["eligible_turns"] == 4 and out["rate"] == 0.75
    assert [e["terms"] for e in out["examples"]] == [["alex"], ["cache", "redis"], ["snowflake"]]


def test_no_memory_when_the_interviewer_never_refers_back() -> None:
    forgetful = rec([
        ("agent", "Could you introduce yourself?"),
        ("candidate", "I work with Cassandra and Kafka."),
        ("agent", "What would the main API look like?"),
        ("candidate", "A POST and a GET endpoint with Memcached."),
        ("agent", "How would you monitor this in production?"),
    ])
    out = metrics.memory(forgetful)
    assert out["references"] == 0 and out["rate"] == 0.0
    # Words from the question, or that the interviewer said first, do not count either.
    echo = rec([("agent", "Let's discuss the cache layer."),
                ("candidate", "Sure, the cache layer for short links."),
                ("agent", "How big is the cache layer for short links?")])
    assert metrics.memory(echo)["references"] == 0


def test_meta_commentary_is_caught() -> None:
    assert metrics.meta_commentary(GOOD)["count"] == 0
    leaky = rec([("agent", "Great. I'll now call the advance_phase tool to move on."),
                 ("candidate", "Okay."),
                 ("agent", "We're now in the closing phase."),
                 ("agent", "As an AI language model, I can't judge that."),
                 ("candidate", "Hm."),
                 ("agent", "Let me transfer you to the coding agent."),
                 ("candidate", "Fine."),
                 ("agent", "[Time: 12 of 30 minutes gone.] Next question.")])
    out = metrics.meta_commentary(leaky)
    assert out["count"] == 4  # consecutive agent rows are one turn


def test_turn_balance_by_words_and_by_voice() -> None:
    r = rec([("agent", "one two three"), ("candidate", "four")],
            talk_s={"candidate": 3.0, "interviewer": 9.0})
    out = metrics.turn_balance(r)
    assert out["candidate_word_share"] == 0.25 and out["candidate_time_share"] == 0.25
    assert metrics.turn_balance(rec([]))["candidate_word_share"] is None


def test_voice_latency_and_barge_in_from_event_timings() -> None:
    r = rec([], voice_spans=[[0.0, 5.0], [7.6, 12.0], [15.4, 20.0], [24.1, 30.0]],
            turns=[
                {"mode": "voice", "t_start": 5.5, "t_end": 7.0, "barge_in": False},  # 0.6 s
                {"mode": "voice", "t_start": 13.0, "t_end": 15.0, "barge_in": False},  # 0.4 s
                {"mode": "voice", "t_start": 17.0, "t_end": 19.0, "barge_in": True},  # 3.0 s
                {"mode": "voice", "t_start": 21.0, "t_end": 26.0, "barge_in": False},  # cut in
                {"mode": "typed", "t_start": 31.0, "t_end": 31.0, "barge_in": False},  # no reply
            ])
    out = metrics.voice_timing(r)
    assert out["voice_latency_s"] == [0.6, 0.4] and out["voice_p50_s"] == 0.4
    assert out["voice_p95_s"] == 0.6
    assert out["interviewer_cut_in"] == 1
    assert out["barge_in_s"] == [3.0] and out["barge_in_missed"] == 0  # 3.0 s is not past 3.0
    r["turns"][2]["t_start"] = 16.5  # now 3.5 s of talking over the candidate
    assert metrics.voice_timing(r)["barge_in_missed"] == 1
    r["voice_spans"][2] = [15.4, 17.2]
    assert metrics.voice_timing(r)["barge_in_s"] == [0.7]


def test_coding_hints_and_complexity_after_acceptance() -> None:
    lines = [("agent", "Here's the problem. How would you approach it?"),
             ("candidate", "A stack."),
             ("agent", "Let's look at the failing case together: what does it return?"),
             ("candidate", "Fixed it."),
             ("agent", "Nice, all the tests pass. What's the time and space complexity?")]
    r = rec(lines, case={"type": "coding", "persona": "strong"})
    assert metrics.coding(r) == {"hints": 1, "accepted": True, "complexity_after_accept": True}
    r = rec(lines[:4] + [("agent", "Great. Any questions for me?")],
            case={"type": "coding", "persona": "strong"}, submissions=[{"t": 3.5,
                                                                        "accepted": True}])
    assert metrics.coding(r)["complexity_after_accept"] is False
    r["submissions"] = []
    assert metrics.coding(r)["complexity_after_accept"] is None
    assert metrics.coding(GOOD) is None


def test_feedback_order_across_personas() -> None:
    def m(score: float | None) -> dict[str, Any]:
        return {"feedback": {"score": score}}

    ok = metrics.persona_order([("strong", m(8.0)), ("average", m(6.0)), ("weak", m(3.0)),
                                ("terse", m(None))])
    assert ok == {"mean_score": {"strong": 8.0, "average": 6.0, "weak": 3.0},
                  "strong_gt_average_gt_weak": True}
    flat = metrics.persona_order([("strong", m(5.0)), ("average", m(5.0)), ("weak", m(2.0))])
    assert flat["strong_gt_average_gt_weak"] is False
    assert metrics.persona_order([("strong", m(5.0))])["strong_gt_average_gt_weak"] is None


def _result(coverage: float, meta: int, p50: float) -> dict[str, Any]:
    r = rec([], phases=[{"phase": "intro", "t": 0}])
    m = metrics.evaluate(r)
    m["topics"]["coverage"] = coverage
    m["meta"]["count"] = meta
    m["timing"]["voice_latency_s"] = [p50]
    return {"case": {"persona": "strong"}, "ended_by": "done", "metrics": m}


def test_baseline_comparison_flags_regressions_past_thresholds() -> None:
    before = summarize([_result(0.6, 0, 0.70)])
    same = compare(summarize([_result(0.5, 0, 0.80)]), before)  # within both thresholds
    assert not any(row["regressed"] for row in same)
    worse = compare(summarize([_result(0.4, 1, 1.20)]), before)
    assert {row["figure"] for row in worse if row["regressed"]} == {
        "topic_coverage_mean", "meta_commentary", "voice_p50_s", "voice_p95_s"}


def test_a_previous_report_is_read_as_the_baseline(tmp_path: Path) -> None:
    before = summarize([_result(0.6, 0, 0.70)])
    (tmp_path / "report.json").write_text(json.dumps({"summary": before, "cases": []}))
    rows = against_baseline(summarize([_result(0.3, 0, 0.70)]), tmp_path / "report.json")
    assert [r["figure"] for r in rows if r["regressed"]] == ["topic_coverage_mean"]


@pytest.mark.parametrize("values,q,expected", [([3, 1, 2], 0.5, 2), ([1], 0.95, 1),
                                               ([], 0.5, None), (list(range(1, 21)), 0.95, 19)])
def test_percentile(values: list[float], q: float, expected: float | None) -> None:
    assert metrics.pct(values, q) == expected
