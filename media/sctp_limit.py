"""Bound what a peer can make aiortc's SCTP hold: a message cap and a receive window.

aiortc advertises `a=max-message-size:262144` and a 1 MiB receive window, but enforces
neither on receipt: it keeps every DATA chunk until a message is complete and rescans the
stream's whole reassembly list for each new chunk. A peer that sends one 100 MB message
(ignoring our SDP) made the server hold 100 MB and spend ~45 s of 80 % CPU reassembling it
before our 64 KiB check in `server/live/events.py` ever saw it.

`install()` makes every association:
- advertise `MAX_MESSAGE_BYTES` (256 KiB) as `a=max-message-size`, so an honest browser
  refuses to send more. It is above the events channel's 64 KiB on purpose: a message
  between the two still arrives and gets the channel's friendly `too_large` error;
- advertise a `RWND_BYTES` (512 KiB) receive window, which an honest sender never overruns;
- abort the association (an SCTP ABORT: all data channels close, the call's media goes on)
  as soon as a message under reassembly passes `MAX_MESSAGE_BYTES`, or the bytes held for
  reassembly pass the window, then drop whatever that peer still sends on it.
So a hostile peer costs at most ~512 KiB and ~230 chunk visits per chunk before it is cut
off. RFC 8841 section 6.6 allows exactly this ("MAY abort the association").
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from aiortc.rtcsctptransport import (
    SCTP_DATA_FIRST_FRAG,
    SCTP_DATA_LAST_FRAG,
    DataChunk,
    RTCSctpCapabilities,
    RTCSctpTransport,
)

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 256 * 1024
RWND_BYTES = 2 * MAX_MESSAGE_BYTES

_lock = threading.Lock()
_originals: dict[str, Any] = {}
aborted_associations = 0  # for tests and metrics: associations we cut off


def _capabilities(cls: type[RTCSctpTransport]) -> RTCSctpCapabilities:
    return RTCSctpCapabilities(maxMessageSize=MAX_MESSAGE_BYTES)


def _init(self: RTCSctpTransport, *args: Any, **kwargs: Any) -> None:
    _originals["__init__"](self, *args, **kwargs)
    self._advertised_rwnd = RWND_BYTES
    self._ia_aborted = False  # type: ignore[attr-defined]


def _partial_bytes(reassembly: list[DataChunk], limit: int) -> int:
    """Bytes of the message the last chunk belongs to, counted back to its first fragment
    (consecutive TSNs); stops once past `limit`, so a check costs at most ~limit/1.1 KiB."""
    total = 0
    expected = None
    for chunk in reversed(reassembly):
        if expected is not None and chunk.tsn != expected:
            break
        total += len(chunk.user_data)
        if total > limit or chunk.flags & SCTP_DATA_FIRST_FRAG:
            break
        expected = (chunk.tsn - 1) & 0xFFFFFFFF
    return total


async def _receive_data_chunk(self: RTCSctpTransport, chunk: DataChunk) -> None:
    if getattr(self, "_ia_aborted", False):
        return
    await _originals["_receive_data_chunk"](self, chunk)
    held = RWND_BYTES - self._advertised_rwnd
    if held > RWND_BYTES:
        await _cut_off(self, f"the peer overran our {RWND_BYTES}-byte receive window")
        return
    stream = self._inbound_streams.get(chunk.stream_id)
    if stream is None or not stream.reassembly or chunk.flags & SCTP_DATA_LAST_FRAG:
        return
    if stream.reassembly[-1].tsn == chunk.tsn:  # in order: the usual case
        if _partial_bytes(stream.reassembly, MAX_MESSAGE_BYTES) > MAX_MESSAGE_BYTES:
            await _cut_off(self, f"a message over {MAX_MESSAGE_BYTES} bytes")


async def _receive(self: RTCSctpTransport, stream_id: int, pp_id: int, data: bytes) -> None:
    if getattr(self, "_ia_aborted", False):
        return
    if len(data) > MAX_MESSAGE_BYTES:  # reassembled out of order, within the window
        await _cut_off(self, f"a message of {len(data)} bytes (max {MAX_MESSAGE_BYTES})")
        return
    await _originals["_receive"](self, stream_id, pp_id, data)


async def _handle_data(self: RTCSctpTransport, data: bytes) -> None:
    if getattr(self, "_ia_aborted", False):
        return  # cut off: nothing more from this peer's association
    await _originals["_handle_data"](self, data)


async def _cut_off(transport: RTCSctpTransport, reason: str) -> None:
    global aborted_associations
    if transport._ia_aborted:  # type: ignore[attr-defined]
        return
    transport._ia_aborted = True  # type: ignore[attr-defined]
    aborted_associations += 1
    held = RWND_BYTES - transport._advertised_rwnd
    transport._ia_held_at_abort = held  # type: ignore[attr-defined]
    log.warning("SCTP association aborted after %d bytes held: %s", held, reason)
    transport._inbound_streams.clear()
    transport._advertised_rwnd = RWND_BYTES
    await transport._abort()
    transport._set_state(RTCSctpTransport.State.CLOSED)


def install() -> None:
    """Patch aiortc's SCTP transport (process-wide); idempotent."""
    with _lock:
        if _originals:
            return
        for name in ("__init__", "_receive_data_chunk", "_receive", "_handle_data"):
            _originals[name] = getattr(RTCSctpTransport, name)
        _originals["getCapabilities"] = RTCSctpTransport.__dict__["getCapabilities"]
        RTCSctpTransport.__init__ = _init  # type: ignore[method-assign]
        RTCSctpTransport._receive_data_chunk = _receive_data_chunk  # type: ignore[method-assign]
        RTCSctpTransport._receive = _receive  # type: ignore[method-assign]
        RTCSctpTransport._handle_data = _handle_data  # type: ignore[method-assign]
        RTCSctpTransport.getCapabilities = classmethod(_capabilities)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    with _lock:
        if not _originals:
            return
        for name, original in _originals.items():
            setattr(RTCSctpTransport, name, original)
        _originals.clear()


def installed() -> bool:
    return bool(_originals)
