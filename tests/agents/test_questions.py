"""The question bank: enough original system-design prompts with topics and level hints,
coding problems from the seeded bank, and picks that fit the interview."""

from __future__ import annotations

import random

from agents.questions import (
    SYSTEM_DESIGN,
    coding_questions,
    find_question,
    pick_question,
    question_from_brief,
)
from storage.vocabulary import LEVELS


def test_system_design_bank_has_a_dozen_prompts_with_topics_and_level_hints() -> None:
    assert len(SYSTEM_DESIGN) >= 12
    assert len({q.id for q in SYSTEM_DESIGN}) == len(SYSTEM_DESIGN)
    for q in SYSTEM_DESIGN:
        assert q.type == "system_design"
        assert q.text.startswith("Design ") and q.text.endswith(".")
        assert len(q.topics) >= 3 and all(t.strip() for t in q.topics)
        assert set(q.level_hints) == set(LEVELS)
        assert ";" not in q.text and "\n" not in q.text  # fits on the brief's one line


def test_coding_questions_come_from_the_seeded_bank() -> None:
    bank = coding_questions()
    assert len(bank) >= 10
    brackets = find_question("balanced-brackets")
    assert brackets is not None and brackets.type == "coding"
    assert brackets.text.startswith("Balanced Brackets.")
    assert "`" not in brackets.text and "**" not in brackets.text
    assert "stack" in brackets.topics
    assert brackets.hint_for("junior") and brackets.hint_for("staff")


def test_picks_fit_type_level_and_vary() -> None:
    rng = random.Random(0)
    picks = {pick_question("system_design", "senior", "google", rng).id for _ in range(40)}
    assert len(picks) > 3
    for _ in range(20):
        q = pick_question("coding", "junior", "amazon", rng)
        assert q.type == "coding" and q.difficulty in ("easy", "medium")
    netflix = [pick_question("system_design", "mid", "netflix", rng) for _ in range(60)]
    assert sum("netflix" in q.companies for q in netflix) > 30  # the company's favourites


def test_a_stored_question_is_reused() -> None:
    known = question_from_brief("system_design", "sd-chat", "whatever was stored")
    assert known.id == "sd-chat" and known.topics
    custom = question_from_brief("system_design", None, "Design a pizza tracker. Fast.")
    assert custom.text == "Design a pizza tracker. Fast." and custom.topics
