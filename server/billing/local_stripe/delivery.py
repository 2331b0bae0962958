"""Signed webhook delivery, as Stripe does it: `Stripe-Signature: t=<unix>,v1=<hex>` where v1 is
HMAC-SHA256 over `"<t>.<body>"` keyed with the endpoint's `whsec_` secret.

Events are sent one at a time in the order they happened; a failed delivery is retried with
back-off a few times, then dropped (and logged), like Stripe's retries in miniature.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

ATTEMPTS = 4
FIRST_RETRY_S = 0.5
TIMEOUT_S = 10.0


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `payload`."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class WebhookSender:
    def __init__(self, url: str | None, secret: str) -> None:
        self.url = url
        self.secret = secret
        self.delivered: list[str] = []  # event ids the endpoint accepted (bounded below)
        self._session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()
        self._retries: set[asyncio.Task[None]] = set()

    async def send(self, events: list[dict[str, Any]]) -> None:
        """Deliver in order; an event the endpoint refuses is retried in the background."""
        if not self.url:
            return
        async with self._lock:
            for event in events:
                if not await self._post(event):
                    task = asyncio.create_task(self._retry(event))
                    self._retries.add(task)
                    task.add_done_callback(self._retries.discard)

    async def _post(self, event: dict[str, Any]) -> bool:
        assert self.url is not None
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
        body = json.dumps(event)
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(body, self.secret)}
        try:
            async with self._session.post(self.url, data=body, headers=headers) as resp:
                ok = 200 <= resp.status < 300
                if not ok:
                    log.warning("webhook %s refused: %s", event["type"], resp.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("webhook %s not delivered: %s", event["type"], exc)
            ok = False
        if ok:
            self.delivered.append(event["id"])
            del self.delivered[:-1000]
        return ok

    async def _retry(self, event: dict[str, Any]) -> None:
        delay = FIRST_RETRY_S
        for _ in range(ATTEMPTS - 1):
            await asyncio.sleep(delay)
            if await self._post(event):
                return
            delay *= 4
        log.error("webhook %s dropped after %d attempts", event["id"], ATTEMPTS)

    async def close(self) -> None:
        for task in list(self._retries):
            task.cancel()
        await asyncio.gather(*self._retries, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
