"""Transcripts of a live session: captions to the browser at once, final lines to the DB.

Final lines are queued and written by one task; whatever has queued up while a write was
in flight goes in the next transaction, so a busy database gets batches, not a commit per
line, and an idle one gets each line within milliseconds of it being spoken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import utcnow
from storage.queries import transcripts
from storage.queries.transcripts import NewRow

log = logging.getLogger(__name__)

RECENT_LINES = 100  # final lines sent again to a rejoined page


class TranscriptWriter:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        interview_id: str,
        send_event: Callable[[dict[str, Any]], None],
    ) -> None:
        self._db = db
        self._interview_id = interview_id
        self._send_event = send_event
        self._queue: asyncio.Queue[NewRow | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._seq: int | None = None
        self._recent: deque[dict[str, Any]] = deque(maxlen=RECENT_LINES)
        self.written = 0

    async def start(self) -> None:
        async with self._db() as s:
            self._seq = await transcripts.next_seq(s, self._interview_id)
        self._task = asyncio.create_task(self._write_loop())

    def add(self, speaker: str, text: str, final: bool) -> None:
        text = text.strip()
        if not text:
            return
        event = {"type": "caption", "speaker": speaker, "text": text, "final": final}
        self._send_event(event)
        if final:
            self._recent.append(event)
            assert self._seq is not None, "start() first"
            self._queue.put_nowait(NewRow(self._seq, speaker, text, utcnow()))
            self._seq += 1

    def recent(self) -> list[dict[str, Any]]:
        """The last final lines as caption events, oldest first (for a rejoined page)."""
        return list(self._recent)

    async def close(self) -> None:
        """Write everything queued, then stop."""
        if self._task is None:
            return
        self._queue.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _write_loop(self) -> None:
        done = False
        while not done:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            rows = [r for r in batch if r is not None]
            done = len(rows) < len(batch)
            if rows:
                await self._write(rows)

    async def _write(self, rows: list[NewRow]) -> None:
        for attempt in range(5):
            try:
                async with self._db.begin() as s:
                    await transcripts.add_rows(s, self._interview_id, rows)
                self.written += len(rows)
                return
            except Exception:
                log.exception("transcript write failed", extra={"attempt": attempt})
                await asyncio.sleep(0.2 * 2**attempt)
