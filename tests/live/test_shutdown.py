"""Ctrl-C (or SIGTERM) of the real server mid-call: it exits on its own and prints no
traceback and no error (issue 9: "Event loop is closed" at shutdown).

The signal goes to the whole process group, as a terminal's Ctrl-C and a service manager's
stop do: the offline voice model's speech-recognition worker processes get it too."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from server.live.ice import disable_loopback_only, enable_loopback_only
from tests.http.helpers import PASSWORD
from tests.live.test_crash import ROOT, wait_healthy
from tests.peers import CandidatePeer
from tests.services import free_port

EXIT_WITHIN_S = 60


@pytest.fixture
def loopback():  # type: ignore[no-untyped-def]
    enable_loopback_only()
    yield
    disable_loopback_only()


def start_server(data_dir: Path, port: int, stderr: Path, agent: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "OBJECT_"))}
    env.update(AGENT=agent, LOG_FORMAT="text", HOST="127.0.0.1", GOOGLE_API_KEY="")
    return subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr.open("wb"),
        start_new_session=True,
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
async def test_a_signal_mid_call_shuts_down_cleanly(tmp_path: Path, loopback, sig) -> None:
    port = free_port()
    err = tmp_path / "stderr.log"
    proc = start_server(tmp_path / "data", port, err, agent="interviewer")
    jar = aiohttp.CookieJar(unsafe=True)
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", cookie_jar=jar) as http:
            await wait_healthy(http, proc)
            resp = await http.post("/api/auth/signup", json={
                "email": "bye@example.com", "password": PASSWORD, "name": "B"})
            assert resp.status == 201
            resp = await http.post("/api/interviews", json={
                "type": "system_design", "role": "SWE", "level": "mid",
                "company": "free_practice"})
            interview_id = (await resp.json())["id"]
            peer = CandidatePeer(freq_hz=300.0)
            await peer.connect(http, interview_id)
            # The interviewer is running: its voice model session is open.
            await peer.wait_event("phase", timeout_s=30)
            await asyncio.sleep(2.0)
            os.killpg(proc.pid, sig)
            started = time.monotonic()
            while proc.poll() is None:
                assert time.monotonic() - started < EXIT_WITHIN_S, "the server did not exit"
                await asyncio.sleep(0.2)
            await peer.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    stderr = err.read_text(errors="replace")
    assert "Event loop is closed" not in stderr, stderr
    assert "Traceback" not in stderr, stderr
    assert not [line for line in stderr.splitlines() if " ERROR " in line], stderr
    assert proc.returncode == 0, (proc.returncode, stderr[-3000:])
