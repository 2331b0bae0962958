"""Canvas snapshot rows and expert reviews against SQLite and PostgreSQL: the count moves
with the rows in one transaction, the list is in order, a rolled-back insert leaves both."""

from __future__ import annotations

import pytest

from storage import NotFound
from storage.db import migrate, session_maker
from storage.models import Interview
from storage.queries import canvas, interviews, users


@pytest.fixture
async def maker(engine):  # type: ignore[no-untyped-def]
    await migrate(engine)
    return session_maker(engine)


def snap(seq: int, interview_id: str) -> canvas.NewSnapshot:
    return canvas.NewSnapshot(
        object_key=canvas.snapshot_key(interview_id, seq), elements=[{"id": f"e{seq}"}],
        app_state={"scrollX": 0}, offset_s=seq * 2.5, width=800, height=600,
        sha256=f"{seq:064x}", scene_hash=f"{seq + 100:064x}",
    )


async def test_snapshots_count_list_latest_and_reviews(maker) -> None:
    async with maker.begin() as s:
        user = await users.create_user(s, "c@example.com", "C", "hash")
        row = await interviews.create_interview(
            s, user.id, type="system_design", role="SWE", level="mid", company="google")
    iid = row.id
    for seq in (1, 2, 3):
        async with maker.begin() as s:
            assert await canvas.next_seq(s, iid) == seq
            await canvas.add_snapshot(s, iid, seq, snap(seq, iid))
    with pytest.raises(RuntimeError):
        async with maker.begin() as s:
            await canvas.add_snapshot(s, iid, 4, snap(4, iid))
            raise RuntimeError("crash before commit")
    async with maker() as s:
        got = await canvas.list_snapshots(s, iid)
        assert [(r.seq, r.object_key, r.offset_s) for r in got] == [
            (i, f"interviews/{iid}/canvas/{i}.png", i * 2.5) for i in (1, 2, 3)]
        assert (await s.get(Interview, iid)).canvas_snapshot_count == 3
        assert (await interviews.interview_stats(s, iid)).snapshot_count == 3
        latest = await canvas.latest_snapshot(s, iid)
        assert latest is not None and latest.seq == 3 and latest.elements == [{"id": "e3"}]
        with pytest.raises(NotFound):
            await canvas.get_snapshot(s, iid, 9)
    async with maker.begin() as s:
        await canvas.add_review(s, iid, company="google", expert="G", question="q?",
                                snapshot_seq=3, review={"risks": ["one Postgres"]})
    async with maker() as s:
        reviews = await canvas.list_reviews(s, iid)
        assert [(r.snapshot_seq, r.review) for r in reviews] == [(3, {"risks": ["one Postgres"]})]
