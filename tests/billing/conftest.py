"""The app on a known loopback port, so the local Stripe server it starts can send its signed
webhooks back to it (as Stripe does to a public URL)."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from server.billing.local_stripe import LocalStripe
from server.billing.startup import LOCAL_STRIPE
from server.config import load_settings
from server.http.app import create_app
from server.state import DB
from storage.queries import billing as q

CARD = {"email": "ada@example.com", "card": "4242 4242 4242 4242", "exp": "12 / 34",
        "cvc": "123", "holder": "Ada"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def pay_client(aiohttp_client, tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    port = free_port()
    settings = load_settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url=f"http://127.0.0.1:{port}",
        log_format="text",
    )
    return await aiohttp_client(create_app(settings), server_kwargs={"port": port})


def local_of(client: Any) -> LocalStripe:
    return client.server.app[LOCAL_STRIPE]


async def checkout(client: Any, plan: str, quantity: int = 1) -> str:
    resp = await client.post("/api/billing/checkout", json={"plan": plan, "quantity": quantity})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["url"]


async def pay(url: str, **card: str) -> aiohttp.ClientResponse:
    """Submit the hosted checkout form (a browser would); returns the unfollowed response."""
    async with aiohttp.ClientSession() as http:
        page = await http.get(url)
        assert page.status == 200 and "TEST MODE" in await page.text()
        resp = await http.post(url, data={**CARD, **card}, allow_redirects=False)
        await resp.read()
        return resp


async def billing(client: Any) -> dict:
    resp = await client.get("/api/billing")
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def ledger_matches(client: Any, user_id: str) -> bool:
    async with client.server.app[DB]() as s:
        return await q.ledger_sum(s, user_id) == await q.credit_balance(s, user_id)
