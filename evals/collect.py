"""After a simulated interview: read back what the product kept, over its public API —
the record, the transcript, the recordings and (when the feedback route exists) the
feedback — into the case's record."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import aiohttp

from storage.vocabulary import TERMINAL_STATUSES as TERMINAL


async def get_json(http: aiohttp.ClientSession, path: str) -> tuple[int, Any]:
    async with http.get(path) as resp:
        try:
            body = await resp.json(content_type=None)
        except ValueError:
            body = None
        return resp.status, body


async def wait_terminal(http: aiohttp.ClientSession, interview_id: str,
                        timeout_s: float) -> dict[str, Any]:
    """The interview record once it has ended (or as it is when `timeout_s` has passed)."""
    deadline = time.monotonic() + timeout_s
    while True:
        _, row = await get_json(http, f"/api/interviews/{interview_id}")
        if not isinstance(row, dict) or row.get("status") in TERMINAL:
            return row or {}
        if time.monotonic() > deadline:
            return row
        await asyncio.sleep(0.5)


def _seconds_since(iso: str, wall0: float) -> float:
    return round(datetime.fromisoformat(iso).timestamp() - wall0, 3)


async def transcript(http: aiohttp.ClientSession, interview_id: str,
                     wall0: float) -> list[dict[str, Any]]:
    status, body = await get_json(http, f"/api/interviews/{interview_id}/transcriptions")
    if status != 200 or not isinstance(body, dict):
        return []
    return [{"seq": r["seq"], "speaker": r["speaker"], "text": r["text"],
             "t": _seconds_since(r["timestamp"], wall0)} for r in body.get("items", [])]


async def recordings(http: aiohttp.ClientSession, interview_id: str,
                     timeout_s: float = 20.0) -> dict[str, Any]:
    """The recording's URLs and the audio's size; the recording is joined and stored after
    the call ends, so wait up to `timeout_s` for it to appear."""
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = await get_json(http, f"/api/interviews/{interview_id}/media")
        out: dict[str, Any] = {"status": status, "audio": None, "video": None,
                               "audio_bytes": 0}
        if status == 200 and isinstance(body, dict):
            out["audio"], out["video"] = body.get("audio"), body.get("video")
        if out["audio"] or status != 200 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    url = out["audio"].get("url") if isinstance(out["audio"], dict) else out["audio"]
    if url:
        async with http.get(url) as resp:
            if resp.status in (200, 206):
                out["audio_bytes"] = len(await resp.read())
    return out


async def feedback(http: aiohttp.ClientSession, interview_id: str,
                   timeout_s: float) -> dict[str, Any]:
    """The feedback when the route exists: 404 → absent; 202 → wait for it up to `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        status, body = await get_json(http, f"/api/interviews/{interview_id}/feedback")
        if status == 404:
            code = (body or {}).get("error", {}).get("code") if isinstance(body, dict) else None
            return {"status": "absent", "code": code}
        if status == 200 and isinstance(body, dict) and body.get("overall_score") is not None:
            return {"status": "done", **body}
        if status != 202 or time.monotonic() > deadline:
            state = body.get("status") if isinstance(body, dict) else None
            return {"status": state or f"http_{status}",
                    "waited_s": round(timeout_s - max(0.0, deadline - time.monotonic()), 1)}
        await asyncio.sleep(1.0)
