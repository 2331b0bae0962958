"""A session's events to the browser: sent at once on an open data channel, held otherwise.

Events happen before the browser's channel opens (the greeting's captions) and while the
candidate is away between a lost connection and a rejoin (issue 9). They wait here, bounded,
and go out when a channel opens: first the room as it is, then, on a rejoin, the recent
captions (a reloaded page starts empty), then what was held.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from server.live.events import EventChannel

UNSENT_EVENTS_MAX = 200


class EventOutbox:
    def __init__(
        self,
        room_event: Callable[[], dict[str, Any]],
        recent_captions: Callable[[], list[dict[str, Any]]],
        *,
        max_held: int = UNSENT_EVENTS_MAX,
    ) -> None:
        self._room_event = room_event
        self._recent_captions = recent_captions
        self._held: deque[dict[str, Any]] = deque(maxlen=max_held)
        self.channel: EventChannel | None = None
        self.ready = asyncio.Event()  # set while a channel is open and caught up

    def send(self, event: dict[str, Any]) -> None:
        """Send now, or as soon as a data channel is open (the oldest go first when full)."""
        if self.channel is not None and self.ready.is_set():
            self.channel.send(event)
        else:
            self._held.append(event)

    def send_if_open(self, event: dict[str, Any]) -> None:
        """Send only to an open channel (state that the next channel gets anyway)."""
        if self.channel is not None and self.ready.is_set():
            self.channel.send(event)

    def opened(self, channel: EventChannel, *, rejoined: bool) -> None:
        """`channel` is open: catch it up, then send directly."""
        self.channel = channel
        channel.send(self._room_event())
        if rejoined:  # its captions come from the transcript, not from what was held
            for event in self._recent_captions():
                channel.send(event)
            self._held = deque(
                (e for e in self._held if e.get("type") != "caption"), maxlen=self._held.maxlen
            )
        while self._held:
            channel.send(self._held.popleft())
        self.ready.set()

    def detach(self) -> EventChannel | None:
        """The connection is gone: hold events again; returns the old channel to close."""
        channel, self.channel = self.channel, None
        self.ready.clear()
        return channel
