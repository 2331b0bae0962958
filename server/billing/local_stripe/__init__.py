"""A local server that speaks Stripe's wire protocol, for the embedded default and the tests.

The stripe SDK reaches it through its base URL only (`/v1/...` with form-encoded requests and
Stripe's JSON objects). It implements what the product uses: customers, products and prices,
Checkout Sessions with a hosted checkout page where a test card "pays", subscriptions, the
billing portal (a page to cancel), refunds and events, and it sends signed webhooks back to the
app like Stripe's test mode. localstripe lacks prices and checkout, hence this.

Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from pathlib import Path
from typing import Any

from aiohttp import web

from server.billing.local_stripe.delivery import WebhookSender, sign
from server.billing.local_stripe.store import Obj, Store

log = logging.getLogger(__name__)

__all__ = ["LocalStripe", "sign"]


class LocalStripe:
    def __init__(
        self,
        *,
        api_key: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        state_path: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_key = api_key or "sk_test_local_" + secrets.token_hex(16)
        self.webhook_secret = webhook_secret or "whsec_" + secrets.token_hex(24)
        self.store = Store(state_path)
        self.sender = WebhookSender(webhook_url, self.webhook_secret)
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._saving: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def webhook_url(self) -> str | None:
        return self.sender.url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self.sender.url = url

    async def start(self) -> None:
        from server.billing.local_stripe.api import build_app

        self._runner = web.AppRunner(build_app(self), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("local Stripe (test mode) at %s", self.base_url)

    async def emit(self, changes: list[tuple[str, Obj]]) -> list[Obj]:
        """Record events for `changes`, save the state, and send the webhooks in order."""
        events = [self.store.add_event(kind, obj) for kind, obj in changes]
        await self.persist()
        await self.sender.send(events)
        return events

    async def persist(self) -> None:
        if self.store.path is None:
            return
        text = self.store.snapshot()
        async with self._lock:
            await asyncio.to_thread(self.store.save, text)

    async def advance(self, seconds: float) -> list[Obj]:
        """Move the test clock forward: periods that end renew, or end the subscription."""
        self.store.offset_s += seconds
        return await self.emit(self.store.due())

    async def close(self) -> None:
        await self.sender.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalStripe:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
