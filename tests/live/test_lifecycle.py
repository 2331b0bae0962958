"""How sessions end: idle, server shutdown; and that 100 of them leave nothing behind."""

from __future__ import annotations

import asyncio
import os
import threading

from sqlalchemy import select

from server.http.app import create_app
from server.state import SESSIONS
from storage.db import create_engine
from storage.models import Interview
from tests.http.helpers import signup
from tests.live.conftest import new_interview, rtc_settings, wait_for_record
from tests.peers import CandidatePeer


async def test_silent_peer_times_out_as_idle(aiohttp_client, tmp_path) -> None:
    client = await aiohttp_client(create_app(rtc_settings(tmp_path, idle_timeout_s=1.5)))
    await signup(client)
    interview_id = await new_interview(client)
    peer = CandidatePeer(video=False)
    await peer.connect(client, interview_id)
    await asyncio.sleep(1.0)
    sender = next(s for s in peer.pc.getSenders() if s.track is peer.audio)
    sender.replaceTrack(None)  # the microphone stops sending; the connection stays up
    record = await wait_for_record(client, interview_id, lambda r: r["status"] != "in_progress")
    assert record["status"] == "abandoned"
    assert record["metadata"]["end_reason"] == "idle"
    await peer.close()


async def test_server_shutdown_finalises_live_recordings(aiohttp_client, tmp_path) -> None:
    settings = rtc_settings(tmp_path)
    client = await aiohttp_client(create_app(settings))
    await signup(client)
    interview_id = await new_interview(client)
    peer = CandidatePeer()
    await peer.connect(client, interview_id)
    await asyncio.sleep(2.0)
    await client.close()  # stops the app: sessions close first, recordings are finalised
    await peer.close()
    engine = create_engine(settings.database_url)
    async with engine.connect() as conn:
        row = (await conn.execute(select(Interview).where(Interview.id == interview_id))).one()
    await engine.dispose()
    assert row.status == "abandoned"
    assert row.audio_key == f"interviews/{interview_id}/audio.ogg"
    assert row.video_key == f"interviews/{interview_id}/video.webm"
    assert (settings.data_dir / "objects" / row.audio_key).stat().st_size > 1000


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_a_hundred_sessions_leave_no_tasks_threads_or_files(rtc) -> None:
    manager = rtc.app[SESSIONS]

    async def one_call() -> None:
        interview_id = await new_interview(rtc)
        peer = CandidatePeer(video=False)
        await peer.connect(rtc, interview_id)
        session = manager.live[interview_id]
        peer.send({"type": "session.end"})
        await asyncio.wait_for(session.ended.wait(), 10)
        await peer.close()

    for _ in range(5):  # warm up pools, caches and the executor
        await one_call()
    await asyncio.sleep(1.0)
    tasks, fds = len(asyncio.all_tasks()), _open_fds()
    threads = set(threading.enumerate())
    ended = manager.ended_count
    for _ in range(100):
        await one_call()
    spool = manager.shipper.spool_root
    for _ in range(300):  # let finalisations finish (slow on a loaded machine)
        if not list(spool.iterdir()) and len(asyncio.all_tasks()) <= tasks + 2:
            break
        await asyncio.sleep(0.1)
    assert manager.ended_count == ended + 100
    assert len(asyncio.all_tasks()) <= tasks + 2
    # Bounded pools may still grow a worker or two when calls overlap on a busy machine; a
    # leak would be one thread (or more) per session: a hundred.
    new_threads = [t.name for t in set(threading.enumerate()) - threads]
    assert len(new_threads) <= 4, new_threads
    assert _open_fds() <= fds + 5
    assert list(spool.iterdir()) == []
