"""Question bank API, running code (visible tests) and judged submissions, in the real jail."""

from __future__ import annotations

import asyncio

import pytest

from storage.seed import question_files
from tests.http.helpers import create_interview, error_of, signup

BANK = {q["slug"]: q for q in question_files()}
SLUG = "pair-with-target-sum"


@pytest.fixture
def database_url(tmp_path) -> str:  # the sandbox, not the database, is under test here
    return f"sqlite:///{tmp_path / 'code.db'}"


@pytest.fixture
def settings(tmp_path, database_url: str):  # type: ignore[no-untyped-def]
    from server.config import load_settings

    return load_settings(data_dir=tmp_path / "data", database_url=database_url,
                         log_format="text")  # default 1 MB body cap: code is capped at 64 KB


async def test_question_bank_is_listed_and_hides_what_it_must(client) -> None:
    await signup(client)
    items = (await (await client.get("/api/questions?type=coding")).json())["items"]
    assert len(items) >= 15 and {i["slug"] for i in items} == set(BANK)
    easy = (await (await client.get("/api/questions?difficulty=easy")).json())["items"]
    assert easy and all(i["difficulty"] == "easy" for i in easy)
    graphs = (await (await client.get("/api/questions?tag=graphs")).json())["items"]
    assert graphs and all("graphs" in i["tags"] for i in graphs)
    detail = await (await client.get(f"/api/questions/{SLUG}")).json()
    assert detail["visible_tests"] == BANK[SLUG]["visible_tests"]
    assert detail["hidden_test_count"] == len(BANK[SLUG]["hidden_tests"])
    text = str(detail)
    assert "hidden_tests" not in detail and "reference_solutions" not in detail
    assert all(str(t["args"]) not in text for t in BANK[SLUG]["hidden_tests"])
    assert (await client.get("/api/questions/no-such-question")).status == 404
    assert (await client.get("/api/questions?difficulty=impossible")).status == 400


async def test_execute_runs_visible_tests(client) -> None:
    await signup(client)
    ref = BANK[SLUG]["reference_solutions"]["python"]
    resp = await client.post("/api/code/execute",
                             json={"language": "python", "code": ref, "question_slug": SLUG})
    assert resp.status == 200, await resp.text()
    out = await resp.json()
    assert out["status"] == "accepted"
    assert out["total"] == len(BANK[SLUG]["visible_tests"])
    assert all(t["passed"] and not t["hidden"] and "args" in t for t in out["tests"])

    wrong = BANK[SLUG]["wrong_solution"]["python"]
    js_ref = BANK[SLUG]["reference_solutions"]["javascript"]
    out = await (await client.post("/api/code/execute", json={
        "language": "javascript", "code": js_ref, "question_slug": SLUG})).json()
    assert out["status"] == "accepted"
    out = await (await client.post("/api/code/execute", json={
        "language": "python", "code": wrong, "question_slug": SLUG})).json()
    assert out["status"] in ("wrong_answer", "accepted")  # it may pass the visible ones


async def test_submission_is_judged_stored_and_hides_hidden_inputs(client) -> None:
    await signup(client)
    interview = await create_interview(client, type="coding")
    url = f"/api/interviews/{interview['id']}/submissions"
    wrong = BANK[SLUG]["wrong_solution"]["python"]
    resp = await client.post(url, json={"language": "python", "code": wrong,
                                        "question_slug": SLUG})
    assert resp.status == 201, await resp.text()
    out = await resp.json()
    q = BANK[SLUG]
    assert out["total"] == len(q["visible_tests"]) + len(q["hidden_tests"])
    assert out["status"] == "wrong_answer" and out["passed"] < out["total"]
    hidden = [t for t in out["tests"] if t["hidden"]]
    assert len(hidden) == len(q["hidden_tests"])
    assert all("args" not in t and "expected" not in t and "actual" not in t for t in hidden)

    ok = await (await client.post(url, json={
        "language": "python", "code": q["reference_solutions"]["python"],
        "question_slug": SLUG})).json()
    assert ok["status"] == "accepted" and ok["passed"] == ok["total"]

    from sqlalchemy import select

    from server.state import DB
    from storage.models import CodingSubmission

    async with client.app[DB]() as s:
        rows = list(await s.scalars(select(CodingSubmission)))
    assert sorted(r.status for r in rows) == ["accepted", "wrong_answer"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"language": "cobol", "code": "x", "question_slug": SLUG}, 400, "language"),
        ({"language": "python", "question_slug": SLUG}, 400, "code"),
        ({"language": "python", "code": "x"}, 400, "question_slug"),
        ({"language": "python", "code": "#" * (64 * 1024 + 1), "question_slug": SLUG},
         400, "code"),
        ({"language": "python", "code": "x", "question_slug": "nope"}, 404, None),
    ],
)
async def test_bad_code_requests(client, body: dict, status: int, field: str | None) -> None:
    await signup(client)
    interview = await create_interview(client, type="coding")
    for url in ("/api/code/execute", f"/api/interviews/{interview['id']}/submissions"):
        resp = await client.post(url, json=body)
        assert resp.status == status
        if field:
            assert (await error_of(resp))["message"].startswith(field)


async def test_submission_to_someone_elses_interview_is_404(client) -> None:
    await signup(client, "a@example.com")
    interview = await create_interview(client, type="coding")
    await signup(client, "b@example.com")
    resp = await client.post(f"/api/interviews/{interview['id']}/submissions", json={
        "language": "python", "code": "x", "question_slug": SLUG})
    assert resp.status == 404


async def test_full_queue_is_429(client, monkeypatch) -> None:
    from sandbox import Sandbox, SandboxConfig
    from server.state import SANDBOX

    client.app[SANDBOX] = Sandbox(SandboxConfig(max_concurrency=1, max_queue=0))
    await signup(client)
    slow = ("import time\ndef pair_with_target_sum(nums, target):\n"
            "    time.sleep(1.5)\n    return [0, 1]\n")
    body = {"language": "python", "code": slow, "question_slug": SLUG}
    responses = await asyncio.gather(*(client.post("/api/code/execute", json=body)
                                       for _ in range(3)))
    statuses = sorted(r.status for r in responses)
    assert statuses[0] == 200 and statuses[-1] == 429
    busy = next(r for r in responses if r.status == 429)
    assert (await error_of(busy))["code"] == "busy"
    client.app[SANDBOX].close()


async def test_both_banks_are_listed_by_type(client) -> None:
    from agents.questions import SYSTEM_DESIGN

    await signup(client)
    designs = (await (await client.get("/api/questions?type=system_design")).json())["items"]
    assert [d["slug"] for d in designs] == [q.id for q in SYSTEM_DESIGN]
    assert all(d["type"] == "system_design" and d["title"] and d["summary"] for d in designs)
    both = (await (await client.get("/api/questions")).json())["items"]
    assert {i["type"] for i in both} == {"system_design", "coding"}
    assert len(both) == len(designs) + len(BANK)
    detail = await (await client.get(f"/api/questions/{designs[0]['slug']}")).json()
    assert detail["description"] == SYSTEM_DESIGN[0].text and detail["topics"]
    coding = await (await client.get(f"/api/questions/{SLUG}")).json()
    assert coding["type"] == "coding" and "**" in coding["description"]  # markdown, formatted
    assert (await client.get("/api/questions?type=behavioural")).status == 400
