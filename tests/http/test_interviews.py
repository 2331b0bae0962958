"""The interview record: create, list, read, status machine, ownership, soft delete."""

from __future__ import annotations

import pytest

from tests.http.helpers import create_interview, error_of, grant_credits, signup


async def test_create_interview_is_scheduled_and_readable(client) -> None:
    user = await signup(client)
    await grant_credits(client, user["id"])
    created = await create_interview(client, company="google", type="coding", level="staff")
    assert created["status"] == "scheduled"
    assert created["premium"] is True
    assert created["started_at"] is None
    resp = await client.get(f"/api/interviews/{created['id']}")
    assert resp.status == 200
    body = await resp.json()
    assert body["company"] == "google" and body["type"] == "coding" and body["level"] == "staff"
    assert body["stats"] == {"transcript_count": 0, "snapshot_count": 0}
    assert "user_id" not in body


async def test_interview_routes_need_login(client) -> None:
    resp = await client.get("/api/interviews")
    assert resp.status == 401
    resp = await client.post("/api/interviews", json={})
    assert resp.status == 401


@pytest.mark.parametrize(
    ("field", "value"),
    [("company", "initech"), ("type", "behavioural"), ("level", "wizard"), ("role", "")],
)
async def test_unknown_values_are_400_naming_the_field(client, field: str, value: str) -> None:
    await signup(client)
    body = {"type": "coding", "role": "SWE", "level": "mid", "company": "meta", field: value}
    resp = await client.post("/api/interviews", json=body)
    assert resp.status == 400
    assert (await error_of(resp))["message"].startswith(f"{field}:")


async def test_list_is_mine_newest_first_and_paginated(client) -> None:
    await signup(client)
    ids = [(await create_interview(client, role=f"Role {i}"))["id"] for i in range(5)]
    resp = await client.get("/api/interviews?limit=2")
    page = await resp.json()
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 0
    assert [i["id"] for i in page["items"]] == ids[::-1][:2]
    page2 = await (await client.get("/api/interviews?limit=2&offset=4")).json()
    assert [i["id"] for i in page2["items"]] == [ids[0]]
    bad = await client.get("/api/interviews?limit=0")
    assert bad.status == 400
    assert (await error_of(bad))["message"].startswith("limit")


async def test_another_users_interview_is_404_and_never_leaks(client) -> None:
    await signup(client, "owner@example.com")
    mine = await create_interview(client, role="Secret Role")
    await signup(client, "intruder@example.com")  # replaces the session cookie
    for method, path, body in [
        ("GET", f"/api/interviews/{mine['id']}", None),
        ("PATCH", f"/api/interviews/{mine['id']}/status", {"status": "in_progress"}),
        ("DELETE", f"/api/interviews/{mine['id']}", None),
        ("GET", f"/api/interviews/{mine['id']}/media", None),
        ("GET", f"/api/interviews/{mine['id']}/media/audio", None),
    ]:
        resp = await client.request(method, path, json=body)
        assert resp.status == 404, (method, path)
        assert "Secret Role" not in await resp.text()
    listing = await (await client.get("/api/interviews")).json()
    assert listing["total"] == 0
    await client.post("/api/auth/login", json={"email": "owner@example.com",
                                               "password": "correct horse battery"})
    still = await (await client.get(f"/api/interviews/{mine['id']}")).json()
    assert still["status"] == "scheduled"


async def test_status_machine_fills_timestamps_and_duration(client) -> None:
    await signup(client)
    iv = await create_interview(client)
    url = f"/api/interviews/{iv['id']}/status"
    resp = await client.patch(url, json={"status": "in_progress", "phase": "intro"})
    assert resp.status == 200
    body = await resp.json()
    assert body["status"] == "in_progress" and body["current_phase"] == "intro"
    assert body["started_at"] is not None and body["completed_at"] is None
    resp = await client.patch(url, json={"phase": "interview", "metadata": {"mic": "ok"}})
    body = await resp.json()
    assert body["current_phase"] == "interview" and body["metadata"] == {"mic": "ok"}
    resp = await client.patch(url, json={"metadata": {"camera": "off"}})
    assert (await resp.json())["metadata"] == {"mic": "ok", "camera": "off"}
    resp = await client.patch(url, json={"status": "completed", "phase": "done"})
    body = await resp.json()
    assert body["status"] == "completed"
    assert body["completed_at"] is not None
    assert body["duration_seconds"] is not None and body["duration_seconds"] >= 0


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "completed"),
        ([], "failed"),
        (["in_progress"], "scheduled"),
        (["in_progress", "completed"], "in_progress"),
        (["abandoned"], "in_progress"),
        (["in_progress", "failed"], "completed"),
    ],
)
async def test_illegal_transitions_are_409_naming_both_states(
    client, path: list[str], illegal: str
) -> None:
    await signup(client)
    iv = await create_interview(client)
    url = f"/api/interviews/{iv['id']}/status"
    for status in path:
        assert (await client.patch(url, json={"status": status})).status == 200
    current = path[-1] if path else "scheduled"
    resp = await client.patch(url, json={"status": illegal})
    assert resp.status == 409
    err = await error_of(resp)
    assert err["code"] == "illegal_transition"
    assert current in err["message"] and illegal in err["message"]
    after = await (await client.get(f"/api/interviews/{iv['id']}")).json()
    assert after["status"] == current


async def test_patch_rejects_unknown_status_phase_and_fields(client) -> None:
    await signup(client)
    iv = await create_interview(client)
    url = f"/api/interviews/{iv['id']}/status"
    for body, field in [({"status": "paused"}, "status"), ({"phase": "lunch"}, "phase"),
                        ({"score": 10}, "score"), ({"metadata": [1]}, "metadata")]:
        resp = await client.patch(url, json=body)
        assert resp.status == 400
        assert (await error_of(resp))["message"].startswith(field)


async def test_soft_delete_hides_the_interview(client) -> None:
    await signup(client)
    keep = await create_interview(client)
    gone = await create_interview(client)
    resp = await client.delete(f"/api/interviews/{gone['id']}")
    assert resp.status == 204
    assert (await client.get(f"/api/interviews/{gone['id']}")).status == 404
    assert (await client.delete(f"/api/interviews/{gone['id']}")).status == 404
    listing = await (await client.get("/api/interviews")).json()
    assert [i["id"] for i in listing["items"]] == [keep["id"]]
    assert listing["total"] == 1

    from sqlalchemy import select

    from server.state import DB
    from storage.models import Interview

    async with client.app[DB]() as s:
        row = await s.scalar(select(Interview).where(Interview.id == gone["id"]))
    assert row is not None and row.deleted_at is not None


async def test_length_defaults_to_45_and_takes_30_or_60(client) -> None:
    await signup(client)
    assert (await create_interview(client))["length_minutes"] == 45
    assert (await create_interview(client, length_minutes=30))["length_minutes"] == 30
    resp = await client.post("/api/interviews", json={
        "type": "coding", "role": "SWE", "level": "mid", "company": "meta", "length_minutes": 50})
    assert resp.status == 400
    assert (await error_of(resp))["message"].startswith("length_minutes")


async def test_a_question_from_the_bank_of_the_same_type(client) -> None:
    from agents.questions import SYSTEM_DESIGN, find_question

    await signup(client)
    sd = await create_interview(client, question_id=SYSTEM_DESIGN[1].id)
    assert sd["question_id"] == SYSTEM_DESIGN[1].id
    assert sd["question_text"] == SYSTEM_DESIGN[1].text  # what the interviewer will ask
    coding = await create_interview(client, type="coding", question_id="balanced-brackets")
    assert coding["question_text"] == find_question("balanced-brackets").text
    for kind, qid in (("coding", SYSTEM_DESIGN[0].id), ("system_design", "balanced-brackets"),
                      ("coding", "no-such-question")):
        resp = await client.post("/api/interviews", json={
            "type": kind, "role": "SWE", "level": "mid", "company": "free_practice",
            "question_id": qid})
        assert resp.status == 400
        error = await error_of(resp)
        assert error["code"] == "bad_question" and qid in error["message"]
    listed = (await (await client.get("/api/interviews")).json())["items"]
    assert len(listed) == 2  # nothing was created by the refused requests
