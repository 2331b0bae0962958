"""Writes the server makes to an interview record as a call goes on, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from storage.db import migrate, session_maker
from storage.models import Interview
from storage.queries import interviews, users
from storage.queries.interviews import RecordedTrack


@pytest.fixture
async def maker(engine):  # type: ignore[no-untyped-def]
    await migrate(engine)
    return session_maker(engine)


async def _interview(maker, email: str = "u@example.com") -> str:  # type: ignore[no-untyped-def]
    async with maker.begin() as s:
        user = await users.create_user(s, email, "U", "hash")
        row = await interviews.create_interview(
            s, user.id, type="coding", role="SWE", level="mid", company="google"
        )
        return row.id


async def _row(maker, interview_id: str) -> Interview:  # type: ignore[no-untyped-def]
    async with maker() as s:
        row = await s.get(Interview, interview_id)
        assert row is not None
        return row


async def test_mark_started_sets_in_progress_once_and_keeps_the_phase(maker) -> None:
    iv = await _interview(maker)
    async with maker.begin() as s:
        assert await interviews.mark_started(s, iv, "routing")
    row = await _row(maker, iv)
    assert (row.status, row.current_phase) == ("in_progress", "routing")
    started = row.started_at
    async with maker.begin() as s:
        await interviews.record_phase(s, iv, "interview", None)
        assert await interviews.mark_started(s, iv, "routing")  # a reconnect
    row = await _row(maker, iv)
    assert (row.status, row.current_phase, row.started_at) == ("in_progress", "interview", started)
    async with maker.begin() as s:
        assert not await interviews.mark_started(s, "no-such-id", "routing")


async def test_end_interview_writes_status_reason_and_detail_once(maker) -> None:
    iv = await _interview(maker)
    async with maker.begin() as s:
        await interviews.mark_started(s, iv, "routing")
        await interviews.update_status(s, iv, (await s.get(Interview, iv)).user_id,
                                       metadata={"kept": True})
    async with maker.begin() as s:
        assert await interviews.end_interview(
            s, iv, "failed", reason="agent_crashed", detail="RuntimeError: boom"
        )
    row = await _row(maker, iv)
    assert row.status == "failed" and row.completed_at is not None
    assert row.duration_seconds is not None
    assert row.user_metadata == {"kept": True}  # the client's keys live apart, untouched
    assert row.metadata_ == {"end_reason": "agent_crashed",
                             "end_detail": "RuntimeError: boom"}
    async with maker.begin() as s:  # a second ending changes nothing
        assert not await interviews.end_interview(s, iv, "completed", reason="hang_up")
    row = await _row(maker, iv)
    assert row.status == "failed" and row.metadata_["end_reason"] == "agent_crashed"


async def test_end_interview_completed_sets_the_final_phase_and_no_detail_key(maker) -> None:
    iv = await _interview(maker)
    async with maker.begin() as s:
        await interviews.mark_started(s, iv, "routing")
    async with maker.begin() as s:
        assert await interviews.end_interview(
            s, iv, "completed", reason="hang_up", final_phase="done"
        )
    row = await _row(maker, iv)
    assert (row.status, row.current_phase) == ("completed", "done")
    assert row.metadata_ == {"end_reason": "hang_up"}


async def test_end_interview_refuses_an_illegal_move_and_a_missing_row(maker) -> None:
    iv = await _interview(maker)  # still scheduled: it cannot complete or fail
    async with maker.begin() as s:
        assert not await interviews.end_interview(s, iv, "completed", reason="hang_up")
        assert not await interviews.end_interview(s, "no-such-id", "failed", reason="x")
    row = await _row(maker, iv)
    assert row.status == "scheduled" and not row.metadata_


async def test_mark_abandoned_after_restart_only_touches_interviews_in_progress(maker) -> None:
    live = await _interview(maker, "a@example.com")
    scheduled = await _interview(maker, "b@example.com")
    async with maker.begin() as s:
        await interviews.mark_started(s, live, "routing")
    async with maker.begin() as s:
        assert await interviews.mark_abandoned_after_restart(s, live, reason="server_restart")
        assert not await interviews.mark_abandoned_after_restart(
            s, scheduled, reason="server_restart"
        )
        assert not await interviews.mark_abandoned_after_restart(s, "gone", reason="x")
    row = await _row(maker, live)
    assert row.status == "abandoned" and row.metadata_ == {"end_reason": "server_restart"}
    assert (await _row(maker, scheduled)).status == "scheduled"


async def test_record_recording_stores_keys_durations_and_a_missing_duration(maker) -> None:
    iv = await _interview(maker)
    tracks = {
        "audio": RecordedTrack("interviews/x/audio.ogg", 61.2345),
        "video": RecordedTrack("interviews/x/video.webm", 60.5),
    }
    async with maker.begin() as s:
        assert await interviews.record_recording(s, iv, tracks)
        assert not await interviews.record_recording(s, "gone", tracks)
    row = await _row(maker, iv)
    assert (row.audio_key, row.video_key) == ("interviews/x/audio.ogg", "interviews/x/video.webm")
    assert row.metadata_ == {"recording": {"audio": {"duration_s": 61.234},
                                           "video": {"duration_s": 60.5}}}
    assert row.duration_seconds == 61  # never started: the recording gives the duration

    ended = await _interview(maker, "e@example.com")
    async with maker.begin() as s:
        await interviews.mark_started(s, ended, "routing")
    async with maker.begin() as s:
        await interviews.end_interview(s, ended, "abandoned", reason="idle")
    async with maker.begin() as s:
        await interviews.record_recording(s, ended, {"audio": RecordedTrack("k", 500.0)})
    row = await _row(maker, ended)
    assert row.duration_seconds == 0  # the status change measured it: kept
    assert row.metadata_ == {"end_reason": "idle", "recording": {"audio": {"duration_s": 500.0}}}


async def test_record_transcript_key(maker) -> None:
    iv = await _interview(maker)
    async with maker.begin() as s:
        assert await interviews.record_transcript_key(s, iv, "interviews/x/transcript.txt")
        assert not await interviews.record_transcript_key(s, "gone", "k")
    assert (await _row(maker, iv)).transcript_key == "interviews/x/transcript.txt"
