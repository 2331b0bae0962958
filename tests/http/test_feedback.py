"""Feedback over HTTP with the real worker, the real google-genai client and our offline
judge, on SQLite and PostgreSQL: queued when an interview ends, 202 while pending, stored
with the score; retried after model errors; resumed by a restarted server; idempotent
regeneration with a rate limit; owner-only."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from server.config import Settings
from server.feedback.startup import FEEDBACK
from server.http.app import create_app
from server.state import DB
from storage.models import utcnow
from storage.queries import transcripts
from tests.agents.feedback import scripts
from tests.http.helpers import create_interview, error_of, signup

WEIGHTS = {"requirement_gathering": 0.15, "high_level_design": 0.25, "deep_dive": 0.25,
           "scalability": 0.20, "communication": 0.15}


async def talk(client, interview_id: str, answers: list[str]) -> None:  # type: ignore[no-untyped-def]
    start = utcnow()
    rows = [transcripts.NewRow(ln.seq, ln.speaker, ln.text, start + timedelta(seconds=ln.at_s))
            for ln in scripts.interleave(answers)]
    async with client.server.app[DB].begin() as s:
        await transcripts.add_rows(s, interview_id, rows)


async def finished_interview(client, answers: list[str], status: str = "completed",  # type: ignore[no-untyped-def]
                             question_id: str = "sd-rate-limiter") -> str:
    iv = await create_interview(client, question_id=question_id)
    assert iv["question_id"] == question_id and iv["question_text"]
    resp = await client.patch(f"/api/interviews/{iv['id']}/status", json={"status": "in_progress"})
    assert resp.status == 200
    await talk(client, iv["id"], answers)
    resp = await client.patch(f"/api/interviews/{iv['id']}/status", json={"status": status})
    assert resp.status == 200, await resp.text()
    return iv["id"]


async def wait_feedback(client, interview_id: str, timeout_s: float = 30) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while True:
        resp = await client.get(f"/api/interviews/{interview_id}/feedback")
        body = await resp.json()
        if resp.status == 200 and body["status"] in ("done", "failed"):
            return body
        assert resp.status == 202 and body["status"] in ("pending", "running"), body
        assert time.monotonic() < deadline, "feedback never arrived"
        await asyncio.sleep(0.2)


async def test_completed_interview_gets_feedback_and_a_score(client) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    strong = await finished_interview(client, scripts.RATE_LIMITER_STRONG)
    weak = await finished_interview(client, scripts.RATE_LIMITER_WEAK)
    first = await client.get(f"/api/interviews/{strong}/feedback")
    assert first.status == 202 and (await first.json())["status"] in ("pending", "running")

    good, poor = await wait_feedback(client, strong), await wait_feedback(client, weak)
    for fb in (good, poor):
        assert fb["status"] == "done"
        assert [r["criterion"] for r in fb["rubric"]] == list(WEIGHTS)
        expected = 2 * sum(WEIGHTS[r["criterion"]] * r["score"] for r in fb["rubric"])
        assert abs(fb["overall_score"] - expected) <= 0.05
        assert 3 <= len(fb["strengths"]) <= 5 and 3 <= len(fb["improvements"]) <= 5
    assert good["overall_score"] - poor["overall_score"] >= 2
    cited = [e for r in good["rubric"] for e in r["evidence"] if e["kind"] == "transcript"]
    assert cited and all(e["at_s"] > 0 and e["quote"] for e in cited)

    record = await (await client.get(f"/api/interviews/{strong}")).json()
    assert record["score"] == good["overall_score"]
    listed = await (await client.get("/api/interviews")).json()
    assert {i["id"]: i["score"] for i in listed["items"]}[weak] == poor["overall_score"]


async def test_abandoned_needs_material_and_failed_gets_none(client) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    short = await finished_interview(client, scripts.RATE_LIMITER_WEAK, status="abandoned")
    resp = await client.get(f"/api/interviews/{short}/feedback")
    assert resp.status == 404 and (await error_of(resp))["code"] == "feedback_not_requested"
    long = await finished_interview(client, scripts.RATE_LIMITER_STRONG, status="abandoned")
    assert (await wait_feedback(client, long))["status"] == "done"
    failed = await finished_interview(client, scripts.RATE_LIMITER_STRONG, status="failed")
    assert (await client.get(f"/api/interviews/{failed}/feedback")).status == 404
    resp = await client.post(f"/api/interviews/{failed}/feedback")
    assert resp.status == 409


async def test_someone_elses_feedback_is_not_found(client) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    mine = await finished_interview(client, scripts.RATE_LIMITER_STRONG)
    await wait_feedback(client, mine)
    await client.post("/api/auth/logout")
    await signup(client, "eve@example.com", "Eve")
    for method in (client.get, client.post):
        resp = await method(f"/api/interviews/{mine}/feedback")
        assert resp.status == 404
        assert (await error_of(resp))["code"] == "not_found"


async def test_model_errors_are_retried_with_back_off(client) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    worker = client.server.app[FEEDBACK]
    await worker.model.evaluator()  # start the offline server to arm its faults
    worker.model.offline.generate_faults.count = 2
    interview_id = await finished_interview(client, scripts.RATE_LIMITER_STRONG)
    fb = await wait_feedback(client, interview_id)
    assert fb["status"] == "done"
    assert worker.model.offline.generate_faults.calls == 3
    async with client.server.app[DB]() as s:
        from storage.queries.feedback import get_job

        job = await get_job(s, interview_id)
        assert job is not None and job.attempts == 3 and job.status == "done"


async def test_regeneration_is_idempotent_and_rate_limited(client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    interview_id = await finished_interview(client, scripts.RATE_LIMITER_STRONG)
    before = await wait_feedback(client, interview_id)
    url = f"/api/interviews/{interview_id}/feedback"
    first, again = await client.post(url), await client.post(url)  # the second joins the first
    assert first.status == again.status == 202
    after = await wait_feedback(client, interview_id)
    assert after["overall_score"] == before["overall_score"]  # same evidence, same verdict
    assert after["created_at"] > before["created_at"]
    for _ in range(settings.feedback_regenerations_per_hour - 1):
        assert (await client.post(url)).status == 202
        await wait_feedback(client, interview_id)
    resp = await client.post(url)
    assert resp.status == 429 and "Retry-After" in resp.headers


async def test_a_pending_job_completes_after_a_restart(aiohttp_client, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    api_only = await aiohttp_client(create_app(settings.model_copy(update={"feedback_workers": 0})))
    await signup(api_only)
    interview_id = await finished_interview(api_only, scripts.RATE_LIMITER_STRONG)
    resp = await api_only.get(f"/api/interviews/{interview_id}/feedback")
    assert resp.status == 202 and (await resp.json())["status"] == "pending"
    cookies = api_only.session.cookie_jar.filter_cookies(api_only.make_url("/"))
    await api_only.close()

    restarted = await aiohttp_client(create_app(settings))
    restarted.session.cookie_jar.update_cookies(cookies)
    fb = await wait_feedback(restarted, interview_id)
    assert fb["status"] == "done" and fb["overall_score"] > 5


async def test_question_id_is_validated_against_the_type(client) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    body = {"type": "coding", "role": "Backend", "level": "mid", "company": "free_practice"}
    resp = await client.post("/api/interviews", json={**body, "question_id": "sd-chat"})
    assert resp.status == 400 and "question_id" in (await error_of(resp))["message"]
    resp = await client.post("/api/interviews", json={**body, "question_id": "no-such-question"})
    assert resp.status == 400
    resp = await client.post("/api/interviews",
                             json={**body, "question_id": "pair-with-target-sum"})
    assert resp.status == 201
    assert (await resp.json())["question_id"] == "pair-with-target-sum"


async def test_timeline_puts_everything_on_the_interview_clock(client) -> None:  # type: ignore[no-untyped-def]
    await signup(client)
    interview_id = await finished_interview(client, scripts.RATE_LIMITER_WEAK)
    body = await (await client.get(f"/api/interviews/{interview_id}/timeline")).json()
    assert [ln["seq"] for ln in body["lines"]] == list(range(1, 11))
    assert [ln["at_s"] for ln in body["lines"]] == sorted(ln["at_s"] for ln in body["lines"])
    assert body["lines"][1]["text"] == scripts.RATE_LIMITER_WEAK[0]
    assert body["snapshots"] == [] and body["code"] == []
    await client.post("/api/auth/logout")
    await signup(client, "eve@example.com", "Eve")
    assert (await client.get(f"/api/interviews/{interview_id}/timeline")).status == 404
