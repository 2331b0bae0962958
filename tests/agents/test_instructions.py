"""The interviewer's instructions: the brief block the offline model reads, and wording
that changes with company, level, type, phase and memory."""

from __future__ import annotations

import random
import re

from agents.hooks import InterviewBrief
from agents.instructions import Persona, brief_block, build_instruction
from agents.offline.brief import parse_brief
from agents.questions import find_question

QUESTION = find_question("sd-link-shortener")
assert QUESTION is not None


def brief(**kw: str) -> InterviewBrief:
    values = {"interview_id": "iv", "type": "system_design", "role": "Backend Engineer",
              "level": "senior", "company": "google", **kw}
    return InterviewBrief(**values)  # type: ignore[arg-type]


def instruction(b: InterviewBrief, phase: str = "intro", seed: int = 0, memory: str = "") -> str:
    return build_instruction(b, QUESTION, phase=phase, persona=Persona.random(random.Random(seed)),
                             memory_summary=memory)


def test_the_brief_block_is_there_verbatim() -> None:
    text = instruction(brief(), phase="intro")
    expected = "\n".join([
        "INTERVIEW BRIEF",
        "Type: system_design",
        "Company: google",
        "Role: Backend Engineer",
        "Level: senior",
        "Length: 45 minutes",
        f"Question: {QUESTION.text}",
        "Expected topics: " + "; ".join(QUESTION.topics),
        "Phase: intro",
        "END BRIEF",
    ])
    assert expected in text
    assert brief_block(brief(), QUESTION, "intro") == expected
    parsed = parse_brief(text)  # what the offline model server reads
    assert parsed.found and parsed.company == "google" and parsed.level == "senior"
    assert parsed.length_minutes == 45
    # The time budget reaches the real model too, in minutes.
    assert "The interview lasts 45 minutes" in text and "Around minute 40, wrap up" in text
    assert parsed.question == QUESTION.text
    assert parsed.expected_topics == QUESTION.topics
    assert parse_brief(instruction(brief(), phase="closing")).phase == "closing"


def test_wording_follows_company_level_and_type() -> None:
    google = instruction(brief(company="google"))
    amazon = instruction(brief(company="amazon"))
    netflix = instruction(brief(company="netflix"))
    practice = instruction(brief(company="free_practice"))
    assert "Google" in google and "customer" in amazon and "resilience" in netflix
    assert "practice session" in practice and " at " not in practice.split("\n")[0]
    assert len({google, amazon, netflix, practice}) == 4

    junior = instruction(brief(level="junior"))
    staff = instruction(brief(level="staff"))
    assert "junior level" in junior and "staff level" in staff
    assert QUESTION.level_hints["junior"] in junior
    assert QUESTION.level_hints["staff"] in staff

    coding = instruction(brief(type="coding"))
    assert "editor" in coding and "complexity" in coding
    assert "whiteboard" in instruction(brief())


def test_instructions_vary_between_sessions_and_forbid_meta_commentary() -> None:
    texts = {instruction(brief(), seed=s) for s in range(6)}
    assert len(texts) > 3  # persona and phrase palette differ
    text = instruction(brief())
    assert "advance_phase" in text
    assert re.search(r"never announce internal mechanics", text, re.I)
    assert "[Notes:" in text  # told what platform notes are


def test_reconnection_carries_phase_and_memory() -> None:
    fresh = instruction(brief(), phase="routing")
    resumed = instruction(brief(), phase="interview",
                          memory="Candidate Ada; mentioned Redis, Kafka")
    assert "do not greet" not in fresh
    assert "do not greet" in resumed
    assert "mentioned Redis, Kafka" in resumed
