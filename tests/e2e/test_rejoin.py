"""Rejoin in real Chromium (issue 9): a reload mid-call asks first, then the room offers
"Rejoin"; the same interview goes on (phase, captions, transcript) and ends completed with
one recording."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from server.http.app import create_app
from tests.e2e.conftest import silent_wav
from tests.e2e.flows import api_get, sign_up_and_start_interview, type_answer, wait_until
from tests.live.conftest import rtc_settings


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A silent microphone: the candidate answers by typing in this test (48 kHz mono)."""
    return silent_wav(tmp_path_factory, 120)


async def test_reload_mid_call_then_rejoin_continues_the_same_interview(
    aiohttp_server, tmp_path, browser: Browser
) -> None:
    settings = rtc_settings(tmp_path, agent="interviewer", segment_s=5.0, rejoin_grace_s=120.0)
    server = await aiohttp_server(create_app(settings))
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page()
    interview_id = await sign_up_and_start_interview(page, base, "Ada", "ada@example.com")
    path = f"/api/interviews/{interview_id}"
    await expect(page.get_by_test_id("rejoin")).to_have_count(0)  # nothing to rejoin yet

    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "live",
                                                                timeout=20_000)
    captions = page.get_by_test_id("captions")
    await expect(captions.locator("[data-speaker=agent]").first).to_be_visible(timeout=45_000)
    await type_answer(page, "Hi, I'm Ada. I build backend services in Go.")
    await expect(page.get_by_test_id("phase")).to_have_text("interview", timeout=45_000)
    await type_answer(page, "I would put a token bucket per client in Redis.")
    await expect(captions).to_contain_text("token bucket", timeout=10_000)

    # Reload mid-call: the browser asks first (beforeunload); the interview is not over.
    asked: list[str] = []

    async def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.type)  # leave on reload; stay when the link asks
        await (dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss())

    page.on("dialog", answer)
    await page.reload()
    assert asked == ["beforeunload"]
    rejoin = page.get_by_test_id("rejoin")
    await expect(rejoin).to_be_visible(timeout=15_000)
    assert (await api_get(page, base, path))["status"] == "in_progress"

    await rejoin.click()
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "live",
                                                                timeout=30_000)
    await expect(rejoin).to_have_count(0)
    await expect(page.get_by_test_id("phase")).to_have_text("interview")
    await expect(captions).to_contain_text("token bucket")  # the conversation so far
    await expect(captions).to_contain_text("elcome back", timeout=45_000)
    await type_answer(page, "For the limits I would use a sliding window counter.")
    await expect(captions).to_contain_text("sliding window", timeout=10_000)

    # The in-app link asks too; staying keeps the call.
    await page.get_by_role("link", name="← Dashboard").click()
    await wait_until(page, lambda: _true(asked[-1] == "confirm"), 10, "the confirm")
    assert "/interviews/" in page.url
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "live")
    await page.get_by_test_id("end").click()
    await expect(page.get_by_test_id("status").first).to_have_attribute(
        "data-status", "completed", timeout=30_000)
    await expect(rejoin).to_have_count(0)  # a finished interview shows its summary, no rejoin
    record = await wait_until(page, lambda: _with_audio(page, base, path), 60, "the recording")
    assert record["status"] == "completed"
    assert set(record["metadata"]["recording"]) >= {"audio", "candidate", "interviewer"}
    rows = (await api_get(page, base, f"{path}/transcriptions"))["items"]
    texts = [r["text"] for r in rows]
    order = [next(i for i, t in enumerate(texts) if key in t)
             for key in ("token bucket", "elcome back", "sliding window")]
    assert order == sorted(order), texts
    await page.close()


async def _with_audio(page: Page, base: str, path: str) -> dict | None:
    record = await api_get(page, base, path)
    return record if record.get("has_audio") else None


async def _true(value: bool) -> bool:
    return value
