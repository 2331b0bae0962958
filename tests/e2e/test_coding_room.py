"""A coding interview in real Chromium with the app's default interviewer (ADK `run_live`
against the offline Live API server): the candidate types a wrong solution into Monaco with
the keyboard, runs it and sees the failing test's expected and actual values, fixes it and
submits, all tests pass, the interviewer's next line asks about complexity, and a reload
brings the code back. No request leaves the machine (Monaco is bundled, not fetched)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.async_api import Browser, Page, expect

from server.http.app import create_app
from server.state import DB
from storage.queries import interviews
from storage.seed import question_files
from tests.e2e.conftest import silent_wav
from tests.e2e.flows import sign_up_and_start_interview
from tests.live.conftest import rtc_settings

Q = next(q for q in question_files() if q["slug"] == "balanced-brackets")
WRONG_JS = "function isBalanced(s) {\nreturn s.length % 2 === 0;\n}"
RIGHT_JS = (  # char codes: no brackets inside strings to trip the editor's bracket typing
    "function isBalanced(s) {\n"
    "const opens = [40, 91, 123];\n"
    "const closes = [41, 93, 125];\n"
    "const stack = [];\n"
    "for (let i = 0; i < s.length; i++) {\n"
    "const c = s.charCodeAt(i);\n"
    "if (opens.includes(c)) stack.push(closes[opens.indexOf(c)]);\n"
    "else if (closes.includes(c) && stack.pop() !== c) return false;\n"
    "}\n"
    "return stack.length === 0;\n"
    "}"
)


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A silent microphone: the candidate talks by typing in this test (48 kHz mono)."""
    return silent_wav(tmp_path_factory, 120)


async def type_code(page: Page, code: str) -> None:
    """Replace the editor's content by typing, key by key."""
    await page.locator(".monaco-editor .view-lines").click()
    await page.keyboard.press("Control+A")
    await page.keyboard.press("Delete")
    # At a typist's pace: a burst of key events with no gap can outrun the editor on a busy
    # machine (dropped characters), which no person at a keyboard would produce.
    await page.keyboard.type(code, delay=25)
    await expect(page.locator(".monaco-editor .view-lines")).to_contain_text(
        code.splitlines()[-2].strip())


async def type_answer(page: Page, text: str) -> None:
    await page.get_by_test_id("typed-answer").fill(text)
    await page.get_by_test_id("send-typed").click()
    await expect(page.get_by_test_id("typed-answer")).to_have_value("")


async def test_a_coding_interview_in_the_browser(aiohttp_server, tmp_path,
                                                 browser: Browser) -> None:
    app = create_app(rtc_settings(tmp_path, agent="interviewer", segment_s=5.0,
                                  rejoin_grace_s=120.0))
    server = await aiohttp_server(app)
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page()
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname or r.url.split(":")[0]))

    await sign_up_and_start_interview(page, base, "Ada", "ada-coding@example.com")
    resp = await page.context.request.post(f"{base}/api/interviews", data={
        "type": "coding", "role": "Backend Engineer", "level": "mid",
        "company": "free_practice"})
    assert resp.ok, await resp.text()
    interview_id = (await resp.json())["id"]
    async with app[DB].begin() as s:  # a known question instead of a random pick
        await interviews.record_question(s, interview_id, Q["slug"], Q["title"])
    await page.goto(f"{base}/interviews/{interview_id}")

    await expect(page.get_by_test_id("question-title")).to_have_text(Q["title"], timeout=20_000)
    await expect(page.locator(".monaco-editor")).to_be_visible(timeout=30_000)
    await page.get_by_test_id("language").select_option("javascript")
    await expect(page.locator(".monaco-editor .view-lines")).to_contain_text("isBalanced")

    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("conn-state")).to_have_text("connected", timeout=30_000)
    captions = page.get_by_test_id("captions")
    await expect(captions.locator("[data-speaker=agent]").first).to_be_visible(timeout=30_000)
    await page.get_by_test_id("show-hint").click()  # recorded through the call
    await expect(page.get_by_test_id("hint-0")).to_contain_text(Q["hints"][0][:30])
    await type_answer(page, "Hi, I'm Ada. I write backend services in Python and JavaScript.")
    await expect(page.get_by_test_id("phase")).to_have_text("interview", timeout=45_000)

    # A wrong solution, typed; Run shows the failing test with expected vs actual.
    await type_code(page, WRONG_JS)
    await page.get_by_test_id("run").click()
    results = page.get_by_test_id("results")
    await expect(results).to_have_attribute("data-status", "wrong_answer", timeout=60_000)
    failing = results.locator("[data-passed=false]").first
    await expect(failing).to_be_visible()
    index = (await failing.get_attribute("data-testid")).split("-")[1]
    expected = Q["visible_tests"][int(index)]["expected"]
    await expect(failing.get_by_test_id(f"expected-{index}")).to_have_text(str(expected).lower())
    await expect(failing.get_by_test_id(f"actual-{index}")).to_have_text(str(not expected).lower())

    # Fixed and submitted: every test passes and the interviewer asks about complexity.
    await type_code(page, RIGHT_JS)
    await page.get_by_test_id("submit").click()
    await expect(results).to_have_attribute("data-status", "accepted", timeout=60_000)
    total = len(Q["visible_tests"]) + len(Q["hidden_tests"])
    await expect(page.get_by_test_id("results-summary")).to_contain_text(f"{total}/{total}")
    await expect(captions.locator("[data-speaker=agent]").filter(has_text="complexity")
                 ).to_be_visible(timeout=45_000)

    record = await (await page.context.request.get(f"{base}/api/interviews/{interview_id}")).json()
    best = record["metadata"]["code"]["best"]
    assert best["status"] == "accepted" and best["language"] == "javascript"
    assert best["passed"] == best["total"] == total
    assert record["metadata"]["code"]["hints_taken"] == 1

    # A reload mid-call (issue 9): the browser asks first, the room offers "Rejoin", and the
    # editor comes back with the code, in its language; the call goes on.
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await page.reload()
    await expect(page.locator(".monaco-editor .view-lines")).to_contain_text(
        "stack.length === 0", timeout=30_000)
    await expect(page.get_by_test_id("language")).to_have_value("javascript")
    await page.get_by_test_id("rejoin").click()
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "live",
                                                                timeout=30_000)
    await expect(page.get_by_test_id("phase")).to_have_text("interview")
    await expect(page.locator(".monaco-editor .view-lines")).to_contain_text("stack.length === 0")
    latest = await (await page.context.request.get(
        f"{base}/api/interviews/{interview_id}/code")).json()
    assert "stack.length === 0" in json.dumps(latest), latest
    assert hosts == {"127.0.0.1"}, hosts  # nothing fetched from a CDN
    await page.close()
