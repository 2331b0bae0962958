"""Query functions against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import Conflict, IllegalTransition, NotFound
from storage.db import migrate, session_maker
from storage.models import Transcription, utcnow
from storage.queries import interviews, users


@pytest.fixture
async def maker(engine):  # type: ignore[no-untyped-def]
    await migrate(engine)
    return session_maker(engine)


async def _user(maker, email: str = "u@example.com"):  # type: ignore[no-untyped-def]
    async with maker.begin() as s:
        return await users.create_user(s, email, "U", "hash")


async def test_duplicate_email_conflicts(maker) -> None:
    await _user(maker)
    with pytest.raises(Conflict):
        await _user(maker)


async def test_sessions_expire(maker) -> None:
    user = await _user(maker)
    async with maker.begin() as s:
        await users.create_auth_session(s, "live", user.id, utcnow() + timedelta(hours=1))
        await users.create_auth_session(s, "old", user.id, utcnow() - timedelta(seconds=1))
    async with maker() as s:
        assert (await users.user_for_session(s, "live")).id == user.id
        assert await users.user_for_session(s, "old") is None
    async with maker.begin() as s:
        assert await users.purge_expired_sessions(s) == 1


async def test_interview_lifecycle_and_ownership(maker) -> None:
    owner = await _user(maker, "owner@example.com")
    other = await _user(maker, "other@example.com")
    async with maker.begin() as s:
        iv = await interviews.create_interview(
            s, owner.id, type="coding", role="SWE", level="mid", company="google"
        )
    async with maker() as s:
        with pytest.raises(NotFound):
            await interviews.get_interview(s, iv.id, other.id)
    async with maker.begin() as s:
        row = await interviews.update_status(s, iv.id, owner.id, status="in_progress",
                                             phase="routing", metadata={"a": 1})
        assert row.started_at is not None
    async with maker.begin() as s:
        row = await interviews.update_status(s, iv.id, owner.id, status="abandoned")
        assert row.completed_at is not None and row.duration_seconds is not None
    async with maker.begin() as s:
        with pytest.raises(IllegalTransition):
            await interviews.update_status(s, iv.id, owner.id, status="in_progress")
    async with maker() as s:
        row = await interviews.get_interview(s, iv.id, owner.id)
        assert row.status == "abandoned"
        assert row.user_metadata == {"a": 1} and row.metadata_ is None
        assert row.started_at.tzinfo is not None


async def test_stats_count_transcripts_and_listing_excludes_deleted(maker) -> None:
    owner = await _user(maker)
    async with maker.begin() as s:
        a = await interviews.create_interview(
            s, owner.id, type="system_design", role="SWE", level="mid", company="meta"
        )
        b = await interviews.create_interview(
            s, owner.id, type="system_design", role="SWE", level="mid", company="meta"
        )
        s.add_all([
            Transcription(interview_id=a.id, seq=i, speaker="candidate", text=f"t{i}")
            for i in range(3)
        ])
    async with maker() as s:
        stats = await interviews.interview_stats(s, a.id)
        assert (stats.transcript_count, stats.snapshot_count) == (3, 0)
    async with maker.begin() as s:
        await interviews.soft_delete_interview(s, b.id, owner.id)
    async with maker() as s:
        rows, total = await interviews.list_interviews(s, owner.id, limit=10, offset=0)
        assert [r.id for r in rows] == [a.id] and total == 1
