"""`kill -9` of the server mid-call: the next start salvages the recording (≤ 5 s lost)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import av
import pytest

from server.live.ice import disable_loopback_only, enable_loopback_only
from tests.frames import decode_mono, dominant_hz
from tests.http.helpers import PASSWORD
from tests.peers import CandidatePeer
from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "OBJECT_"))}
    env.update(AGENT="echo", LOG_FORMAT="text")
    return subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


async def wait_healthy(http: aiohttp.ClientSession, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, "server exited"
        try:
            async with http.get("/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)


@pytest.fixture
def loopback():  # type: ignore[no-untyped-def]
    enable_loopback_only()
    yield
    disable_loopback_only()


async def test_kill_9_mid_call_loses_at_most_five_seconds(tmp_path: Path, loopback) -> None:
    port = free_port()
    data = tmp_path / "data"
    proc = start_server(data, port)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", cookie_jar=jar) as http:
        try:
            await wait_healthy(http, proc)
            resp = await http.post("/api/auth/signup", json={
                "email": "crash@example.com", "password": PASSWORD, "name": "C"})
            assert resp.status == 201
            resp = await http.post("/api/interviews", json={
                "type": "coding", "role": "SWE", "level": "mid", "company": "free_practice"})
            interview_id = (await resp.json())["id"]
            peer = CandidatePeer(freq_hz=520.0)
            await peer.connect(http, interview_id)
            await asyncio.sleep(9.0)
            call_s = peer.audio.sent_s
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            await peer.close()

            proc = start_server(data, port)
            await wait_healthy(http, proc)
            deadline = time.monotonic() + 60
            while True:
                async with http.get(f"/api/interviews/{interview_id}") as resp:
                    record = await resp.json()
                if record["has_audio"]:
                    break
                assert time.monotonic() < deadline, record
                await asyncio.sleep(0.3)
            assert record["status"] == "abandoned"
            assert record["metadata"]["end_reason"] == "server_restart"
            async with http.get(f"/api/interviews/{interview_id}/media/audio") as resp:
                assert resp.status == 200
                (tmp_path / "a.ogg").write_bytes(await resp.read())
            with av.open(str(tmp_path / "a.ogg")) as container:
                seconds = sum(f.samples for f in container.decode(audio=0)) / 48_000
            assert call_s - 5.0 <= seconds <= call_s + 0.5, (seconds, call_s)
            # The interviewer's voice (the echo agent's, 0.5 s behind) is salvaged too.
            async with http.get(f"/api/interviews/{interview_id}/media") as resp:
                media = await resp.json()
            assert media["state"] == "ready" and media["stems"]["interviewer"]
            async with http.get(media["stems"]["interviewer"]["url"]) as resp:
                assert resp.status == 200
                (tmp_path / "i.ogg").write_bytes(await resp.read())
            voice = decode_mono(tmp_path / "i.ogg")
            loud_s = (abs(voice) > 1000).sum() / 48_000
            assert call_s - 5.5 <= loud_s <= call_s, (loud_s, call_s)
            assert abs(dominant_hz(voice[-48_000:], 48_000) - 520) < 10
        finally:
            proc.terminate()
            proc.wait(20)
