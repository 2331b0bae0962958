"""Who may use the offline Live server: its per-start secret as the API key, a session cap,
and no certificate dirs left behind by earlier runs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import pytest
from google import genai
from google.genai import types

from agents.offline import OfflineLiveServer
from agents.offline.access import clean_stale_dirs
from agents.offline.server import TMP_PREFIX
from tests.agents.offline.conftest import MODEL, live_config, next_turn, say

WS_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


async def upgrade_status(server: OfflineLiveServer, **kwargs: object) -> int:
    """The HTTP status of a websocket upgrade with the given headers / query."""
    async with aiohttp.ClientSession() as http:
        try:
            ws = await http.ws_connect(server.base_url + WS_PATH,
                                       ssl=server.client_ssl_context(), **kwargs)  # type: ignore[arg-type]
        except aiohttp.WSServerHandshakeError as e:
            return e.status
        await ws.close()
        return 101


async def test_a_connection_without_the_secret_is_refused(
    live_server: OfflineLiveServer,
) -> None:
    assert len(live_server.secret) >= 32
    assert await upgrade_status(live_server) == 401
    assert await upgrade_status(live_server, headers={"x-goog-api-key": "offline"}) == 403
    assert await upgrade_status(live_server, params={"key": live_server.secret[:-1]}) == 403
    assert await upgrade_status(live_server, params={"key": live_server.secret}) == 101
    assert await upgrade_status(
        live_server, headers={"x-goog-api-key": live_server.secret}) == 101
    assert live_server.refused["key"] == 3

    wrong = genai.Client(api_key="offline", http_options=live_server.http_options())
    with pytest.raises(Exception, match="403"):
        async with wrong.aio.live.connect(model=MODEL, config=live_config()):
            pass
    assert live_server.sessions_opened == 0


async def test_the_sdk_with_the_secret_holds_a_conversation(
    live_server: OfflineLiveServer,
) -> None:
    client = live_server.genai_client()  # the secret as api key
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        await say(session, "[the candidate has joined]")
        turn = await next_turn(session)
    assert turn.audio_s > 1.0 and turn.output_text


async def test_sessions_beyond_the_cap_are_refused() -> None:
    async with OfflineLiveServer(seed=3, max_sessions=2, speech_recognition=False) as server:
        client = server.genai_client()
        config = types.LiveConnectConfig(response_modalities=["AUDIO"])
        async with AsyncExitStack() as stack:
            for _ in range(2):
                await stack.enter_async_context(client.aio.live.connect(model=MODEL,
                                                                        config=config))
            assert server.active_sessions == 2
            with pytest.raises(Exception, match="503"):
                async with client.aio.live.connect(model=MODEL, config=config):
                    pass
            assert server.refused["capacity"] == 1
            assert await upgrade_status(
                server, headers={"x-goog-api-key": server.secret}) == 503
        for _ in range(100):  # closed ones free their places
            if server.active_sessions == 0:
                break
            await asyncio.sleep(0.05)
        async with client.aio.live.connect(model=MODEL, config=config) as session:
            assert session.session_id
        assert server.sessions_opened == 3


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_dirs_of_gone_processes_are_removed(tmp_path: Path) -> None:
    gone = tmp_path / f"{TMP_PREFIX}{dead_pid()}-abc"
    running = tmp_path / f"{TMP_PREFIX}{os.getppid()}-def"
    mine = tmp_path / f"{TMP_PREFIX}{os.getpid()}-ghi"
    legacy_old = tmp_path / f"{TMP_PREFIX}k2j4h5"
    legacy_new = tmp_path / f"{TMP_PREFIX}q9w8e7"
    other = tmp_path / "something-else"
    for d in (gone, running, mine, legacy_old, legacy_new, other):
        d.mkdir()
        (d / "key.pem").write_text("secret")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(legacy_old, (day_ago, day_ago))

    removed = clean_stale_dirs(tmp_path, TMP_PREFIX)

    assert sorted(removed) == sorted([gone, legacy_old])
    assert not gone.exists() and not legacy_old.exists()
    assert running.exists() and mine.exists() and legacy_new.exists() and other.exists()


async def test_the_server_cleans_old_dirs_at_start_and_its_own_at_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / f"{TMP_PREFIX}{dead_pid()}-old"
    stale.mkdir()
    (stale / "key.pem").write_text("an old private key")
    server = OfflineLiveServer(speech_recognition=False)
    await server.start()
    try:
        assert not stale.exists()
        own = [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]
        assert len(own) == 1 and own[0].name.startswith(f"{TMP_PREFIX}{os.getpid()}-")
        assert (own[0] / "key.pem").stat().st_mode & 0o777 == 0o600
    finally:
        await server.close()
    assert not any(p.name.startswith(TMP_PREFIX) for p in tmp_path.iterdir())


async def test_speech_is_recognised_in_worker_processes(live_server: OfflineLiveServer) -> None:
    """pocketsphinx holds the GIL while it decodes: it runs in other processes, never here."""
    import gc

    from pocketsphinx import Decoder

    from tests.agents.offline.speech import silence, speech_16k, stream_pcm

    pool = live_server.asr_pool
    assert pool is not None
    pids = await pool.pids()
    assert len(pids) >= 1 and os.getpid() not in pids
    client = live_server.genai_client()
    async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
        sender = asyncio.create_task(stream_pcm(
            session, silence(300) + speech_16k("I would use Kafka as a message queue.")
            + silence(1200), chunk_ms=40, pace=3.0))
        turn = await next_turn(session)
        await sender
    assert "kafka" in turn.input_text.lower() or "queue" in turn.input_text.lower(), turn
    assert pool.decodes > 0 and pool.restarts == 0
    assert not any(isinstance(o, Decoder) for o in gc.get_objects())
    assert await pool.pids() == pids  # the same long-lived workers
