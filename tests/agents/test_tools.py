"""`advance_phase`: the model's way to move the interview on, written through AgentIO."""

from __future__ import annotations

import pytest

from agents.phases import InterviewState, PhaseError, check_move
from agents.tools import PhaseKeeper
from tests.agents.fake_io import FakeIO


async def test_advancing_writes_the_phase_and_state_through_agent_io() -> None:
    io = FakeIO()
    done: list[bool] = []
    keeper = PhaseKeeper(io, InterviewState(question_id="sd-chat"), on_done=lambda: done.append(1))
    tool = keeper.tool()
    assert tool.__name__ == "advance_phase"

    assert await tool("intro", "the candidate joined") == {"ok": True, "phase": "intro"}
    assert await tool("interview", "introductions done") == {"ok": True, "phase": "interview"}
    assert await tool("interview", "again") == {"ok": True, "phase": "interview"}  # no-op
    assert io.phase_names() == ["intro", "interview"]
    state = io.phases[-1][1]
    assert state is not None
    assert state["phase"] == "interview" and state["question_id"] == "sd-chat"
    assert [h["phase"] for h in state["phase_history"]] == ["intro", "interview"]

    back = await tool("intro", "oops")
    assert back["ok"] is False and "already past" in back["error"]
    bad = await tool("coffee", "break")
    assert bad["ok"] is False and "unknown phase" in bad["error"]

    # "done" waits for the goodbye: the keeper only reports it.
    assert await tool("done", "goodbye said") == {"ok": True, "phase": "done"}
    assert done == [1] and io.phase_names() == ["intro", "interview"]
    assert keeper.state.phase == "done"


def test_phase_moves_go_forward_only() -> None:
    assert check_move("routing", "intro") is True
    assert check_move("intro", "closing") is True  # skipping ahead is fine
    assert check_move("closing", "closing") is False
    with pytest.raises(PhaseError):
        check_move("interview", "intro")
    with pytest.raises(PhaseError):
        check_move("intro", "lunch")
