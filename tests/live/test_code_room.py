"""The coding room over a real WebRTC call: `code.update` events, runs and submissions,
snapshots, the interview's best result, and bad input that must not end the call."""

from __future__ import annotations

import asyncio
import json
import uuid

from sqlalchemy import select

from server.live.code import MAX_CODE_BYTES
from server.state import DB
from storage.models import CodeSnapshot
from storage.seed import question_files
from tests.http.helpers import create_interview
from tests.peers import CandidatePeer

Q = next(q for q in question_files() if q["slug"] == "balanced-brackets")
WRONG = "def is_balanced(s):\n    return True\n"


async def _code(rtc, interview_id: str) -> dict:
    return await (await rtc.get(f"/api/interviews/{interview_id}/code")).json()


async def _until(check, timeout_s: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        value = await check()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.1)


async def _snapshots(rtc, interview_id: str) -> list[CodeSnapshot]:
    async with rtc.app[DB]() as s:
        query = select(CodeSnapshot).where(CodeSnapshot.interview_id == interview_id)
        rows = await s.scalars(query)
        return list(rows)


async def test_updates_runs_and_submissions(rtc) -> None:
    interview_id = (await create_interview(rtc, type="coding"))["id"]
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    for i in range(3):
        peer.send({"type": "code.update", "language": "python", "code": f"# draft {i}\n",
                   "question_slug": Q["slug"]})

    async def latest() -> dict | None:
        body = await _code(rtc, interview_id)
        return body if body["code"] == "# draft 2\n" else None

    body = await _until(latest)
    assert body["language"] == "python" and body["question_slug"] == Q["slug"]
    await _until(lambda: _snapshots(rtc, interview_id))
    await asyncio.sleep(0.3)
    assert [r.reason for r in await _snapshots(rtc, interview_id)] == ["edit"]  # one per 30 s

    resp = await rtc.post(f"/api/interviews/{interview_id}/runs", json={
        "language": "python", "code": WRONG, "question_slug": Q["slug"]})
    assert resp.status == 200, await resp.text()
    run = await resp.json()
    failing = next(t for t in run["tests"] if not t["passed"])
    assert failing["expected"] is False and failing["actual"] is True
    event = await peer.wait_event("code.result")
    assert event["kind"] == "run" and event["passed"] == run["passed"] < run["total"]

    resp = await rtc.post(f"/api/interviews/{interview_id}/submissions", json={
        "language": "python", "code": Q["reference_solutions"]["python"],
        "question_slug": Q["slug"]})
    assert resp.status == 201
    event = await peer.wait_event("code.result")
    assert event["kind"] == "submit" and event["status"] == "accepted"
    body = await _code(rtc, interview_id)
    assert body["code"] == Q["reference_solutions"]["python"].strip()  # _In strips
    assert body["best"]["status"] == "accepted" and body["best"]["language"] == "python"
    assert body["best"]["passed"] == body["best"]["total"] > 0
    reasons = [r.reason for r in await _snapshots(rtc, interview_id)]
    assert reasons == ["edit", "run", "submit"]
    await peer.close()


async def test_bad_code_updates_get_errors_and_the_call_goes_on(rtc) -> None:
    interview_id = (await create_interview(rtc, type="coding"))["id"]
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)

    peer.send({"type": "code.update", "language": "cobol", "code": "DISPLAY 'HI'."})
    error = await peer.wait_event("error")
    assert error["code"] == "invalid" and "cobol" in error["message"]

    # Over 64 KB: too large for one message, so it comes in chunks, and is refused whole.
    big = json.dumps({"type": "code.update", "language": "python",
                      "code": "x = 1\n" * (MAX_CODE_BYTES // 6 + 10)})
    ident, size = uuid.uuid4().hex, 32_000
    parts = [big[i:i + size] for i in range(0, len(big), size)]
    for seq, part in enumerate(parts):
        peer.send({"type": "chunk", "id": ident, "seq": seq, "total": len(parts), "data": part})
    error = await peer.wait_event("error")
    assert error["code"] == "too_large" and "64 KB" in error["message"]

    # A flood: the rate limit answers once, the latest accepted code is kept.
    for i in range(400):
        peer.send({"type": "code.update", "language": "java", "code": f"// {i}"})
    error = await peer.wait_event("error")
    assert error["code"] == "rate_limited"
    await asyncio.sleep(1.0)
    peer.send({"type": "ping", "id": "still-there"})
    pong = await peer.wait_event("pong")
    assert pong["id"] == "still-there"
    body = await _code(rtc, interview_id)
    assert body["language"] == "java" and body["code"].startswith("// ")
    assert len(await _snapshots(rtc, interview_id)) == 1  # not one per update
    await peer.close()


async def test_code_over_64_kb_and_unknown_language_over_http(rtc) -> None:
    interview_id = (await create_interview(rtc, type="coding"))["id"]
    url = f"/api/interviews/{interview_id}/runs"
    resp = await rtc.post(url, json={"language": "python", "code": "#" * (65 * 1024),
                                     "question_slug": Q["slug"]})
    assert resp.status == 400
    assert "64 KB" in (await resp.json())["error"]["message"]
    resp = await rtc.post(url, json={"language": "cobol", "code": "x", "question_slug": Q["slug"]})
    assert resp.status == 400
    assert (await resp.json())["error"]["code"]
