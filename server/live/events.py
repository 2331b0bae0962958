"""The "events" data channel: JSON messages `{"type": ...}` in both directions.

Inbound messages are size-capped, rate-limited and dispatched by type to handlers that
sessions (and later features: canvas, code, chat) register. Payloads too large for one
message arrive as chunks `{"type": "chunk", "id", "seq", "total", "data"}` whose `data`
strings, joined in `seq` order, are one JSON event. Anything wrong is answered with
`{"type": "error", "code", "message"}` and the session carries on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024
MAX_ASSEMBLED_BYTES = 8 * 1024 * 1024
MAX_PENDING_ASSEMBLIES = 4
ASSEMBLY_TIMEOUT_S = 30.0
RATE_PER_S = 50.0
RATE_BURST = 100.0

Event = dict[str, Any]
Handler = Callable[[Event], Awaitable[None]]


class Channel(Protocol):
    """What we need of an aiortc RTCDataChannel."""

    readyState: str

    def send(self, data: str) -> None: ...


class EventError(Exception):
    """A message we refuse, with the code the client sees."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class EventRouter:
    """Handlers by event type. One router per session; features add their types to it."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    def on(self, event_type: str, handler: Handler) -> None:
        self._handlers[event_type] = handler

    def handler_for(self, event_type: str) -> Handler | None:
        return self._handlers.get(event_type)

    @property
    def types(self) -> list[str]:
        return sorted(self._handlers)


@dataclass
class _Assembly:
    total: int
    started: float
    parts: dict[int, str] = field(default_factory=dict)
    size: int = 0


class TokenBucket:
    def __init__(self, rate_per_s: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._last = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class EventChannel:
    """Parses, checks and dispatches what arrives on one data channel; sends events back."""

    def __init__(
        self,
        channel: Channel,
        router: EventRouter,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.channel = channel
        self.router = router
        self._clock = clock
        self._bucket = TokenBucket(RATE_PER_S, RATE_BURST, clock)
        self._assemblies: dict[str, _Assembly] = {}
        self._refused_ids: deque[str] = deque(maxlen=16)
        self._tasks: set[asyncio.Task[None]] = set()
        self._limited_notified = False
        self.received = 0
        self.rejected = 0

    def send(self, event: Event) -> None:
        if self.channel.readyState == "open":
            self.channel.send(json.dumps(event, separators=(",", ":")))

    def send_error(self, code: str, message: str) -> None:
        self.send({"type": "error", "code": code, "message": message})

    def on_message(self, data: str | bytes) -> None:
        """Called by the data channel for every message (sync: it only schedules work)."""
        self.received += 1
        if not self._bucket.take():
            self.rejected += 1
            if not self._limited_notified:  # one notice per burst, not one per message
                self._limited_notified = True
                self.send_error("rate_limited", "too many messages; slow down")
            return
        self._limited_notified = False
        try:
            event = self._parse(data)
            if isinstance(event, str):
                self._spawn(self._decode_assembled(event))
            elif event is not None:
                self._dispatch(event)
        except EventError as exc:
            self.rejected += 1
            self.send_error(exc.code, exc.message)

    async def _decode_assembled(self, text: str) -> None:
        """A reassembled message (up to 8 MiB): parsed on a worker thread, since json.loads
        of a few MB would hold the event loop for several milliseconds."""
        try:
            if len(text) > MAX_MESSAGE_BYTES:
                event = await asyncio.to_thread(_decode, text)
            else:
                event = _decode(text)
            if event["type"] == "chunk":
                raise EventError("bad_chunk", "a chunked message cannot itself be a chunk")
            self._dispatch(event)
        except EventError as exc:
            self.rejected += 1
            self.send_error(exc.code, exc.message)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._assemblies.clear()

    def _parse(self, data: str | bytes) -> Event | str | None:
        if isinstance(data, bytes):
            raise EventError("unsupported", "binary messages are not supported; send JSON text")
        if len(data.encode()) > MAX_MESSAGE_BYTES:
            raise EventError(
                "too_large", f"message over {MAX_MESSAGE_BYTES} bytes; send it in chunks"
            )
        event = _decode(data)
        if event["type"] == "chunk":
            return self._add_chunk(event)
        return event

    def _add_chunk(self, chunk: Event) -> str | None:
        """None until every chunk is in; then the joined text, decoded by the caller."""
        ident, seq, total, data = (chunk.get(k) for k in ("id", "seq", "total", "data"))
        if not (
            isinstance(ident, str)
            and isinstance(seq, int)
            and isinstance(total, int)
            and isinstance(data, str)
            and 0 <= seq < total
        ):
            raise EventError("bad_chunk", "chunk needs id (str), seq < total (int), data (str)")
        if ident in self._refused_ids:
            return None  # the rest of a message already refused: one error is enough
        self._expire_assemblies()
        assembly = self._assemblies.get(ident)
        if assembly is None:
            if len(self._assemblies) >= MAX_PENDING_ASSEMBLIES:
                raise EventError("too_many_chunked", "too many chunked messages in flight")
            assembly = self._assemblies[ident] = _Assembly(total=total, started=self._clock())
        if assembly.total != total:
            del self._assemblies[ident]
            self._refused_ids.append(ident)
            raise EventError("bad_chunk", f"chunk {ident!r} changed its total")
        if seq not in assembly.parts:
            assembly.parts[seq] = data
            assembly.size += len(data)
        if assembly.size > MAX_ASSEMBLED_BYTES:
            del self._assemblies[ident]
            self._refused_ids.append(ident)
            raise EventError("too_large", f"chunked message over {MAX_ASSEMBLED_BYTES} bytes")
        if len(assembly.parts) < total:
            return None
        del self._assemblies[ident]
        return "".join(assembly.parts[i] for i in range(total))

    def _expire_assemblies(self) -> None:
        now = self._clock()
        for ident in [
            i for i, a in self._assemblies.items() if now - a.started > ASSEMBLY_TIMEOUT_S
        ]:
            del self._assemblies[ident]

    def _dispatch(self, event: Event) -> None:
        handler = self.router.handler_for(event["type"])
        if handler is None:
            raise EventError("unknown_type", f"unknown event type {event['type']!r}")
        self._spawn(self._run(handler, event))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, handler: Handler, event: Event) -> None:
        try:
            await handler(event)
        except EventError as exc:
            self.send_error(exc.code, exc.message)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("event handler failed", extra={"event_type": event["type"]})
            self.send_error("handler_failed", f"could not handle {event['type']!r}")


def _decode(text: str) -> Event:
    try:
        event = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventError("bad_json", f"message is not valid JSON: {exc.msg}") from None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise EventError("bad_message", 'a message is a JSON object with a string "type"')
    return event
