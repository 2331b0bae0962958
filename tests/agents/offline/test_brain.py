"""agents/offline/brain.py: the interviewer as a pure state machine (text in, actions out)."""

from __future__ import annotations

import json

import pytest

from agents.offline.brain import Brain, CallTool, Say
from agents.offline.brief import EXAMPLE_BRIEF, parse_brief

BRIEF = f"""You are a friendly interviewer. Follow the brief.

{EXAMPLE_BRIEF}
"""
FORBIDDEN = ("transfer", "phase", "tool", "function", "agent")


def spoken(actions: list) -> str:  # type: ignore[type-arg]
    return " ".join(a.text for a in actions if isinstance(a, Say))


def assert_natural(text: str) -> None:
    low = text.lower()
    assert not any(word in low for word in FORBIDDEN), text


def test_parse_brief_fields_and_annotations() -> None:
    brief = parse_brief(BRIEF.replace("Type: system_design", "Type: system_design   (or coding)"))
    assert brief.found and brief.type == "system_design" and brief.company == "google"
    assert brief.company_name == "Google" and brief.level == "senior"
    assert brief.expected_topics[0] == "hashing and ID generation"
    assert len(brief.expected_topics) == 5 and brief.phase == "intro"
    assert parse_brief("no brief here").found is False
    assert parse_brief(BRIEF.replace("Phase: intro", "Phase: interview")).phase == "interview"


def test_full_interview_flow() -> None:
    brain = Brain.create(parse_brief(BRIEF), seed=11)

    greeting = brain.on_user_turn("[the candidate has joined]")
    assert len(greeting) == 1 and isinstance(greeting[0], Say)
    assert "introduce" in greeting[0].text or "about yourself" in greeting[0].text \
        or "background" in greeting[0].text or "introduction" in greeting[0].text
    assert_natural(greeting[0].text)
    assert brain.phase == "intro" and brain.greeted

    intro = brain.on_user_turn("Hi, my name is Alex, I'm a backend engineer at a startup.")
    assert isinstance(intro[0], Say) and "Alex" in intro[0].text
    call = intro[-1]
    assert isinstance(call, CallTool) and call.name == "advance_phase"
    assert call.args["phase"] == "interview" and call.args["reason"]
    assert brain.phase == "interview"
    assert brain.on_tool_response("some-other-id", {}) == []

    question = brain.on_tool_response(call.id, {"result": "ok"})
    assert "URL shortener" in spoken(question)

    follow = brain.on_user_turn("I would put a Redis cache in front of the database")
    text = spoken(follow)
    assert "Redis" in text and text.endswith("?")
    assert_natural(text)

    follow = brain.on_user_turn("we can shard the database by user id")
    text = spoken(follow)
    # steers to an expected topic not covered yet (ID generation comes first)
    assert "hashing and ID generation" in text and "shard the database by user id" in text

    wrap = brain.on_user_turn("I think that's all, I'm done.")
    assert isinstance(wrap[-1], CallTool) and wrap[-1].args["phase"] == "closing"
    assert_natural(spoken(wrap))
    ask = brain.on_tool_response(wrap[-1].id, {})
    assert "question" in spoken(ask).lower() or "ask me" in spoken(ask).lower()

    bye = brain.on_user_turn("No questions, thank you.")
    assert isinstance(bye[-1], CallTool) and bye[-1].args["phase"] == "done"
    assert "Alex" in spoken(bye)
    assert brain.on_tool_response(bye[-1].id, {}) == []
    assert brain.phase == "done" and brain.said_goodbye
    assert brain.on_user_turn("hello?")  # still polite after the end


def test_without_time_notes_closes_after_some_answers_scaled_by_length() -> None:
    untimed = BRIEF.replace("Phase: intro", "Phase: interview").replace(
        "Length: 45 minutes\n", "")
    brain = Brain.create(parse_brief(untimed), seed=2)
    assert "URL shortener" in spoken(brain.on_user_turn("[the candidate has joined]"))
    answers = ["we use postgres", "add a cdn", "kafka for events", "base62 ids",
               "latency is low", "monitoring too", "more"]
    for n, answer in enumerate(answers, start=1):
        actions = brain.on_user_turn(answer)
        if isinstance(actions[-1], CallTool):
            assert actions[-1].args["phase"] == "closing"
            assert 4 <= n <= 6 and n == brain.turn_limit
            break
    else:
        pytest.fail("never moved to closing")
    # A 45-minute brief with no clock at all still allows far more than four answers.
    assert Brain.create(parse_brief(BRIEF), seed=2).turn_limit >= 18


def test_follow_ups_do_not_repeat_and_vary() -> None:
    brain = Brain.create(parse_brief(BRIEF.replace("Phase: intro", "Phase: interview")), seed=5)
    brain.turn_limit = 99
    brain.on_user_turn("[joined]")
    texts = [spoken(brain.on_user_turn(t)) for t in
             ("i'd use redis", "we could add kafka", "maybe cassandra", "a load balancer",
              "and a cdn", "ok", "ok", "ok")]
    assert len(set(texts)) == len(texts)
    greetings = {spoken(Brain.create(parse_brief(BRIEF), seed=s).on_user_turn("[x]"))
                 for s in range(6)}
    assert len(greetings) >= 3


def test_coding_flavour() -> None:
    brief = parse_brief(BRIEF.replace("Type: system_design", "Type: coding")
                        .replace("Phase: intro", "Phase: interview"))
    brain = Brain.create(brief, seed=1)
    brain.on_user_turn("[joined]")
    text = spoken(brain.on_user_turn("I would use a hash map to store the counts"))
    assert "hash map" in text and "space" in text


def test_routing_calls_intro_first_and_no_tool_means_inline() -> None:
    brain = Brain.create(parse_brief(BRIEF.replace("Phase: intro", "Phase: routing")), seed=1)
    first = brain.on_user_turn("[the candidate has joined]")
    assert first == [CallTool(first[0].id, "advance_phase",  # type: ignore[union-attr]
                              {"phase": "intro", "reason": "The candidate joined."})]
    assert "yourself" in spoken(brain.on_tool_response(first[0].id, {})) or brain.greeted  # type: ignore[union-attr]

    toolless = Brain.create(parse_brief(BRIEF), seed=1, tool_names=())
    toolless.on_user_turn("[joined]")
    actions = toolless.on_user_turn("I'm Sam")
    assert all(isinstance(a, Say) for a in actions) and "URL shortener" in spoken(actions)
    assert toolless.phase == "interview"


def test_transfer_to_agent_when_declared_instead() -> None:
    brain = Brain.create(parse_brief(BRIEF), seed=1, tool_names=("transfer_to_agent",),
                         agent_names=("intro_agent", "interview_agent", "closing_agent"))
    brain.on_user_turn("[joined]")
    actions = brain.on_user_turn("I'm Sam")
    assert actions[-1] == CallTool(actions[-1].id, "transfer_to_agent",  # type: ignore[union-attr]
                                   {"agent_name": "interview_agent"})
    assert brain.on_tool_response(actions[-1].id, {}) == []  # type: ignore[union-attr]
    # the next agent's connection replays history and carries on
    nxt = Brain.create(parse_brief(BRIEF.replace("Phase: intro", "Phase: interview")), seed=2)
    nxt.replay([("user", "[joined]"), ("model", "Hello!"), ("user", "I'm Sam")])
    assert nxt.memory.candidate_name == "Sam"
    assert "URL shortener" in spoken(nxt.resume())


def test_retract_and_cancel_keep_the_owed_step() -> None:
    brain = Brain.create(parse_brief(BRIEF), seed=1)
    brain.on_user_turn("[joined]")
    call = brain.on_user_turn("I'm Sam")[-1]
    brain.retract(call.id)  # type: ignore[union-attr]
    assert brain.phase == "intro" and brain.pending is None
    call = brain.on_user_turn("I'm Sam, backend engineer")[-1]
    brain.on_tool_cancelled([call.id])  # type: ignore[union-attr]
    assert brain.phase == "interview" and not brain.question_presented
    assert "URL shortener" in spoken(brain.on_user_turn("hello?"))


def test_state_round_trips_through_json() -> None:
    brain = Brain.create(parse_brief(BRIEF), seed=9)
    brain.on_user_turn("[joined]")
    brain.on_user_turn("My name is Priya")
    clone = Brain.from_dict(json.loads(json.dumps(brain.to_dict())))
    assert clone.to_dict() == brain.to_dict()
    assert clone.on_tool_response(clone.pending["id"], {}) == \
        brain.on_tool_response(brain.pending["id"], {})  # type: ignore[index]


def test_speech_that_was_not_recognised_still_gets_an_answer() -> None:
    brain = Brain.create(parse_brief(BRIEF), seed=1)
    assert brain.on_unheard() and brain.greeted  # the first sound from the candidate
    again = spoken(brain.on_unheard())
    assert "catch" in again or "repeat" in again
