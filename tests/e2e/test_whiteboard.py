"""The whiteboard in real Chromium: the candidate draws two labelled boxes and an arrow in
the real Excalidraw of a running interview (mouse and keyboard); the server stores a snapshot
whose PNG decodes and whose sha256 equals what the browser sent; the count and the list
agree; the offline interviewer's next question names a box; a reload restores the drawing;
nothing is fetched from outside the server."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from server.http.app import create_app
from tests.canvas_data import decode_png
from tests.e2e.board import draw_box, tool
from tests.e2e.conftest import silent_wav
from tests.e2e.flows import api_get, sign_up_and_start_interview, type_answer, wait_until
from tests.live.conftest import rtc_settings


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A silent microphone: this candidate types (48 kHz mono)."""
    return silent_wav(tmp_path_factory, 5)


# Test-side only: remember what the page sends on its data channel.
RECORD_SENDS = """
(() => {
  const send = RTCDataChannel.prototype.send;
  window.__sent = [];
  RTCDataChannel.prototype.send = function (data) {
    if (typeof data === "string") window.__sent.push(data);
    return send.call(this, data);
  };
})();
"""


async def sent_snapshots(page: Page) -> list[dict]:
    """The `canvas.snapshot` events the page sent, reassembled from their chunks."""
    raw: list[str] = await page.evaluate("window.__sent")
    parts: dict[str, dict[int, str]] = {}
    out = []
    for text in raw:
        msg = json.loads(text)
        if msg["type"] == "chunk":
            parts.setdefault(msg["id"], {})[msg["seq"]] = msg["data"]
            if len(parts[msg["id"]]) == msg["total"]:
                msg = json.loads("".join(parts[msg["id"]][i] for i in range(msg["total"])))
        if msg.get("type") == "canvas.snapshot":
            out.append(msg)
    return out







async def ink_pixels(page: Page) -> int:
    """Non-white pixels on Excalidraw's scene canvas: something is drawn."""
    return await page.evaluate("""() => {
        const c = document.querySelector(
            "[data-testid=whiteboard] canvas.excalidraw__canvas.static");
        if (!c) return 0;
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 16) if (d[i] < 200 || d[i + 1] < 200) n++;
        return n;
    }""")


async def test_draw_store_replay_and_the_interviewer_sees_it(aiohttp_server, tmp_path,
                                                             browser: Browser) -> None:
    settings = rtc_settings(tmp_path, agent="interviewer")
    server = await aiohttp_server(create_app(settings))
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page(viewport={"width": 1366, "height": 900})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:"))
            else outside.append(r.url))
    await page.add_init_script(RECORD_SENDS)
    interview_id = await sign_up_and_start_interview(page, base, "Ada", "board@example.com")

    board = page.get_by_test_id("whiteboard")
    await expect(board.locator("canvas.excalidraw__canvas.interactive")).to_be_visible(
        timeout=30_000)
    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("conn-state")).to_have_text("connected", timeout=20_000)
    await expect(page.get_by_test_id("typed-answer")).to_be_enabled(timeout=20_000)

    transcript = f"/api/interviews/{interview_id}/transcriptions"

    async def agent_rows() -> int:
        rows = (await api_get(page, base, transcript))["items"]
        return sum(1 for r in rows if r["speaker"] == "agent")

    async def agent_rows_at_least(n: int) -> bool:
        return await agent_rows() >= n

    await wait_until(page, agent_rows, 60, "the greeting")
    await type_answer(page, "Hi, I'm Ada, a backend engineer.")
    await expect(page.get_by_test_id("phase")).to_have_attribute("data-phase", "interview",
                                                                 timeout=60_000)

    # The question card opens above the board as the question is asked: draw once it is there.
    await expect(page.get_by_test_id("question-card")).to_be_visible(timeout=10_000)
    await board.locator(".board-canvas").scroll_into_view_if_needed()
    area = await board.locator(".board-canvas").bounding_box()
    assert area is not None
    x0, y0 = area["x"] + 380, area["y"] + 160  # right of the style panel
    await draw_box(page, x0, y0, "API")
    await draw_box(page, x0 + 340, y0, "Postgres")
    await tool(page, "arrow")
    await page.mouse.move(x0 + 156, y0 + 40)  # on the right edge of "API"
    await page.mouse.down()
    await page.mouse.move(x0 + 250, y0 + 40, steps=6)
    await page.mouse.move(x0 + 344, y0 + 40, steps=6)  # the left edge of "Postgres"
    await page.mouse.up()

    status = page.get_by_test_id("board-status")
    await expect(status).to_have_attribute("data-state", "saved", timeout=30_000)

    # What the browser sent is what the server stored.
    sent = await sent_snapshots(page)
    assert sent, "no canvas.snapshot was sent"
    last = sent[-1]
    png = base64.b64decode(last["png"])
    items = (await api_get(page, base, f"/api/interviews/{interview_id}/canvas-snapshots"))["items"]
    record = await api_get(page, base, f"/api/interviews/{interview_id}")
    assert record["canvas_snapshot_count"] == len(items) >= 1
    assert [i["seq"] for i in items] == list(range(1, len(items) + 1))
    assert items[-1]["sha256"] == hashlib.sha256(png).hexdigest()
    image = await page.context.request.get(base + items[-1]["url"])
    body = await image.body()
    assert hashlib.sha256(body).hexdigest() == items[-1]["sha256"]
    width, height = decode_png(body)
    assert (width, height) == (items[-1]["width"], items[-1]["height"])
    assert max(width, height) <= 1600

    latest = (await api_get(page, base,
                        f"/api/interviews/{interview_id}/canvas-snapshots/latest"))["snapshot"]
    elements = latest["elements"]
    labels = sorted(e["text"] for e in elements if e["type"] == "text" and e.get("containerId"))
    assert labels == ["API", "Postgres"]
    arrows = [e for e in elements if e["type"] == "arrow"]
    assert len(arrows) == 1 and arrows[0]["startBinding"] and arrows[0]["endBinding"]

    # The interviewer follows the drawing: its next question names a box on the board. The
    # description goes out once the interviewer is quiet: after the question has been read.
    await wait_until(page, lambda: agent_rows_at_least(3), 60, "the question")
    await page.wait_for_timeout(2500)
    mark = len((await api_get(page, base, transcript))["items"])
    await type_answer(page, "The API writes every new link to the database.")

    async def named_box() -> str | None:
        rows = (await api_get(page, base, transcript))["items"]
        for row in rows[mark + 1:]:
            if row["speaker"] == "agent" and ("Postgres" in row["text"] or "API" in row["text"]):
                return row["text"]
        return None

    question = await wait_until(page, named_box, 60, "a question naming a box")
    assert "Postgres" in question or "API" in question

    # A reload restores the drawing from the server.
    drawn = await ink_pixels(page)
    assert drawn > 50
    await page.reload()
    await expect(board.locator("canvas.excalidraw__canvas.static")).to_be_visible(
        timeout=30_000)
    await wait_until(page, lambda: _restored(page), 30, "the restored drawing")
    assert await ink_pixels(page) > drawn // 3
    assert outside == [], outside  # fonts and code all came from the server
    await page.close()


async def _restored(page: Page) -> bool:
    text = await page.get_by_test_id("board-status").text_content()
    return bool(text) and ("Restored" in text or "last saved" in text) and \
        await ink_pixels(page) > 50
