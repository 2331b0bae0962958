"""Serving the app on TCP with limits for slow and greedy clients.

aiohttp bounds header size and count, and its keep-alive timer also closes a connection that
has not sent a complete request head by then: that is our header timeout (it starts when the
connection opens and is not reset by trickled bytes). Bodies are bounded in time by
`requests.read_body`. What aiohttp lacks is a cap on open connections, per client address and
in all; `ConnectionCap` wraps each connection's protocol to add it. At the cap a new
connection gets `503` with `Retry-After` and is closed at once, before any request is parsed;
connections already open are not affected.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import signal
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web

from server import metrics
from server.config import Settings

log = logging.getLogger(__name__)
FD_RESERVE = 256  # descriptors kept for the database, files, sockets of live calls


class ConnectionCap:
    """Counts open connections per address and in all; builds the protocol wrappers."""

    def __init__(self, per_ip: int, total: int) -> None:
        self.per_ip = per_ip
        self.total = total
        self.open: Counter[str] = Counter()

    def count(self) -> int:
        return sum(self.open.values())

    def admit(self, ip: str) -> str | None:
        """None if `ip` may open one more connection (and count it), else why not."""
        if self.count() >= self.total:
            return "total"
        if self.open[ip] >= self.per_ip:
            return "per_ip"
        self.open[ip] += 1
        return None

    def release(self, ip: str) -> None:
        self.open[ip] -= 1
        if self.open[ip] <= 0:
            del self.open[ip]

    def factory(self, inner: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        return lambda: _CappedProtocol(self, inner())


_BUSY_BODY = json.dumps(
    {"error": {"code": "too_many_connections", "message": "too many open connections"}}
).encode()
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Retry-After: 5\r\nConnection: close\r\nContent-Length: "
    + str(len(_BUSY_BODY)).encode()
    + b"\r\n\r\n"
    + _BUSY_BODY
)


class _CappedProtocol(asyncio.Protocol):
    """Forwards to aiohttp's protocol unless the connection is over the cap."""

    def __init__(self, cap: ConnectionCap, inner: asyncio.Protocol) -> None:
        self._cap = cap
        self._inner = inner
        self._ip: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if peer else "unknown"
        refused = self._cap.admit(ip)
        if refused is not None:
            metrics.CONNECTIONS_REFUSED.labels(refused).inc()
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(_BUSY)
            transport.close()
            return
        self._ip = ip
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._ip is not None:
            self._cap.release(self._ip)
            self._ip = None
            self._inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._ip is not None:
            self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._ip is not None else None

    def pause_writing(self) -> None:
        if self._ip is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._ip is not None:
            self._inner.resume_writing()


class CappedSite(web.TCPSite):
    """A TCP site whose connections go through a `ConnectionCap`."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, cap: ConnectionCap) -> None:
        super().__init__(runner, host, port)
        self.cap = cap

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers with the runner; we create the server
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self.cap.factory(server), self._host, self._port, backlog=self._backlog
        )
        self._bound_port = self._server.sockets[0].getsockname()[1]


def runner_options(settings: Settings) -> dict[str, Any]:
    """aiohttp's own request-handler limits (header size/count stay at aiohttp's defaults)."""
    return {"keepalive_timeout": settings.http_header_timeout_s, "access_log": None}


def connection_cap(settings: Settings) -> ConnectionCap:
    """The caps from settings; the total is kept under the descriptor limit (raised to max)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    total = min(settings.http_max_connections, max(16, soft - FD_RESERVE))
    return ConnectionCap(settings.http_connections_per_ip, total)


async def start_site(app: web.Application, settings: Settings) -> tuple[web.AppRunner, CappedSite]:
    runner = web.AppRunner(app, handle_signals=False, **runner_options(settings))
    await runner.setup()
    site = CappedSite(runner, settings.host, settings.port, connection_cap(settings))
    await site.start()
    return runner, site


async def serve(app: web.Application, settings: Settings) -> None:
    """Run until SIGINT or SIGTERM, then shut down in the app's order."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner, _site = await start_site(app, settings)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
