"""Sign-up and log-in limits, hashing off the loop and SQLite writers that never collide."""

from __future__ import annotations

import asyncio
import unicodedata
from pathlib import Path

import aiohttp
import pytest

from server.config import load_settings
from server.http import auth
from server.http.app import create_app
from server.state import LOGIN_THROTTLE, SIGNUP_LIMIT
from tests.http.helpers import PASSWORD, error_of, signup


async def _post(client, path: str, body: dict) -> int:  # type: ignore[no-untyped-def]
    resp = await client.post(path, json=body)
    await resp.read()
    return resp.status


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_concurrent_signups_and_writes_on_sqlite_never_fail(
    aiohttp_client, tmp_path: Path, database_url: str
) -> None:
    settings = load_settings(data_dir=tmp_path / "data", database_url=database_url,
                             signups_per_ip=1000, log_format="text")
    client = await aiohttp_client(create_app(settings))
    bodies = [{"email": f"u{i}@example.com", "password": PASSWORD, "name": "U"}
              for i in range(auth.HASH_QUEUE_MAX)]
    statuses = await asyncio.gather(*(_post(client, "/api/auth/signup", b) for b in bodies))
    assert statuses == [201] * len(bodies)
    # Writers of every kind at once: log-ins (a session row each), interviews, status changes.
    new = {"type": "coding", "role": "R", "level": "mid", "company": "free_practice"}
    created = await asyncio.gather(*(client.post("/api/interviews", json=new) for _ in range(150)))
    assert [r.status for r in created] == [201] * 150
    ids = [(await r.json())["id"] for r in created]
    statuses = await asyncio.gather(
        *(_post(client, "/api/auth/login", {"email": b["email"], "password": PASSWORD})
          for b in bodies[:10]),
        *(_post(client, "/api/interviews", new) for _ in range(150)),
        *(client.patch(f"/api/interviews/{i}/status", json={"status": "in_progress",
                                                            "metadata": {"k": 1}})
          for i in ids),
    )
    codes = [s if isinstance(s, int) else s.status for s in statuses]
    assert set(codes) == {200, 201}, codes


async def test_signup_is_limited_per_address_and_refusals_store_nothing(client) -> None:
    # Default: 5 sign-ups per address per hour.
    for i in range(5):
        await signup(client, f"u{i}@example.com")
    resp = await client.post("/api/auth/signup",
                             json={"email": "u5@example.com", "password": PASSWORD, "name": "U"})
    assert resp.status == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert (await error_of(resp))["code"] == "rate_limited"
    assert len(client.app[SIGNUP_LIMIT]) == 1


async def test_hashing_beyond_the_queue_is_503_busy(aiohttp_client, settings, monkeypatch) -> None:
    monkeypatch.setattr(auth, "HASH_QUEUE_MAX", 2)
    client = await aiohttp_client(create_app(settings.model_copy(update={"signups_per_ip": 100})))
    bodies = [{"email": f"u{i}@example.com", "password": PASSWORD, "name": "U"}
              for i in range(8)]
    statuses = await asyncio.gather(*(_post(client, "/api/auth/signup", b) for b in bodies))
    assert statuses.count(201) >= 2 and statuses.count(503) >= 1
    assert set(statuses) <= {201, 503}


async def test_owner_is_not_locked_out_by_failures_from_another_address(client) -> None:
    # The test settings give 3 free failures per (email, address).
    await signup(client)
    await client.post("/api/auth/logout")
    wrong = {"email": "ada@example.com", "password": "guess-guess"}
    assert [await _post(client, "/api/auth/login", wrong) for _ in range(3)] == [401] * 3
    resp = await client.post("/api/auth/login", json=wrong)
    assert resp.status == 429
    # The owner, from another address (127.0.0.2 is loopback too), logs in at once.
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(connector=connector) as other:
        url = client.make_url("/api/auth/login")
        async with other.post(url, json={"email": "ada@example.com", "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()


async def test_refused_logins_create_no_state(client) -> None:
    # 10 failures per address (test settings); then everything from it is refused.
    for i in range(10):
        assert await _post(client, "/api/auth/login",
                           {"email": f"u{i}@example.com", "password": "nope-nope"}) == 401
    throttle = client.app[LOGIN_THROTTLE]
    assert (len(throttle.per_account), len(throttle.per_ip)) == (10, 1)
    for i in range(10, 60):
        assert await _post(client, "/api/auth/login",
                           {"email": f"u{i}@example.com", "password": "nope-nope"}) == 429
    assert (len(throttle.per_account), len(throttle.per_ip)) == (10, 1)


async def test_signup_and_login_normalise_email_the_same_way(client) -> None:
    decomposed = unicodedata.normalize("NFD", "José@Example.COM")
    resp = await client.post("/api/auth/signup",
                             json={"email": f"  {decomposed} ", "password": PASSWORD, "name": "J"})
    assert resp.status == 201
    assert (await resp.json())["user"]["email"] == "josé@example.com"
    await client.post("/api/auth/logout")
    for typed in (decomposed, "JOSÉ@example.com", " josé@EXAMPLE.com"):
        assert await _post(client, "/api/auth/login",
                           {"email": typed, "password": PASSWORD}) == 200, typed
    dup = await client.post("/api/auth/signup",
                            json={"email": "JOSÉ@example.com", "password": PASSWORD, "name": "X"})
    assert dup.status == 409
