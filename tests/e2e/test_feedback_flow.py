"""After a whole interview in real Chromium (the offline interviewer, typed answers), the
feedback page fills in by itself, its evidence opens the replay at that moment, and the
dashboard shows the score."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from server.http.app import create_app
from tests.e2e.board import draw_box
from tests.e2e.flows import api_get, sign_up_and_start_interview, type_answer
from tests.live.conftest import rtc_settings

TRANSCRIPT = "/api/interviews/{}/transcriptions"
INTRO = "Hi, my name is Ada. I build backend services with Python and Postgres."
ANSWERS = [
    "Before I design anything: how many users do we expect, and what latency and "
    "availability targets do we have? Is it read heavy?",
    "Assume 10 million daily users and about 20 thousand requests per second at peak. First, "
    "clients reach stateless services behind a load balancer, then data goes to a sharded "
    "database with a Redis cache in front for the hot reads.",
    "Writes go through a Kafka queue to workers, so the request path stays fast; the trade-off "
    "is eventual consistency instead of strong consistency.",
    "If a node fails, replicas take over and clients retry with back-off; the first "
    "bottleneck at 10x is the database, so we partition by user id.",
]


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Silence, one spoken introduction, then a long silence (48 kHz mono)."""
    for tool in ("espeak-ng", "sox"):
        assert shutil.which(tool), f"{tool} is missing: run the test command (make test)"
    out = tmp_path_factory.mktemp("feedback-wav")
    raw = out / "intro.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), INTRO], check=True)
    wav = out / "interview.wav"
    subprocess.run(["sox", str(raw), "-r", "48000", "-c", "1", "-b", "16", str(wav),
                    "pad", "15", "120"], check=True)
    return wav


async def question_asked(page, base: str, interview_id: str) -> None:  # type: ignore[no-untyped-def]
    """After the spoken introduction: a thank-you, then the question."""
    deadline = time.monotonic() + 45
    while True:
        rows = (await api_get(page, base, TRANSCRIPT.format(interview_id)))["items"]
        first = next((i for i, r in enumerate(rows) if r["speaker"] == "candidate"), None)
        if first is not None and sum(r["speaker"] == "agent" for r in rows[first + 1:]) >= 2:
            return
        assert time.monotonic() < deadline, f"the question never came: {rows}"
        await page.wait_for_timeout(300)


async def replied(page, base: str, interview_id: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Wait for the interviewer's answer to a typed line (it replies turn by turn)."""
    deadline = time.monotonic() + 45
    while True:
        rows = (await api_get(page, base, TRANSCRIPT.format(interview_id)))["items"]
        index = next((i for i, r in enumerate(rows) if r["text"] == typed), None)
        if index is not None and any(r["speaker"] == "agent" for r in rows[index + 1:]):
            return
        assert time.monotonic() < deadline, f"no reply to {typed!r}"
        await page.wait_for_timeout(300)


async def test_feedback_fills_in_and_evidence_seeks_the_replay(aiohttp_server, tmp_path,
                                                              browser: Browser) -> None:
    server = await aiohttp_server(create_app(rtc_settings(tmp_path, agent="interviewer",
                                                          segment_s=5.0)))
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page(viewport={"width": 1366, "height": 900})
    interview_id = await sign_up_and_start_interview(page, base, "Ada", "ada@example.com")

    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("conn-state")).to_have_text("connected", timeout=20_000)
    await expect(page.get_by_test_id("phase")).to_have_text("interview", timeout=60_000)
    await question_asked(page, base, interview_id)
    await expect(page.get_by_test_id("question-card")).to_be_visible(timeout=10_000)
    board = page.get_by_test_id("whiteboard")
    for i, answer in enumerate([*ANSWERS, "That's all, I'm done."]):
        if i in (1, 3):  # a box drawn with the second answer, another with the fourth
            await board.locator(".board-canvas").scroll_into_view_if_needed()
            area = await board.locator(".board-canvas").bounding_box()
            assert area is not None
            await draw_box(page, area["x"] + 380 + 200 * (i // 2), area["y"] + 160,
                           ["Load balancer", "Postgres"][i // 2])
            await expect(page.get_by_test_id("board-status")).to_have_attribute(
                "data-state", "saved", timeout=30_000)
        await type_answer(page, answer)
        await replied(page, base, interview_id, answer)
    await expect(page.get_by_test_id("phase")).to_have_text("closing", timeout=30_000)
    await type_answer(page, "No questions, thanks.")
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "ended",
                                                                timeout=90_000)

    # Straight to the feedback page after the hang-up: it fills in without a reload.
    await page.get_by_test_id("open-feedback").click()
    await page.wait_for_url(f"**/interviews/{interview_id}/feedback")
    feedback = page.get_by_test_id("feedback")
    await expect(feedback).to_be_visible(timeout=60_000)
    await expect(page.get_by_test_id("overall-score")).to_contain_text("/ 10")
    await expect(page.get_by_test_id("score-chart").locator("svg").first).to_be_visible()
    assert await page.get_by_test_id("strengths").locator("li").count() >= 3
    assert await page.get_by_test_id("improvements").locator("li").count() >= 3
    fb = await api_get(page, base, f"/api/interviews/{interview_id}/feedback")
    assert fb["status"] == "done"
    shown = float((await page.get_by_test_id("overall-score").inner_text()).split("/")[0])
    assert abs(shown - fb["overall_score"]) < 0.05

    # The recording is stored by now (or soon); then an evidence item opens the replay there.
    deadline = time.monotonic() + 60
    while not (await api_get(page, base, f"/api/interviews/{interview_id}"))["has_audio"]:
        assert time.monotonic() < deadline, "the recording never arrived"
        await page.wait_for_timeout(500)
    items = page.get_by_test_id("evidence-item")
    at = [float(await items.nth(i).get_attribute("data-at") or 0)
          for i in range(await items.count())]
    pick = max(range(len(at)), key=lambda i: at[i])  # a line well into the interview
    target = at[pick]
    assert target > 5
    await items.nth(pick).click()
    await page.wait_for_url(f"**/interviews/{interview_id}/replay?t=*")
    player = page.get_by_test_id("replay-player")
    await expect(player).to_be_attached(timeout=15_000)
    await page.wait_for_function(
        """(t) => { const p = document.querySelector('[data-testid=replay-player]');
                    return p && p.readyState >= 1 && Math.abs(p.currentTime - t) <= 1; }""",
        arg=target, timeout=20_000)
    current = page.locator("[data-testid=replay-line][aria-current=true]")
    await expect(current).to_have_count(1)
    assert abs(float(await current.get_attribute("data-at") or 0) - target) <= 1

    # The whiteboard strip holds every stored snapshot; a thumbnail seeks to its moment.
    stored = (await api_get(page, base, f"/api/interviews/{interview_id}/canvas-snapshots"))
    snapshots = (await api_get(page, base, f"/api/interviews/{interview_id}/timeline"))[
        "snapshots"]
    assert [s["seq"] for s in snapshots] == [s["seq"] for s in stored["items"]]
    assert len(snapshots) >= 2
    thumbs = page.get_by_test_id("board-thumb")
    await expect(thumbs).to_have_count(len(snapshots))
    await thumbs.first.click()
    await page.wait_for_function(
        """(t) => Math.abs(document.querySelector('[data-testid=replay-player]').currentTime - t)
                  <= 1""", arg=snapshots[0]["at_s"], timeout=10_000)
    await expect(page.get_by_test_id("board-image")).to_have_attribute(
        "alt", f"Whiteboard snapshot {snapshots[0]['seq']}")

    # Clicking a transcript line seeks too.
    first = page.get_by_test_id("replay-line").nth(1)
    first_at = float(await first.get_attribute("data-at") or 0)
    await first.click()
    await page.wait_for_function(
        """(t) => Math.abs(document.querySelector('[data-testid=replay-player]').currentTime - t)
                  <= 1""", arg=first_at, timeout=10_000)

    # The dashboard lists the interview with its score.
    await page.goto(f"{base}/")
    await expect(page.get_by_test_id("interview-score").first).to_contain_text(
        f"{fb['overall_score']:.1f}")
    await page.close()
