"""The interviewer follows the whiteboard: each stored snapshot's elements become a short
description (agents/scene.py), sent to the live model as context that asks for no reply,
only when it changed, and only while the interviewer is quiet (context sent mid-speech would
cut the model off). The PNG goes in too, as a realtime image, at most one every
`IMAGE_MIN_INTERVAL_S` and only when it changed. Late expert reviews use the same quiet slot.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from google.genai import types

from agents.hooks import AgentIO, BoardSnapshot
from agents.live import LiveBridge
from agents.scene import describe_elements

IMAGE_MIN_INTERVAL_S = 5.0
QUIET_BEFORE_NOTE_S = 0.8
POLL_S = 0.25
MAX_WAITING_NOTES = 4


class BoardWatcher:
    def __init__(
        self,
        io: AgentIO,
        bridge: LiveBridge,
        *,
        send_images: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.io = io
        self.bridge = bridge
        self.send_images = send_images
        self._clock = clock
        self.description = ""
        self.notes_sent = 0
        self.images_sent = 0
        self._waiting: deque[str] = deque(maxlen=MAX_WAITING_NOTES)
        self._board_note: str | None = None  # only the newest description matters
        self._image: BoardSnapshot | None = None
        self._image_sha: str | None = None
        self._image_at = -IMAGE_MIN_INTERVAL_S

    def note(self, text: str) -> None:
        """Context for the model at its next quiet moment (e.g. a late expert review)."""
        self._waiting.append(text)

    async def run(self) -> None:
        watcher = asyncio.create_task(self._watch())
        try:
            while True:
                await asyncio.sleep(POLL_S)
                self._flush()
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)

    async def _watch(self) -> None:
        async for snapshot in self.io.board_changes():
            description = await asyncio.to_thread(describe_elements, snapshot.elements)
            if description and description != self.description:
                self.description = description
                self._board_note = description
            if snapshot.sha256 != self._image_sha:
                self._image = snapshot

    def _flush(self) -> None:
        now = self._clock()
        if self.send_images and self._image is not None \
                and now - self._image_at >= IMAGE_MIN_INTERVAL_S:
            snapshot, self._image = self._image, None
            self._image_sha, self._image_at = snapshot.sha256, now
            self.bridge.queue.send_realtime(types.Blob(data=snapshot.png, mime_type="image/png"))
            self.images_sent += 1
        if self.bridge.agent_quiet_for() < QUIET_BEFORE_NOTE_S:
            return
        if self._board_note is not None:
            note, self._board_note = self._board_note, None
            self.bridge.send_text(note, partial=True)
            self.notes_sent += 1
        while self._waiting:
            self.bridge.send_text(self._waiting.popleft(), partial=True)
            self.notes_sent += 1
