"""A submission made during a live coding interview reaches the browser as `code.result`."""

from __future__ import annotations

from storage.seed import question_files
from tests.http.helpers import create_interview
from tests.peers import CandidatePeer


async def test_submission_result_is_pushed_to_the_live_session(rtc) -> None:
    q = next(q for q in question_files() if q["slug"] == "balanced-brackets")
    interview_id = (await create_interview(rtc, type="coding"))["id"]
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    resp = await rtc.post(f"/api/interviews/{interview_id}/submissions", json={
        "language": "python", "code": q["reference_solutions"]["python"],
        "question_slug": q["slug"]})
    assert resp.status == 201
    stored = await resp.json()
    event = await peer.wait_event("code.result")
    assert event["id"] == stored["id"]
    assert event["status"] == "accepted" and event["passed"] == event["total"]
    await peer.close()
