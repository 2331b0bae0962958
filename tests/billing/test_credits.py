"""Credits are spent atomically: 20 concurrent premium starts with one credit left give exactly
one 201 (SQLite and PostgreSQL); a premium interview that fails before the candidate spoke
gives its credit back, once."""

from __future__ import annotations

import asyncio

from server.live.endings import EndReason
from server.live.record import LiveRecord
from server.state import DB
from storage.models import Interview, Transcription
from storage.queries import billing as q
from tests.billing.conftest import billing, checkout, ledger_matches, pay
from tests.http.helpers import signup

BODY = {"type": "coding", "role": "SWE", "level": "mid", "company": "netflix"}


async def test_twenty_concurrent_starts_spend_the_last_credit_once(pay_client) -> None:
    user = await signup(pay_client)
    await pay(await checkout(pay_client, "credits", 3))
    for _ in range(2):
        assert (await pay_client.post("/api/interviews", json=BODY)).status == 201
    assert (await billing(pay_client))["credits"] == 1

    responses = await asyncio.gather(
        *(pay_client.post("/api/interviews", json=BODY) for _ in range(20))
    )
    statuses = sorted(r.status for r in responses)
    assert statuses == [201] + [402] * 19, statuses
    state = await billing(pay_client)
    assert state["credits"] == 0
    assert await ledger_matches(pay_client, user["id"])
    listed = await (await pay_client.get("/api/interviews?limit=50")).json()
    assert listed["total"] == 3  # the 19 refused creates left no interview behind


async def _ended(client, interview_id: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    """What a live session writes when it ends (the refund included)."""
    await LiveRecord(client.server.app[DB], interview_id).end(EndReason(reason))


async def _start(client, interview_id: str) -> None:  # type: ignore[no-untyped-def]
    resp = await client.patch(f"/api/interviews/{interview_id}/status",
                              json={"status": "in_progress"})
    assert resp.status == 200


async def test_failed_before_the_candidate_spoke_refunds_the_credit_once(pay_client) -> None:
    user = await signup(pay_client)
    await pay(await checkout(pay_client, "credits", 1))
    interview = await (await pay_client.post("/api/interviews", json=BODY)).json()
    await _start(pay_client, interview["id"])
    assert (await billing(pay_client))["credits"] == 0
    await _ended(pay_client, interview["id"], "internal_error")
    assert (await billing(pay_client))["credits"] == 1
    async with pay_client.server.app[DB].begin() as s:  # a second call refunds nothing more
        assert await q.refund_interview_credit(s, interview["id"]) is False
    assert (await billing(pay_client))["credits"] == 1
    assert await ledger_matches(pay_client, user["id"])


async def test_no_refund_once_the_candidate_spoke_or_when_it_was_not_our_fault(
    pay_client,
) -> None:
    await signup(pay_client)
    await pay(await checkout(pay_client, "credits", 2))
    spoke = await (await pay_client.post("/api/interviews", json=BODY)).json()
    left = await (await pay_client.post("/api/interviews", json=BODY)).json()
    for row in (spoke, left):
        await _start(pay_client, row["id"])
    async with pay_client.server.app[DB].begin() as s:
        s.add(Transcription(interview_id=spoke["id"], seq=0, speaker="candidate", text="hi"))
    await _ended(pay_client, spoke["id"], "internal_error")
    await _ended(pay_client, left["id"], "peer_closed")  # the candidate left: abandoned
    assert (await billing(pay_client))["credits"] == 0
    async with pay_client.server.app[DB]() as s:
        assert (await s.get(Interview, spoke["id"])).status == "failed"
        assert (await s.get(Interview, left["id"])).status == "abandoned"
