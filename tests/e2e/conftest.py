"""Real headless Chromium (Debian's package) driven by Playwright, with fake devices whose
microphone plays a WAV of speech made with espeak-ng and sox."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = "/usr/bin/chromium"
SPEECH = (
    "I would start with the requirements. How many users do we expect, and what is the "
    "read to write ratio? Then I would sketch the API, the storage layer and a cache."
)


def silent_wav(tmp_path_factory: pytest.TempPathFactory, seconds: float) -> Path:
    """A silent microphone for a candidate who types (48 kHz mono s16): timing then depends
    on no speech recognition. Modules override `speech_wav` with it."""
    assert shutil.which("sox"), "sox is missing: run the test command (make test)"
    wav = tmp_path_factory.mktemp("silent-wav") / "silence.wav"
    subprocess.run(["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(wav),
                    "trim", "0", str(seconds)], check=True)
    return wav


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 10 s of speech, 48 kHz mono s16: what the fake microphone plays (in a loop)."""
    for tool in ("espeak-ng", "sox"):
        assert shutil.which(tool), f"{tool} is missing: run the test command (make test)"
    out = tmp_path_factory.mktemp("wav")
    raw = out / "espeak.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), SPEECH], check=True)
    wav = out / "speech.wav"
    subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(wav),
                    "pad", "0", "0.5"], check=True)
    return wav


@pytest.fixture
async def browser(speech_wav: Path, tmp_path: Path) -> AsyncIterator[Browser]:
    assert Path(CHROMIUM).exists(), "chromium is missing: run the test command (make test)"
    args = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={speech_wav}",
        "--autoplay-policy=no-user-gesture-required",
        "--allow-loopback-in-peer-connection",
    ]
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        try:
            yield b
        finally:
            await b.close()
