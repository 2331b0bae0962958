"""ICE set-up for our peer connections, including the loopback-only mode tests and the
embedded default use.

Facts this module handles (checked on our machines, aiortc 1.16 / aioice):
- aioice never offers a 127.0.0.1 host candidate (`get_host_addresses` skips it), so two
  peers on one host without a usable LAN cannot connect.
- aiortc adds a public STUN server unless `RTCConfiguration(iceServers=[])` is explicit.
- Chromium offers candidates for every interface and may send connectivity checks to our
  127.0.0.1 candidate from a socket bound to a non-loopback address; answering would send
  traffic off loopback.

In loopback mode we therefore (1) offer only 127.0.0.1, (2) drop remote candidates that
are not loopback from the offer, and (3) ignore STUN checks from non-loopback sources.
Outside loopback mode nothing is patched and the configured STUN/TURN servers are used.
Whether and when the patch goes in is decided in server/patches.py.
"""

from __future__ import annotations

import ipaddress
import logging

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer
from pydantic import BaseModel

log = logging.getLogger(__name__)

_original_get_host_addresses = aioice.ice.get_host_addresses
_original_request_received = aioice.ice.Connection.request_received


class IceServer(BaseModel):
    """One STUN/TURN server, as given in the ICE_SERVERS setting (JSON list)."""

    urls: str | list[str]
    username: str | None = None
    credential: str | None = None


def rtc_configuration(servers: list[IceServer]) -> RTCConfiguration:
    """Always an explicit list, so aiortc adds no public STUN server of its own."""
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=s.urls, username=s.username, credential=s.credential) for s in servers
        ]
    )


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _loopback_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else []


def _loopback_request_received(self, message, addr, protocol) -> None:  # type: ignore[no-untyped-def]
    if not is_loopback(addr[0]):
        return
    _original_request_received(self, message, addr, protocol)


def enable_loopback_only() -> None:
    """Process-wide: gather and answer on 127.0.0.1 only. Idempotent."""
    aioice.ice.get_host_addresses = _loopback_host_addresses
    aioice.ice.Connection.request_received = _loopback_request_received  # type: ignore[method-assign]
    log.info("ICE restricted to loopback")


def disable_loopback_only() -> None:
    aioice.ice.get_host_addresses = _original_get_host_addresses
    aioice.ice.Connection.request_received = _original_request_received  # type: ignore[method-assign]


def loopback_only_enabled() -> bool:
    return aioice.ice.get_host_addresses is _loopback_host_addresses


def keep_loopback_candidates(sdp: str) -> str:
    """Drop `a=candidate` lines whose address is not loopback (mDNS names included)."""
    kept = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            parts = line.split()
            if len(parts) < 5 or not is_loopback(parts[4]):
                continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n"
