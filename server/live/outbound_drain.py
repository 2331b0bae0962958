"""The interviewer's track played on while no browser is attached (between a lost link and a
rejoin): something must read it at its pace so its clock, and the recording fed from what it
sends, run on; a rejoined peer's sender takes over once it is connected."""

from __future__ import annotations

import asyncio
import contextlib

from aiortc.mediastreams import MediaStreamTrack


class OutboundDrain:
    def __init__(self, track: MediaStreamTrack) -> None:
        self._track = track
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._read())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await self._track.recv()
