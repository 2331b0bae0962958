"""Fixtures for media tests: a fake clock for pacing, loopback-only ICE, the VP8 pass-through."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aioice.ice
import pytest

from media import passthrough


class FakeClock:
    """Virtual time: `sleep()` advances `now` instantly, so pacing tests do not wait."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def loopback_ice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make aioice gather only 127.0.0.1 (it skips loopback by default, see DESIGN §10).

    Together with `RTCConfiguration(iceServers=[])` (no STUN), all traffic stays on loopback.
    """
    monkeypatch.setattr(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"])


@pytest.fixture
def vp8_passthrough() -> Iterator[passthrough.PassthroughStats]:
    """The recorder's decoder hook (VP8 pass-through, Opus tee); yields the counters before."""
    was_installed = passthrough.installed()
    passthrough.install()
    yield passthrough.PassthroughStats(**vars(passthrough.STATS))
    if was_installed:
        passthrough.install()
    else:
        passthrough.uninstall()
