"""The evaluator through the real google-genai SDK against our offline server's
`generateContent`: the overall always equals the weighted rubric, a strong and a weak
candidate on the same question are far apart, the weak one is told what it missed, images
reach the model, and our checks reject or clean what a model may get wrong."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from google.genai import errors

from agents.feedback.evaluator import Evaluator, ModelOutputError, Report, normalise
from agents.feedback.rubric import rubric_for
from agents.offline import OfflineLiveServer
from tests.agents.feedback import scripts

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)


@pytest.fixture
async def server() -> AsyncIterator[OfflineLiveServer]:
    srv = OfflineLiveServer(speech_recognition=False, warm_voice=False)
    await srv.start()
    yield srv
    await srv.close()


@pytest.fixture
def evaluator(server: OfflineLiveServer) -> Evaluator:
    return Evaluator(server.genai_client, "gemini-2.5-flash", generated_by="offline-judge")


def weighted(kind: str, report: Report) -> float:
    weights = {c.key: c.weight for c in rubric_for(kind)}
    assert {r["criterion"] for r in report.rubric} == set(weights)
    return 2 * sum(weights[r["criterion"]] * r["score"] for r in report.rubric)


def check_shape(kind: str, report: Report) -> None:
    assert abs(report.overall_score - weighted(kind, report)) <= 0.05
    assert 0 <= report.overall_score <= 10
    assert 3 <= len(report.strengths) <= 5 and 3 <= len(report.improvements) <= 5
    assert all(r["justification"] for r in report.rubric)
    assert report.summary and report.detailed_feedback


@pytest.mark.parametrize(("qid", "strong", "weak"), [
    ("sd-rate-limiter", scripts.RATE_LIMITER_STRONG, scripts.RATE_LIMITER_WEAK),
    ("sd-chat", scripts.CHAT_STRONG, scripts.CHAT_WEAK),
])
async def test_strong_and_weak_design_candidates_are_far_apart(
    evaluator: Evaluator, qid: str, strong: list[str], weak: list[str]
) -> None:
    good = await evaluator.evaluate(scripts.design(qid, strong))
    poor = await evaluator.evaluate(scripts.design(qid, weak))
    for report in (good, poor):
        check_shape("system_design", report)
    assert good.overall_score - poor.overall_score >= 2, (good.overall_score, poor.overall_score)
    assert good.overall_score >= 6 and poor.overall_score <= 3

    topics = scripts.question(qid).topics
    named = [t for t in topics if any(t in imp for imp in poor.improvements)]
    assert named, poor.improvements  # the weak candidate is told which topics it missed
    # ... and each cited line exists, with our time for it, not the model's
    times = {ln.seq: ln.at_s for ln in scripts.design(qid, strong).lines}
    for crit in good.rubric:
        for ev in crit["evidence"]:
            if ev["kind"] == "transcript":
                assert ev["at_s"] == round(times[int(ev["ref"])], 2)


async def test_coding_uses_the_tests_and_names_the_failing_case(evaluator: Evaluator) -> None:
    good = await evaluator.evaluate(scripts.coding(strong=True))
    poor = await evaluator.evaluate(scripts.coding(strong=False))
    for report in (good, poor):
        check_shape("coding", report)
    assert good.overall_score - poor.overall_score >= 2, (good.overall_score, poor.overall_score)
    correctness = {r["criterion"]: r for r in poor.rubric}["correctness"]
    assert "7 of 10" in correctness["justification"]
    assert [e["ref"] for e in correctness["evidence"]] == ["sub-1", "sub-2"]
    assert any("never fixed" in i and "[[3, 2, 4], 6]" in i for i in poor.improvements)
    assert any("complexity" in i.lower() for i in poor.improvements)


async def test_whiteboard_images_and_graph_reach_the_model(
    evaluator: Evaluator, server: OfflineLiveServer
) -> None:
    without = await evaluator.evaluate(scripts.design("sd-rate-limiter",
                                                      scripts.RATE_LIMITER_STRONG))
    drawn = await evaluator.evaluate(scripts.design(
        "sd-rate-limiter", scripts.RATE_LIMITER_STRONG, snapshots=scripts.board(PNG)))
    assert server.generate_faults.last_images == 1
    hld = {r["criterion"]: r for r in drawn.rubric}["high_level_design"]
    assert "3 connection(s)" in hld["justification"]
    assert {"kind": "snapshot", "ref": "2"} in [{"kind": e["kind"], "ref": e["ref"]}
                                                for e in hld["evidence"]]
    assert drawn.overall_score >= without.overall_score - 0.5


async def test_model_errors_surface_as_sdk_errors(evaluator: Evaluator,
                                                  server: OfflineLiveServer) -> None:
    server.generate_faults.count = 1
    with pytest.raises(errors.ServerError):
        await evaluator.evaluate(scripts.coding(strong=True))
    assert (await evaluator.evaluate(scripts.coding(strong=True))).overall_score > 5


def test_our_checks_clean_what_a_model_gets_wrong() -> None:
    evidence = scripts.coding(strong=True)
    keys = [c.key for c in rubric_for("coding")]
    answer = {
        "rubric": [{"criterion": k, "score": 9 if i == 0 else 4, "justification": "ok",
                    "evidence": [{"kind": "transcript", "ref": "2"},
                                 {"kind": "transcript", "ref": "999"},
                                 {"kind": "submission", "ref": "sub-1"}]}
                   for i, k in enumerate(keys)],
        "strengths": ["a", "b", "c", "d", "e", "f"],
        "improvements": ["x", "y", "z"],
        "summary": "s", "detailed_feedback": "d",
        "overall_score": 10,  # never used
    }
    report = normalise(json.dumps(answer), evidence)
    assert report.rubric[0]["score"] == 5  # clamped
    assert report.overall_score == pytest.approx(2 * (0.15 * 5 + 0.85 * 4))
    assert [e["ref"] for e in report.rubric[1]["evidence"]] == ["2", "sub-1"]  # 999 dropped
    assert len(report.strengths) == 5
    answer["rubric"] = answer["rubric"][1:]
    with pytest.raises(ModelOutputError, match="missing problem_understanding"):
        normalise(json.dumps(answer), evidence)
    with pytest.raises(ModelOutputError, match="not JSON"):
        normalise("Sure! Here is the feedback", evidence)
