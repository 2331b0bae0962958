"""Deleting an interview during its call ends the call and still keeps its recording."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from server.state import DB, OBJECTS, SESSIONS
from storage.models import Interview
from tests.live.conftest import new_interview
from tests.peers import CandidatePeer


async def test_delete_during_the_call_ends_it_and_keeps_the_recording(rtc) -> None:
    manager = rtc.app[SESSIONS]
    interview_id = await new_interview(rtc)
    peer = CandidatePeer()
    await peer.connect(rtc, interview_id)
    session = manager.live[interview_id]
    await asyncio.sleep(2.0)  # some audio and video recorded

    resp = await rtc.delete(f"/api/interviews/{interview_id}")
    assert resp.status == 204
    assert session.ended.is_set() and interview_id not in manager.live
    assert session.end_reason == "deleted"
    assert (await rtc.get(f"/api/interviews/{interview_id}")).status == 404
    again = CandidatePeer(video=False)
    resp = await rtc.post(f"/api/interviews/{interview_id}/offer", json=await again.make_offer())
    assert resp.status == 404  # no new call on a deleted interview
    await again.close()

    row = None
    for _ in range(150):  # the shipper uploads after the session ends
        async with rtc.app[DB]() as s:
            row = await s.scalar(select(Interview).where(Interview.id == interview_id))
        if row is not None and row.audio_key and row.video_key:
            break
        await asyncio.sleep(0.1)
    assert row is not None and row.deleted_at is not None
    assert row.status == "abandoned" and row.metadata_["end_reason"] == "deleted"
    assert row.audio_key == f"interviews/{interview_id}/audio.ogg"
    info = await rtc.app[OBJECTS].stat(row.audio_key)
    assert info.size > 1000
    assert row.metadata_["recording"]["audio"]["duration_s"] > 1.0
    for _ in range(100):  # the server closed the peer connection
        if peer.pc.connectionState in ("closed", "failed"):
            break
        await asyncio.sleep(0.1)
    assert peer.pc.connectionState in ("closed", "failed")
    await peer.close()
