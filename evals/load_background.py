"""Background HTTP load during a load run's window: `--background signups=4/s,logins=2/s`.

Open loop: each kind starts requests at its fixed rate whatever the server's answer time (a
slow server does not slow the generator), with at most MAX_IN_FLIGHT per kind outstanding
(further ones are counted as skipped). Kinds:

- `signups`: a new account each (Argon2 hash + two writes), from a fresh cookie jar;
- `logins`: a wrong-password log-in to one account (Argon2 verify), so no session piles up;
- `lists`: the interview list of the harness's signed-in user (DB read + JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from evals.load_config import PASSWORD

KINDS = ("signups", "logins", "lists")
MAX_IN_FLIGHT = 64
DRAIN_S = 30.0
_SPEC = re.compile(r"^(\w+)=([0-9.]+)/s$")


def parse_background(spec: str) -> dict[str, float]:
    """`"signups=4/s,lists=10/s"` → {"signups": 4.0, "lists": 10.0}."""
    rates: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        match = _SPEC.match(part)
        if not match or match[1] not in KINDS or float(match[2]) <= 0:
            raise ValueError(f"background load {part!r}: use KIND=RATE/s, KIND one of {KINDS}")
        rates[match[1]] = float(match[2])
    return rates


def describe(rates: dict[str, float]) -> str:
    return ",".join(f"{k}={v:g}/s" for k, v in rates.items())


@dataclass
class BackgroundStats:
    statuses: Counter[str] = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if s.startswith(("2", "401")))

    @property
    def failed(self) -> int:
        return sum(self.statuses.values()) - self.ok


async def _signup(http: aiohttp.ClientSession, url: str) -> int:
    body = {"email": f"bg-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "name": "B"}
    async with aiohttp.ClientSession(url) as fresh, fresh.post("/api/auth/signup", json=body) as r:
        return r.status


async def _login(http: aiohttp.ClientSession, url: str) -> int:
    body = {"email": "bg-target@example.com", "password": "not the password"}
    async with aiohttp.ClientSession(url) as fresh, fresh.post("/api/auth/login", json=body) as r:
        return r.status


async def _list(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get("/api/interviews?limit=100") as r:
        await r.read()
        return r.status


_REQUEST: dict[str, Callable[[aiohttp.ClientSession, str], Awaitable[int]]] = {
    "signups": _signup,
    "logins": _login,
    "lists": _list,
}


async def _generate(
    kind: str, rate: float, http: aiohttp.ClientSession, url: str, stats: BackgroundStats
) -> None:
    in_flight: set[asyncio.Task[None]] = set()

    async def one() -> None:
        started = time.monotonic()
        try:
            status = str(await _REQUEST[kind](http, url))
        except (aiohttp.ClientError, TimeoutError) as exc:
            status = type(exc).__name__
        stats.statuses[status] += 1
        stats.latencies_s.append(time.monotonic() - started)

    t0 = time.monotonic()
    n = 0
    try:
        while True:
            n += 1
            await asyncio.sleep(max(0.0, t0 + n / rate - time.monotonic()))
            if len(in_flight) >= MAX_IN_FLIGHT:
                stats.skipped += 1
                continue
            task = asyncio.create_task(one())
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
    finally:  # cancelled: no new requests; those started may finish (and are counted)
        if in_flight:
            _done, pending = await asyncio.wait(in_flight, timeout=DRAIN_S)
            for task in pending:
                task.cancel()


@contextlib.asynccontextmanager
async def background_load(
    http: aiohttp.ClientSession, url: str, rates: dict[str, float]
) -> AsyncIterator[BackgroundStats]:
    """Runs the generators while the block runs; `http` is the harness's signed-in session."""
    stats = BackgroundStats()
    tasks = [asyncio.create_task(_generate(k, r, http, url, stats)) for k, r in rates.items()]
    try:
        yield stats
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
