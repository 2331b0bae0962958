"""A candidate in real Chromium: signs up, starts an interview, talks, hangs up; the server
kept a recording that decodes and really contains what the microphone played."""

from __future__ import annotations

import io
import time
from pathlib import Path

import av
import numpy as np
from playwright.async_api import Browser, expect

from server.http.app import create_app
from tests.e2e.flows import inbound_audio, sign_up_and_start_interview, track_peer_connections
from tests.live.conftest import rtc_settings


def read_wav(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])


def decode(data: bytes, kind: str) -> tuple[list, int]:
    with av.open(io.BytesIO(data)) as c:
        if kind == "audio":
            frames = [f.to_ndarray()[0] for f in c.decode(audio=0)]
            return frames, c.streams.audio[0].rate
        return [f.time for f in c.decode(video=0)], 0


def window_sums(x: np.ndarray, width: int) -> np.ndarray:
    """Sums over every `width`-long window (np.convolve(x, ones, "valid") in O(n), not O(n·width):
    the direct convolution took minutes on a loaded machine)."""
    total = np.concatenate(([0.0], np.cumsum(x)))
    return total[width:] - total[:-width]


def best_correlation(recording: np.ndarray, reference: np.ndarray) -> float:
    """Peak normalised cross-correlation of a 2 s slice of the reference in the recording."""
    ref = reference[48_000:144_000].astype(np.float64)
    ref = (ref - ref.mean()) / (ref.std() + 1e-9)
    rec = recording.astype(np.float64)
    n = len(rec) + len(ref)
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)
    win = window_sums(rec**2, len(ref))
    win_mean = window_sums(rec, len(ref)) / len(ref)
    energy = np.sqrt(np.maximum(win - len(ref) * win_mean**2, 1e-9))
    return float(np.max(corr[: len(energy)] / energy))


async def test_browser_call_end_to_end(aiohttp_server, tmp_path, browser: Browser,
                                       speech_wav: Path) -> None:
    server = await aiohttp_server(create_app(rtc_settings(tmp_path, segment_s=5.0)))
    base = f"http://127.0.0.1:{server.port}"
    page = await browser.new_page()
    await track_peer_connections(page)

    interview_id = await sign_up_and_start_interview(page, base, "Grace", "grace@example.com")

    await page.get_by_test_id("join").click()
    await expect(page.get_by_test_id("conn-state")).to_have_text("connected", timeout=20_000)
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "live")
    connected_at = time.monotonic()
    # The shipped client leaves nothing on window for tests; they see the peers via the init script.
    assert await page.evaluate("() => !('__interviewPc' in window) && !('__events' in window)")
    pong = await page.evaluate("""() => new Promise((resolve, reject) => {
        const ch = window.__e2ePeers.at(-1).e2eChannels.events;
        const t = setTimeout(() => reject(new Error("no pong")), 5000);
        ch.addEventListener("message", (e) => {
            const m = JSON.parse(e.data);
            if (m.type === "pong") { clearTimeout(t); resolve(m); }
        });
        ch.send(JSON.stringify({type: "ping", id: "browser"}));
    })""")
    assert pong["id"] == "browser"
    await page.wait_for_timeout(8_000)
    packets = await inbound_audio(page, "packetsReceived")
    assert packets > 100, packets
    await page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    await page.get_by_test_id("end").click()
    call_s = time.monotonic() - connected_at
    await expect(page.get_by_test_id("room")).to_have_attribute("data-call-state", "ended",
                                                                timeout=5_000)

    # The summary says the recording is being made, then shows one player: the camera with
    # both voices (interview.webm), without a reload.
    await expect(page.get_by_test_id("summary")).to_be_visible(timeout=15_000)
    player = page.get_by_test_id("recording-video")
    await expect(player).to_be_visible(timeout=60_000)
    assert await page.evaluate("window.__sameDocument === true")
    source = await player.locator("source").get_attribute("src")
    assert source.endswith(f"/api/interviews/{interview_id}/media/interview"), source
    await expect(player).to_have_js_property("readyState", 4, timeout=15_000)  # it plays
    duration = await player.evaluate("(v) => v.duration")
    assert abs(duration - call_s) < 0.25 * call_s, (duration, call_s)

    api = page.context.request
    deadline = time.monotonic() + 60
    while True:
        record = await (await api.get(f"{base}/api/interviews/{interview_id}")).json()
        if record["has_audio"] and record["has_video"]:
            break
        assert time.monotonic() < deadline, record
        await page.wait_for_timeout(300)
    assert record["status"] == "completed"

    # The microphone's speech is in the candidate's own track and in the mix.
    audio = await (await api.get(f"{base}/api/interviews/{interview_id}/media/candidate")).body()
    frames, rate = decode(audio, "audio")
    pcm = np.concatenate(frames)
    mixed = await (await api.get(f"{base}/api/interviews/{interview_id}/media/audio")).body()
    assert best_correlation(np.concatenate(decode(mixed, "audio")[0]), read_wav(speech_wav)) > 0.5
    assert abs(len(pcm) / rate - call_s) < 0.1 * call_s, (len(pcm) / rate, call_s)
    assert best_correlation(pcm, read_wav(speech_wav)) > 0.5

    video = await (await api.get(f"{base}/api/interviews/{interview_id}/media/video")).body()
    times, _ = decode(video, "video")
    assert len(times) > 50
    assert times[-1] - times[0] > 0.7 * call_s
    await page.close()
