"""Slow clients against a real server on loopback: a small slowloris, and the connection caps."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from server.config import Settings
from server.http.app import create_app
from server.http.serve import start_site

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def _served(settings: Settings, **limits: float) -> tuple[object, str]:
    s = settings.model_copy(update={"host": "127.0.0.1", "port": 0, **limits})
    runner, site = await start_site(create_app(s), s)
    return runner, f"http://127.0.0.1:{site.port}"


async def _trickler(port: int, stop: asyncio.Event) -> tuple[bytes, float]:
    """Opens a connection and sends a header line every 0.2 s; returns what it got back and
    after how long the server closed it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    opened = time.monotonic()
    try:  # a refused connection is answered at once, before the client sends anything
        got = await asyncio.wait_for(reader.read(1024), 0.3)
        writer.close()
        return got, time.monotonic() - opened
    except TimeoutError:
        got = b""
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    try:
        while not stop.is_set():
            writer.write(b"X-Slow: a\r\n")
            await writer.drain()
            try:
                chunk = await asyncio.wait_for(reader.read(1024), 0.2)
            except TimeoutError:
                continue
            got += chunk
            if not chunk:
                break
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()
    return got, time.monotonic() - opened


async def _healthz(url: str, local: str) -> int:
    connector = aiohttp.TCPConnector(local_addr=(local, 0), force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        async with http.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=10)) as r:
            return r.status


async def test_slowloris_is_closed_at_the_header_timeout_and_capped(settings) -> None:
    runner, url = await _served(settings, http_header_timeout_s=1.5, http_connections_per_ip=20)
    port = int(url.rsplit(":", 1)[1])
    stop = asyncio.Event()
    try:
        attack = [asyncio.create_task(_trickler(port, stop)) for _ in range(36)]
        await asyncio.sleep(0.5)
        # Meanwhile a client from another address is served normally.
        assert await _healthz(url, "127.0.0.2") == 200
        results = await asyncio.wait_for(asyncio.gather(*attack), 10)
    finally:
        stop.set()
        await runner.cleanup()  # type: ignore[attr-defined]
    refused = [(got, t) for got, t in results if got.startswith(b"HTTP/1.1 503")]
    held = [(got, t) for got, t in results if not got.startswith(b"HTTP/1.1 503")]
    assert len(refused) == 16 and len(held) == 20
    assert all(b'"too_many_connections"' in got and b"Retry-After: 5" in got
               for got, _ in refused)
    assert all(t < 1.0 for _, t in refused)  # at once, before any request is parsed
    assert all(got == b"" and 1.4 < t < 3.5 for got, t in held), held


async def test_address_cap_frees_up_and_total_cap_applies(settings) -> None:
    runner, url = await _served(settings, http_connections_per_ip=3, http_max_connections=5)
    port = int(url.rsplit(":", 1)[1])
    try:
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
        await asyncio.sleep(0.1)
        conn = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=conn) as http:
            async with http.get(f"{url}/healthz") as r:
                assert r.status == 503 and r.headers["Retry-After"] == "5"
                assert (await r.json())["error"]["code"] == "too_many_connections"
        assert await _healthz(url, "127.0.0.2") == 200  # another address is not affected
        more = [await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.3", 0))
                for _ in range(2)]
        await asyncio.sleep(0.1)
        with pytest.raises(aiohttp.ClientResponseError):  # 5 open in all: even a new address
            connector = aiohttp.TCPConnector(local_addr=("127.0.0.4", 0), force_close=True)
            async with aiohttp.ClientSession(connector=connector, raise_for_status=True) as h:
                await h.get(f"{url}/healthz")
        for _reader, writer in idle + more:
            writer.close()
        await asyncio.sleep(0.2)
        assert await _healthz(url, "127.0.0.1") == 200  # closed connections are released
    finally:
        await runner.cleanup()  # type: ignore[attr-defined]


async def test_malformed_requests_get_400_without_versions(settings) -> None:
    runner, url = await _served(settings)
    port = int(url.rsplit(":", 1)[1])
    try:
        for request in (b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
                        b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n"):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            head = (await asyncio.wait_for(reader.read(4096), 10)).split(b"\r\n\r\n")[0]
            writer.close()
            assert head.startswith(b"HTTP/1.0 400") or head.startswith(b"HTTP/1.1 400"), head
            assert b"Server: interview-agent" in head and b"aiohttp" not in head, head
        async with aiohttp.ClientSession() as http:  # a declared oversize body: 413 at once
            started = time.monotonic()
            async with http.post(f"{url}/api/auth/signup", data=b"{",
                                 headers={"Content-Type": "application/json",
                                          "Content-Length": "99999999"}) as r:
                assert r.status == 413
            assert time.monotonic() - started < 5
    finally:
        await runner.cleanup()  # type: ignore[attr-defined]
