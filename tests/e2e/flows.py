"""What a candidate does in the browser before an interview (sign up, start one), and the
test-only view of the page's WebRTC objects (the shipped client exposes none)."""

from __future__ import annotations

import time

from playwright.async_api import Page, expect


async def sign_up_and_start_interview(page: Page, base: str, name: str, email: str) -> str:
    """Sign up through the form, start a Free Practice interview from the dashboard's
    new-interview form (the defaults: system design, 45 minutes); returns its id."""
    await page.goto(f"{base}/signup")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", "correct horse battery")
    await page.click("button[type=submit]")
    chip = page.get_by_test_id("company-free_practice")
    await expect(chip).to_be_visible(timeout=10_000)
    await chip.click()
    await page.get_by_test_id("start-interview").click()
    await page.wait_for_url("**/interviews/*", timeout=10_000)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


# Runs before the app's scripts, in the test's page only: keeps every RTCPeerConnection the
# app creates, and its data channels by label, on window.__e2ePeers.
_TRACK_PEERS = """(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || window.__e2ePeers) return;
  const peers = [];
  class TrackedPeerConnection extends Native {
    constructor(...args) {
      super(...args);
      this.e2eChannels = {};
      peers.push(this);
    }
    createDataChannel(label, ...rest) {
      const channel = super.createDataChannel(label, ...rest);
      this.e2eChannels[label] = channel;
      return channel;
    }
  }
  window.RTCPeerConnection = TrackedPeerConnection;
  Object.defineProperty(window, "__e2ePeers", { value: peers });
})()"""


async def track_peer_connections(page: Page) -> None:
    """From the next navigation on, the page's peer connections are reachable by tests."""
    await page.add_init_script(_TRACK_PEERS)


async def inbound_audio(page: Page, field: str) -> float:
    """Sum of `field` over the inbound audio RTP stats of the newest peer connection."""
    return await page.evaluate("""async (field) => {
        const pc = window.__e2ePeers.at(-1);
        const stats = await pc.getStats();
        let total = 0;
        stats.forEach((s) => {
            if (s.type === "inbound-rtp" && s.kind === "audio") total += s[field] || 0;
        });
        return total;
    }""", field)


async def type_answer(page: Page, text: str) -> None:
    """Send a typed answer in the interview room (the chat box under the call)."""
    await page.get_by_test_id("typed-answer").fill(text)
    await page.get_by_test_id("send-typed").click()
    await expect(page.get_by_test_id("typed-answer")).to_have_value("")


async def api_get(page: Page, base: str, path: str) -> dict:
    """A JSON GET with the page's session cookie."""
    return await (await page.context.request.get(f"{base}{path}")).json()


async def wait_until(page: Page, check, timeout_s: float, what: str):  # type: ignore[no-untyped-def]
    """Polls `check` until it returns something truthy (returned), or fails naming `what`."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await page.wait_for_timeout(250)
