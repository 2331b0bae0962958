"""The interviewer's presence and the pre-join check, in real Chromium against the real app:
device selects and a moving level from the fake microphone before joining, the interviewer
shown speaking while it greets and listening after, the candidate's own mic meter, a phone
layout with the controls and the answer box on screen, and a clear message when the
microphone is blocked or missing."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from server.http.app import create_app
from tests.e2e.conftest import CHROMIUM
from tests.e2e.flows import sign_up_and_start_interview
from tests.live.conftest import rtc_settings

PHONE = {"width": 390, "height": 844}
MOVING = "(el) => Number(el.dataset.level) >= 0.1"  # the fake mic's speech is well above this


@pytest.fixture(scope="module")
def silent_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("sox"), "sox is missing: run the test command (make test)"
    wav = tmp_path_factory.mktemp("quiet") / "silence.wav"
    subprocess.run(["sox", "-n", "-r", "48000", "-c", "1", "-b", "16", str(wav), "trim", "0", "5"],
                   check=True)
    return wav


@pytest.fixture
async def quiet_browser(silent_wav: Path) -> AsyncIterator[Browser]:
    """Chromium whose fake microphone is silent: the interviewer greets and then only listens."""
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={silent_wav}",
            "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection"]
    async with async_playwright() as pw:
        b = await pw.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        try:
            yield b
        finally:
            await b.close()


async def wait_moving(page: Page, test_id: str) -> None:
    await page.get_by_test_id(test_id).evaluate(
        f"""(el) => new Promise((resolve, reject) => {{
            const stuck = () => reject(new Error("level stuck at " + el.dataset.level));
            const t = setTimeout(stuck, 15000);
            const moving = {MOVING};
            const check = () => moving(el) ? (clearTimeout(t), resolve()) : setTimeout(check, 50);
            check();
        }})""")


async def new_interview(page: Page, base: str) -> str:
    api = page.context.request
    resp = await api.post(f"{base}/api/auth/signup", data={
        "email": "lin@example.com", "password": "correct horse battery", "name": "Lin"})
    assert resp.status == 201
    created = await api.post(f"{base}/api/interviews", data={
        "type": "system_design", "role": "Backend Engineer", "level": "mid",
        "company": "free_practice", "length_minutes": 30})
    assert created.status == 201, await created.text()
    return (await created.json())["id"]


async def within_viewport(page: Page, test_id: str) -> None:
    box = await page.get_by_test_id(test_id).bounding_box()
    assert box is not None, test_id
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (test_id, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (test_id, box)


async def no_horizontal_scroll(page: Page) -> None:
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


async def test_pre_join_check_then_the_mic_meter_in_the_call(aiohttp_server, tmp_path,
                                                             browser: Browser) -> None:
    server = await aiohttp_server(create_app(rtc_settings(tmp_path)))
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page()
    await sign_up_and_start_interview(page, base, "Ida", "ida@example.com")

    prejoin = page.get_by_test_id("prejoin")
    await expect(prejoin).to_have_attribute("data-status", "ready", timeout=15_000)
    assert await page.get_by_test_id("mic-select").locator("option").count() >= 1
    assert await page.get_by_test_id("camera-select").locator("option").count() >= 2  # + none
    await expect(page.get_by_test_id("prejoin-preview")).to_be_visible()
    await wait_moving(page, "prejoin-mic-level")  # the fake microphone's speech
    await page.get_by_test_id("speaker-test").click()
    await expect(page.get_by_test_id("speaker-test-hint")).to_contain_text("Heard", timeout=5_000)

    # The call opens the microphone chosen here.
    chosen = await page.get_by_test_id("mic-select").input_value()
    await expect(page.get_by_test_id("join")).to_be_enabled()
    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("conn-state")).to_have_text("connected", timeout=20_000)
    await expect(prejoin).to_have_count(0)
    used = await page.get_by_test_id("self-view").evaluate(
        "(v) => v.srcObject.getAudioTracks()[0].getSettings().deviceId")
    assert used == chosen or chosen == "default", (used, chosen)
    await wait_moving(page, "mic-level")
    # The echo agent plays the candidate's voice back: the interviewer is heard speaking.
    await expect(page.get_by_test_id("agent-activity")).to_have_attribute(
        "data-state", "speaking", timeout=15_000)
    await page.get_by_test_id("mic-toggle").click()  # muted: the meter says so and reads 0
    await expect(page.get_by_test_id("mic-level")).to_have_attribute("data-level", "0")
    await page.get_by_test_id("end").click()
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "ended",
                                                                timeout=5_000)
    await page.close()


async def test_interviewer_speaks_then_listens_on_a_phone(aiohttp_server, tmp_path,
                                                          quiet_browser: Browser) -> None:
    server = await aiohttp_server(create_app(rtc_settings(tmp_path, agent="interviewer",
                                                          segment_s=5.0)))
    base = f"http://127.0.0.1:{server.port}"
    page = await quiet_browser.new_page(viewport=PHONE)
    interview_id = await new_interview(page, base)
    await page.goto(f"{base}/interviews/{interview_id}")
    await expect(page.get_by_test_id("prejoin")).to_have_attribute("data-status", "ready",
                                                                   timeout=15_000)
    await no_horizontal_scroll(page)
    await page.get_by_test_id("join").scroll_into_view_if_needed()
    await within_viewport(page, "join")

    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("conn-state")).to_have_text("connected", timeout=20_000)
    activity = page.get_by_test_id("agent-activity")
    agent = page.get_by_test_id("captions").locator("[data-speaker=agent]")
    await expect(activity).to_have_attribute("data-state", "speaking", timeout=30_000)
    await expect(agent.first).to_be_visible(timeout=10_000)  # it is the greeting
    await expect(activity).to_have_attribute("data-state", "listening", timeout=30_000)

    # The call's controls and the answer box fit one phone screen, with no sideways scroll.
    await page.locator(".live-grid").evaluate("(el) => el.scrollIntoView({block: 'start'})")
    await page.evaluate("() => window.scrollBy(0, -70)")  # below the sticky header
    for test_id in ("end", "mic-toggle", "typed-answer", "send-typed", "agent-activity"):
        await within_viewport(page, test_id)
    await no_horizontal_scroll(page)

    # A typed answer: the interviewer thinks, then replies.
    await page.get_by_test_id("typed-answer").fill("Hi, I'm Lin. I build payment systems.")
    await page.get_by_test_id("send-typed").click()
    await expect(activity).to_have_attribute("data-state", "speaking", timeout=30_000)
    await page.get_by_test_id("end").click()
    await page.close()


DENY = """(() => {
  const fail = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
  navigator.mediaDevices.getUserMedia = fail;
})()"""
NO_DEVICE = """(() => {
  navigator.mediaDevices.getUserMedia = () =>
    Promise.reject(new DOMException("Requested device not found", "NotFoundError"));
  navigator.mediaDevices.enumerateDevices = () => Promise.resolve([]);
})()"""


@pytest.mark.parametrize(("script", "kind", "title"), [
    (DENY, "denied", "Microphone access is blocked"),
    (NO_DEVICE, "no_device", "No microphone found"),
], ids=["denied", "no-device"])
async def test_a_blocked_or_missing_microphone_is_explained(aiohttp_server, tmp_path,
                                                            quiet_browser: Browser, script: str,
                                                            kind: str, title: str) -> None:
    server = await aiohttp_server(create_app(rtc_settings(tmp_path)))
    base = f"http://127.0.0.1:{server.port}"
    context = await quiet_browser.new_context()
    await context.add_init_script(script)
    page = await context.new_page()
    interview_id = await new_interview(page, base)
    await page.goto(f"{base}/interviews/{interview_id}")
    problem = page.get_by_test_id("prejoin-error")
    await expect(problem).to_be_visible(timeout=15_000)
    await expect(problem).to_have_attribute("data-kind", kind)
    await expect(problem).to_contain_text(title)
    await expect(page.get_by_test_id("prejoin-retry")).to_be_visible()
    await expect(page.get_by_test_id("join")).to_be_disabled()  # the call needs a microphone
    await context.close()
