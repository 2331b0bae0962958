"""Pacing in the offline interviewer: a 30-minute interview on a fast clock.

The clock is the app's time notes (`[Time: N of 30 minutes gone.]`, agents/pacing.py), fed
between answers as agents/interviewer.py does after each interviewer turn; here one answer
takes a simulated minute, so half an hour of interview runs in milliseconds."""

from __future__ import annotations

from agents.offline.brain import Brain, CallTool, Say
from agents.offline.brief import EXAMPLE_BRIEF, parse_brief
from agents.offline.lines import STAGE_TRANSITIONS, WRAP_UP
from agents.pacing import plan, time_note, wrap_up_at_s

ANSWERS = [
    "I would store the links in postgres with a base62 id",
    "a redis cache in front keeps redirects fast",
    "we can shard by the short code",
    "kafka carries click events to the analytics store",
    "replicas in two regions take the reads",
    "that's all for this part",  # not a request to stop: time remains
    "I'd monitor p99 latency and error rates",
    "the cdn caches popular redirects at the edge",
]


def brief(kind: str = "system_design", minutes: int = 30) -> str:
    return (EXAMPLE_BRIEF.replace("Length: 45 minutes", f"Length: {minutes} minutes")
            .replace("Type: system_design", f"Type: {kind}")
            .replace("Phase: intro", "Phase: interview"))


def run_clocked(kind: str, minutes: int, seed: int) -> tuple[Brain, float, list[str]]:
    """Answer once a simulated minute until the brain closes; returns (brain, minute it
    closed, everything it said)."""
    brain = Brain.create(parse_brief(brief(kind, minutes)), seed=seed)
    said = [t.text for t in brain.on_user_turn("[the candidate has joined]") if isinstance(t, Say)]
    for minute in range(1, minutes + 5):
        brain.on_user_turn(time_note(minute * 60.0, minutes))  # as the app sends it
        actions = brain.on_user_turn(ANSWERS[minute % len(ANSWERS)])
        said += [a.text for a in actions if isinstance(a, Say)]
        if actions and isinstance(actions[-1], CallTool):
            assert actions[-1].args["phase"] == "closing"
            return brain, minute, said
    raise AssertionError("never moved to closing")


def test_a_30_minute_interview_does_not_close_before_minute_20() -> None:
    for seed in range(5):
        brain, closed_at, said = run_clocked("system_design", 30, seed)
        assert 20 <= closed_at <= 28, closed_at
        assert closed_at * 60 >= wrap_up_at_s(30)
        # Every answer got a question, and no follow-up was asked twice.
        questions = said[1:-1]
        assert all(q.rstrip().endswith("?") for q in questions)
        assert len(set(questions)) == len(questions)
        # The time moved it through the stages, each announced once, in order.
        leads = [stage for stage, forms in STAGE_TRANSITIONS.items()
                 for s in said if any(f in s for f in forms)]
        assert leads == ["high_level", "deep_dives"], leads
        assert brain.pace.stage == "deep_dives"


def test_coding_stages_follow_the_clock() -> None:
    _, closed_at, said = run_clocked("coding", 45, seed=3)
    # "that's all for this part" closes once three quarters of the time are gone
    assert 0.75 * 45 <= closed_at <= 41
    leads = [stage for stage, forms in STAGE_TRANSITIONS.items()
             for s in said if any(f in s for f in forms)]
    assert leads == ["coding", "testing", "complexity"], leads


def test_the_wrap_up_line_is_said_once_even_when_cut_off() -> None:
    brain = Brain.create(parse_brief(brief()), seed=1)
    brain.on_user_turn("[joined]")
    brain.on_user_turn(time_note(28 * 60.0, 30))
    wraps = 0
    for _ in range(4):  # a talkative candidate cuts off the wrap-up each time
        actions = brain.on_user_turn("and one more thing about the cache layer")
        wraps += sum(1 for a in actions if isinstance(a, Say) and a.text in WRAP_UP)
        call = actions[-1]
        assert isinstance(call, CallTool) and call.args["phase"] == "closing"
        brain.retract(call.id)
        assert brain.phase == "interview"
    assert wraps == 1


def test_an_explicit_stop_closes_early_and_state_survives_resumption() -> None:
    brain = Brain.create(parse_brief(brief()), seed=4)
    brain.on_user_turn("[joined]")
    brain.on_user_turn(time_note(5 * 60.0, 30))
    assert not isinstance(brain.on_user_turn("that's all")[-1], CallTool)
    restored = Brain.from_dict(brain.to_dict())
    assert restored.pace == brain.pace and restored.pace.elapsed_s == 300.0
    assert isinstance(restored.on_user_turn("can we stop here please")[-1], CallTool)


def test_the_plan_covers_the_length() -> None:
    for kind in ("system_design", "coding"):
        for minutes in (30, 45, 60):
            stages = plan(kind, minutes)
            assert stages[0].start_s == 0 and stages[-1].end_s == minutes * 60
            assert stages[-1].id == "wrap_up"
            assert all(a.end_s == b.start_s for a, b in zip(stages, stages[1:], strict=False))
