"""A whole interview in real Chromium with the app's default interviewer (ADK `run_live`
against the offline Live API server): the interviewer greets first and is heard, the
candidate answers by voice (the fake microphone) and by typing, the phases advance, and the
interview completes by itself with its transcript and recording stored."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from server.http.app import create_app
from tests.e2e.flows import (
    inbound_audio,
    sign_up_and_start_interview,
    track_peer_connections,
    type_answer,
    wait_until,
)
from tests.live.conftest import rtc_settings

INTRO = "Hi, my name is Ada. I build backend services with Python and Postgres."
LEAD_SILENCE_S = 15  # the greeting plays first
TAIL_SILENCE_S = 90  # the file loops: no second introduction within the test


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Overrides the looping speech of tests/e2e/conftest.py: silence, one spoken
    introduction, then a long silence, so the candidate's turn ends (48 kHz mono)."""
    for tool in ("espeak-ng", "sox"):
        assert shutil.which(tool), f"{tool} is missing: run the test command (make test)"
    out = tmp_path_factory.mktemp("interview-wav")
    raw = out / "intro.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), INTRO], check=True)
    wav = out / "interview.wav"
    subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(wav),
                    "pad", str(LEAD_SILENCE_S), str(TAIL_SILENCE_S)], check=True)
    return wav


async def inbound_audio_energy(page: Page) -> float:
    return await inbound_audio(page, "totalAudioEnergy")


async def rows(page: Page, base: str, interview_id: str) -> list[dict]:
    resp = await page.context.request.get(f"{base}/api/interviews/{interview_id}/transcriptions")
    return (await resp.json())["items"]


async def record(page: Page, base: str, interview_id: str) -> dict:
    return await (await page.context.request.get(f"{base}/api/interviews/{interview_id}")).json()




async def test_an_interview_from_greeting_to_completion(aiohttp_server, tmp_path,
                                                        browser: Browser) -> None:
    server = await aiohttp_server(create_app(rtc_settings(tmp_path, agent="interviewer",
                                                          segment_s=5.0)))
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page()
    await track_peer_connections(page)

    interview_id = await sign_up_and_start_interview(page, base, "Ada", "ada@example.com")
    await expect(page.get_by_test_id("typed-answer")).to_be_disabled()

    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("conn-state")).to_have_text("connected", timeout=20_000)
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "live")

    # The interviewer speaks first: its voice reaches the browser and its words are captioned.
    captions = page.get_by_test_id("captions")
    # (a liveness bound: the first call starts ADK and the offline server's models, which
    # takes 15-20 s on a busy 2-core machine; speed is measured in evals/, not here)
    await expect(captions.locator("[data-speaker=agent]").first).to_be_visible(timeout=45_000)
    energy = await wait_until(page, lambda: _above(inbound_audio_energy(page), 0.01), 15,
                              "the greeting's audio")
    assert energy > 0.01
    await expect(page.get_by_test_id("phase")).to_have_text("intro", timeout=5_000)

    # The microphone introduces the candidate: a stored candidate row, then the question.
    await expect(page.get_by_test_id("phase")).to_have_text("interview", timeout=45_000)
    spoken = [r for r in await rows(page, base, interview_id) if r["speaker"] == "candidate"]
    assert spoken and len(spoken[0]["text"].split()) >= 3, spoken
    await wait_until(page, lambda: _agent_rows_after(page, base, interview_id, spoken[0], 2),
                     30, "the question")  # a thank-you, then the question

    # A typed answer gets a reply.
    await type_answer(page, "I would keep the hot links in Redis in front of the database.")
    typed_reply = await wait_until(page, lambda: _reply_after(page, base, interview_id,
                                                              "Redis in front"), 30,
                                   "a reply to the typed answer")
    assert typed_reply["speaker"] == "agent"

    # Wrapping up by typing; the interviewer says goodbye and ends the interview itself.
    await type_answer(page, "That's all, I'm done.")
    await expect(page.get_by_test_id("phase")).to_have_text("closing", timeout=30_000)
    await type_answer(page, "No questions, thanks.")
    final = await wait_until(page, lambda: _status(page, base, interview_id, "completed"), 60,
                             "the interview to complete")
    assert final["current_phase"] == "done"
    history = [h["phase"] for h in final["session_state"]["phase_history"]]
    assert history == ["intro", "interview", "closing", "done"]
    assert "PostgreSQL" in final["session_state"]["memory"]["technologies"] or \
        "Redis" in final["session_state"]["memory"]["technologies"]

    items = await rows(page, base, interview_id)
    assert items[0]["speaker"] == "agent"
    assert [r["seq"] for r in items] == sorted(r["seq"] for r in items)
    texts = [(r["speaker"], r["text"]) for r in items]
    typed = [t for s, t in texts if s == "candidate"][-3:]
    assert typed == ["I would keep the hot links in Redis in front of the database.",
                     "That's all, I'm done.", "No questions, thanks."]
    assert texts[-1][0] == "agent"  # the goodbye

    done = await wait_until(page, lambda: _has_audio(page, base, interview_id), 60,
                            "the recording")
    assert done["has_audio"] and done["duration_seconds"] > 10
    # The browser left when the server hung up after the goodbye: the room shows the summary.
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "ended",
                                                                timeout=15_000)
    await expect(page.get_by_test_id("status").first).to_have_attribute("data-status", "completed",
                                                                  timeout=15_000)
    await expect(page.get_by_test_id("summary")).to_be_visible()
    await page.close()


async def _above(energy_coro, threshold: float) -> float | None:  # type: ignore[no-untyped-def]
    energy = await energy_coro
    return energy if energy > threshold else None


async def _reply_after(page: Page, base: str, interview_id: str, typed: str) -> dict | None:
    items = await rows(page, base, interview_id)
    index = next((i for i, r in enumerate(items) if typed in r["text"]), None)
    if index is None:
        return None
    return next((r for r in items[index + 1:] if r["speaker"] == "agent"), None)


async def _agent_rows_after(page: Page, base: str, interview_id: str, row: dict,
                            count: int) -> bool:
    items = await rows(page, base, interview_id)
    return sum(r["speaker"] == "agent" and r["seq"] > row["seq"] for r in items) >= count


async def _status(page: Page, base: str, interview_id: str, status: str) -> dict | None:
    r = await record(page, base, interview_id)
    return r if r["status"] == status else None


async def _has_audio(page: Page, base: str, interview_id: str) -> dict | None:
    r = await record(page, base, interview_id)
    return r if r["has_audio"] else None
