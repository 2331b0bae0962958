"""The simulated candidates answer the interviewer's actual questions, in character, and the
case files load (and bad ones are refused with the file and field named)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.offline.cues import says_stop
from evals import metrics
from evals.cases import PERSONAS, CaseError, load_cases
from evals.personas import ScriptedPersona

TOPICS = ("short code generation and collisions", "read-heavy redirect path and caching",
          "click analytics pipeline")
CASES = Path(__file__).resolve().parents[2] / "evals" / "cases"


def persona(name: str, max_answers: int = 3) -> ScriptedPersona:
    return ScriptedPersona(name=name, kind="system_design", topics=TOPICS,
                           max_answers=max_answers)


def test_answers_follow_the_interviewers_question() -> None:
    p = persona("strong")
    intro = p.reply("Hello! Could you tell me a little about yourself?")
    assert intro is not None and intro.kind == "intro" and "engineer" in intro.text
    cache = p.reply("You mentioned PostgreSQL. How would you keep the cache consistent?")
    assert cache is not None and "Redis cache" in cache.text and "percent" in cache.text
    shard = p.reply("How would you partition the data as it grows?")
    assert shard is not None and "shard" in shard.text.lower()


def test_strong_covers_topics_with_numbers_weak_stays_vague() -> None:
    strong, weak = persona("strong"), persona("weak")
    line = "Where would you like to start?"
    said_strong = strong.reply(line).text  # type: ignore[union-attr]
    said_weak = weak.reply(line).text  # type: ignore[union-attr]
    assert TOPICS[0] in said_strong and any(ch.isdigit() for ch in said_strong)
    assert not any(ch.isdigit() for ch in said_weak) and "sure" in said_weak.lower()
    assert len(metrics.words(said_strong)) > 3 * len(metrics.words(said_weak)) > 0


@pytest.mark.parametrize("name,check", [
    ("terse", lambda t: len(t.split()) <= 8),
    ("rambling", lambda t: len(t.split()) > 60 and "anyway" in t.lower()),
    ("off_topic", lambda t: not any(w in t.lower() for w in ("cache", "shard", "database"))),
])
def test_traits_shape_the_answer(name: str, check: object) -> None:
    reply = persona(name).reply("How would you keep the cache consistent with the database?")
    assert reply is not None and check(reply.text)  # type: ignore[operator]


def test_interrupter_barges_in_every_other_answer() -> None:
    p = persona("interrupter", max_answers=4)
    flags = [p.reply("What would the main API look like?").barge_in  # type: ignore[union-attr]
             for _ in range(4)]
    assert flags == [False, True, False, True]


def test_after_max_answers_the_candidate_asks_to_stop_then_closes_politely() -> None:
    p = persona("average", max_answers=1)
    assert p.reply("Where would you start?").kind == "answer"  # type: ignore[union-attr]
    wrap = p.reply("What happens when one of these components fails?")
    assert wrap is not None and wrap.kind == "wrap_up"
    assert says_stop(wrap.text)  # the offline interviewer's own cue for closing
    closing = p.reply("Before we finish, do you have any questions for me?")
    assert closing is not None and closing.kind == "closing"
    assert p.reply("Thanks so much for your time today. Take care!") is None


def test_a_line_the_interviewer_did_not_hear_is_said_again() -> None:
    p = persona("average")
    first = p.reply("What would the main API look like?")
    again = p.reply("Sorry, I didn't catch that. Could you say it again?")
    assert first is not None and again is not None and again.text == first.text


def test_bundled_cases_cover_every_persona_and_both_types() -> None:
    cases = load_cases(CASES)
    assert {c.persona for c in cases} == set(PERSONAS)
    assert {c.type for c in cases} == {"system_design", "coding"}
    assert {c.mode for c in cases} == {"typed", "voice"}
    smoke = load_cases(CASES, "smoke")
    assert sorted(c.mode for c in smoke) == ["typed", "typed", "voice"]


def test_bad_case_files_are_refused_with_the_file_and_field(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"id": "x", "type": "coding",
                                                 "persona": "genius"}))
    with pytest.raises(CaseError, match=r"a\.json: persona"):
        load_cases(tmp_path)
    (tmp_path / "a.json").write_text(json.dumps({"id": "x", "type": "coding",
                                                 "persona": "weak", "tyop": 1}))
    with pytest.raises(CaseError, match="tyop"):
        load_cases(tmp_path)
    (tmp_path / "a.json").write_text("[" + json.dumps({"id": "x", "type": "coding",
                                                       "persona": "weak"}) + "]")
    (tmp_path / "b.yaml").write_text("id: x\ntype: system_design\npersona: strong\n")
    with pytest.raises(CaseError, match="duplicate case id 'x'"):
        load_cases(tmp_path)
    (tmp_path / "b.yaml").write_text("id: y\ntype: system_design\npersona: strong\n")
    assert [c.id for c in load_cases(tmp_path)] == ["x", "y"]
    with pytest.raises(CaseError, match="no cases tagged"):
        load_cases(tmp_path, "smoke")
