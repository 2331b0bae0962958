"""The offline brain and the whiteboard: descriptions arrive as context (never answered),
follow-ups name the boxes and what is missing, and `ask_expert` is called once the design
has shape, its review shaping the next question."""

from __future__ import annotations

from agents.offline.brain import Brain, CallTool, Say
from agents.offline.brief import EXAMPLE_BRIEF, parse_brief
from agents.scene import describe_elements, parse_description
from tests.canvas_data import arrow, box, design

BRIEF = parse_brief(EXAMPLE_BRIEF.replace("Phase: intro", "Phase: interview"))


def in_interview(tools: tuple[str, ...] = ("advance_phase",)) -> Brain:
    brain = Brain.create(BRIEF, seed=3, tool_names=tools)
    brain.greeted = brain.question_presented = True
    return brain


def said(actions: list) -> str:  # type: ignore[type-arg]
    return " ".join(a.text for a in actions if isinstance(a, Say))


def test_description_round_trips_boxes_arrows_and_loose_ends() -> None:
    elements = design("Client", "API", "Postgres") + box("x", "API", 600) + box("r", "Redis")
    elements.append(arrow("loose", "b0", None))
    text = describe_elements(elements)
    assert "API ×2" in text and "Client → API" in text and "Not connected: Redis" in text
    scene = parse_description(text)
    assert scene.boxes == {"Client": 1, "API": 2, "Postgres": 1, "Redis": 1}
    assert scene.arrows == [("Client", "API"), ("API", "Postgres")]
    assert scene.loose_arrows == 1 and scene.unconnected() == ["Redis"]


def test_the_board_is_context_and_the_next_question_names_a_box() -> None:
    brain = in_interview()
    elements = design("Client", "API", "Postgres") + box("x", "API", 600) + box("y", "API")
    brain.replay([("user", describe_elements(elements))])  # clientContent, turn not complete
    assert brain.transcript == []  # not taken for the candidate's words
    assert brain.on_user_turn(describe_elements(elements)) == []  # never answered
    reply = said(brain.on_user_turn("I would keep the API servers stateless."))
    assert "one Postgres box behind three API servers" in reply, reply
    # The same board does not get the same question again; a new drawing does.
    reply = said(brain.on_user_turn("They scale horizontally."))
    assert "Postgres box" not in reply
    brain.replay([("user", describe_elements(design("Client", "API", "Postgres", "Redis")))])
    reply = said(brain.on_user_turn("I added a cache."))
    assert any(word in reply for word in ("Client", "Redis", "Postgres", "API")), reply


def test_missing_components_against_expected_topics() -> None:
    brain = in_interview()
    brain.replay([("user", describe_elements(design("Web", "Shortener", "Links table")) )])
    brain.asked.append("board:spof:Links table")
    reply = said(brain.on_user_turn("Requests go straight to the table."))
    assert "I don't see a cache on your board" in reply and "Web" in reply, reply


def test_ask_expert_once_and_use_its_review() -> None:
    brain = in_interview(("advance_phase", "ask_expert"))
    brain.replay([("user", describe_elements(design("Client", "API", "Postgres")))])
    brain.on_user_turn("Stateless servers.")
    actions = brain.on_user_turn("Postgres stores the links.")
    call = actions[-1]
    assert isinstance(call, CallTool) and call.name == "ask_expert"
    assert "Client, API, Postgres" in call.args["question"]
    review = {"status": "ok", "review": {"follow_up_questions": ["How is Postgres replicated?"]}}
    assert said(brain.on_tool_response(call.id, review)) == "How is Postgres replicated?"
    later = brain.on_user_turn("With a replica.")
    assert not any(isinstance(a, CallTool) for a in later)  # asked once
    # An unavailable expert: the brain carries on with its own follow-up.
    other = in_interview(("advance_phase", "ask_expert"))
    other.replay([("user", describe_elements(design("Client", "API")))])
    other.on_user_turn("One.")
    call = other.on_user_turn("Two.")[-1]
    assert isinstance(call, CallTool)
    assert said(other.on_tool_response(call.id, {"status": "unavailable"}))


def test_a_late_expert_note_becomes_the_next_question() -> None:
    brain = in_interview()
    brain.replay([("user", "[Expert review: risks: one DB. Ask: What if Postgres fails?]")])
    assert brain.transcript == []
    assert "What if Postgres fails?" in said(brain.on_user_turn("I think that's the design."))
