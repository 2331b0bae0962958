"""A submission shows nothing of the hidden tests but pass/fail, error kind, time and memory,
even for code that prints its arguments (the real jail, through the HTTP route)."""

from __future__ import annotations

import json

import pytest

from storage.seed import question_files
from tests.http.helpers import create_interview, signup

Q = {q["slug"]: q for q in question_files()}["pair-with-target-sum"]
LEAKER = """
import sys
def pair_with_target_sum(nums, target):
    print("ARGS", nums, target)
    sys.stderr.write("ARGS %r %r\\n" % (nums, target))
    if target % 2:
        raise ValueError("ARGS %r %r" % (nums, target))
    return [0, 1]
"""


@pytest.fixture
def database_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite:///{tmp_path / 'code.db'}"


@pytest.fixture
def settings(tmp_path, database_url: str):  # type: ignore[no-untyped-def]
    from server.config import load_settings

    return load_settings(data_dir=tmp_path / "data", database_url=database_url,
                         log_format="text")


async def test_hidden_inputs_never_reach_the_candidate(client) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    interview = await create_interview(client, type="coding")
    resp = await client.post(f"/api/interviews/{interview['id']}/submissions", json={
        "language": "python", "code": LEAKER, "question_slug": Q["slug"]})
    assert resp.status == 201, await resp.text()
    out = await resp.json()
    visible = [t for t in out["tests"] if not t["hidden"]]
    hidden = [t for t in out["tests"] if t["hidden"]]
    assert len(visible) == len(Q["visible_tests"]) and len(hidden) == len(Q["hidden_tests"])
    assert any("ARGS" in t["stdout"] + t["stderr"] for t in visible)  # its prints are shown
    for t in hidden:
        assert set(t) == {"index", "hidden", "passed", "time_ms", "memory_kb", "error_kind"}
    assert any(t["error_kind"] == "runtime_error" for t in hidden)
    text = json.dumps(out)
    for case in Q["hidden_tests"]:
        assert json.dumps(case["args"][0]) not in text, case
    assert "ARGS" not in json.dumps(hidden)
