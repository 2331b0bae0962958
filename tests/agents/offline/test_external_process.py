"""The production shape: the offline Live API server as its own process (`python -m
agents.offline`), and the app reaching it by configuration (LIVE_API_URL, LIVE_API_CA_FILE,
LIVE_API_KEY_FILE) through the same google-genai client it would point at Gemini."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents.interviewer import Interviewer
from server.config import ConfigError, load_settings
from server.live.startup import voice_model
from tests.agents.fake_io import FakeIO, speech_16k

ROOT = Path(__file__).resolve().parents[3]


async def start_offline_process(tmp: Path) -> tuple[asyncio.subprocess.Process, str]:
    """`python -m agents.offline` on a free loopback port; returns (process, base URL)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "agents.offline", "--port", "0", "--cert-dir", str(tmp / "certs"),
        "--secret-file", str(tmp / "secret"), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    async with asyncio.timeout(60):
        line = (await proc.stdout.readline()).decode()
    assert line.startswith("offline Live API server on https://"), line
    return proc, line.split(" on ", 1)[1].strip()


async def stop(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    async with asyncio.timeout(30):
        return await proc.wait()


@pytest.fixture
async def external(tmp_path: Path) -> AsyncIterator[str]:
    proc, url = await start_offline_process(tmp_path)
    try:
        yield url
    finally:
        assert await stop(proc) == 0  # a clean stop on SIGTERM


async def test_the_app_runs_an_interview_through_a_separate_model_process(
    external: str, tmp_path: Path
) -> None:
    settings = load_settings(
        data_dir=tmp_path / "data", live_api_url=external,
        live_api_ca_file=tmp_path / "certs" / "ca.pem",
        live_api_key_file=tmp_path / "secret",
    )
    assert settings.google_api_key.get_secret_value() == (tmp_path / "secret").read_text()
    voice = voice_model(settings)
    assert voice is not None
    io = FakeIO()
    task = asyncio.create_task(Interviewer(voice, say=voice.say, rng=random.Random(3))(io))
    try:
        await io.wait_for(lambda: [r for r in io.rows if r[0] == "agent"], 60)
        assert voice.offline is None  # no model in this process: all of it is over there
        assert io.played_s > 1.0
        await asyncio.sleep(1.5)
        io.say(speech_16k("Hi, my name is Ada. I build payment systems with Python."),
               trailing_silence_s=1.0)
        spoken = await io.wait_for(
            lambda: [text for who, text in io.rows if who == "candidate"], 30)
        assert len(spoken[0].split()) >= 3, spoken
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await voice.close()


async def test_a_restarted_model_process_keeps_its_certificate_and_key(tmp_path: Path) -> None:
    proc, _ = await start_offline_process(tmp_path)
    ca, secret = (tmp_path / "certs" / "ca.pem").read_bytes(), (tmp_path / "secret").read_text()
    assert (tmp_path / "secret").stat().st_mode & 0o077 == 0
    await stop(proc)
    proc, _ = await start_offline_process(tmp_path)
    try:
        assert (tmp_path / "certs" / "ca.pem").read_bytes() == ca
        assert (tmp_path / "secret").read_text() == secret
    finally:
        await stop(proc)


def test_an_external_endpoint_needs_https_and_a_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LIVE_API_URL"):
        load_settings(data_dir=tmp_path, live_api_url="http://127.0.0.1:1")
    with pytest.raises(ConfigError, match="needs GOOGLE_API_KEY"):
        load_settings(data_dir=tmp_path, live_api_url="https://127.0.0.1:1")
