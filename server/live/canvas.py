"""The whiteboard of one live session: `canvas.snapshot` events checked, stored, acknowledged
and kept for the agents.

A snapshot is checked on a worker thread (server/live/canvas_check.py), its PNG written to
`interviews/{id}/canvas/{seq}.png`, then its row committed with the interview's
`canvas_snapshot_count` (storage/queries/canvas.py); only then does the browser get
`canvas.saved`, so an acknowledged snapshot survives a crash. A scene identical to the last
stored one is acknowledged as a duplicate and not stored again. Stores run one at a time, in
arrival order; a flood is refused (`rate_limited`), and so is a backlog beyond
`MAX_PENDING`. Nothing here can end the call: every failure is an `error` event.

The agents read the newest `RING_SIZE` snapshots from memory (`latest`, `changes`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.hooks import BoardSnapshot
from server import metrics
from server.live.canvas_check import SnapshotRefused, check_snapshot
from server.live.events import Event, EventError, TokenBucket
from storage.models import Interview, utcnow
from storage.objects import ObjectStore
from storage.queries import canvas

log = logging.getLogger(__name__)

RING_SIZE = 5
SNAPSHOTS_PER_S = 1.0  # the web client sends at most one per ~2 s
SNAPSHOT_BURST = 4.0
MAX_PENDING = 3


class CanvasKeeper:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        objects: ObjectStore,
        interview_id: str,
        send_event: Callable[[dict[str, Any]], None],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._objects = objects
        self.interview_id = interview_id
        self._send = send_event
        self._bucket = TokenBucket(SNAPSHOTS_PER_S, SNAPSHOT_BURST, clock)
        self._lock = asyncio.Lock()
        self._pending = 0
        self._loaded = False
        self._next_seq = 1
        self._started_at: datetime | None = None
        self._last_scene: str | None = None
        self._last_seq: int | None = None
        self._changed = asyncio.Event()
        self._closed = False
        self.ring: deque[BoardSnapshot] = deque(maxlen=RING_SIZE)
        self.stored = 0
        self.duplicates = 0

    # -- the data-channel handler --------------------------------------------------------

    async def on_snapshot(self, event: Event) -> None:
        if not self._bucket.take():
            metrics.CANVAS_REFUSED.labels("rate_limited").inc()
            raise EventError("rate_limited", "too many canvas snapshots; at most one a second")
        if self._pending >= MAX_PENDING:
            metrics.CANVAS_REFUSED.labels("busy").inc()
            raise EventError("canvas_busy", "canvas snapshots are arriving faster than stored")
        self._pending += 1
        try:
            try:
                checked = await asyncio.to_thread(check_snapshot, event)
            except SnapshotRefused as exc:
                metrics.CANVAS_REFUSED.labels(exc.code).inc()
                raise EventError(exc.code, f"canvas.snapshot refused: {exc.message}") from None
            async with self._lock:
                await self._store(checked)
        finally:
            self._pending -= 1

    async def _store(self, checked: Any) -> None:
        await self._load()
        if checked.scene_hash == self._last_scene:
            self.duplicates += 1
            self._send({"type": "canvas.saved", "seq": self._last_seq, "version": checked.version,
                        "sha256": checked.sha256, "duplicate": True})
            return
        seq = self._next_seq
        key = canvas.snapshot_key(self.interview_id, seq)
        try:
            await self._objects.put_bytes(key, checked.png, "image/png")
        except Exception as exc:
            log.warning("canvas object write failed", extra={
                "interview_id": self.interview_id, "error": str(exc)})
            raise EventError("store_failed", "could not save the whiteboard; keep drawing, "
                             "the next snapshot will try again") from None
        offset_s = None
        if self._started_at is not None:
            offset_s = round((utcnow() - self._started_at).total_seconds(), 3)
        try:
            async with self._db.begin() as s:
                await canvas.add_snapshot(s, self.interview_id, seq, canvas.NewSnapshot(
                    object_key=key, elements=checked.elements, app_state=checked.app_state,
                    offset_s=offset_s, width=checked.width, height=checked.height,
                    sha256=checked.sha256, scene_hash=checked.scene_hash,
                ))
        except Exception as exc:
            log.warning("canvas row write failed", extra={
                "interview_id": self.interview_id, "error": str(exc)})
            try:
                await self._objects.delete(key)
            except Exception:
                log.debug("orphan canvas object left behind", exc_info=True)
            raise EventError("store_failed", "could not save the whiteboard; keep drawing, "
                             "the next snapshot will try again") from None
        self._next_seq = seq + 1
        self._last_scene = checked.scene_hash
        self._last_seq = seq
        self.stored += 1
        metrics.CANVAS_STORED.inc()
        self.ring.append(BoardSnapshot(
            seq=seq, png=checked.png, elements=checked.elements, sha256=checked.sha256,
            width=checked.width, height=checked.height, version=checked.version,
        ))
        self._changed.set()
        self._send({"type": "canvas.saved", "seq": seq, "version": checked.version,
                    "sha256": checked.sha256, "duplicate": False})

    async def _load(self) -> None:
        """Once per session: where numbering continues, when the interview started, and the
        last stored scene (a reload re-sends it: that is not a new snapshot)."""
        if self._loaded:
            return
        async with self._db() as s:
            self._next_seq = await canvas.next_seq(s, self.interview_id)
            row = await s.get(Interview, self.interview_id)
            self._started_at = row.started_at if row is not None else None
            last = await canvas.latest_snapshot(s, self.interview_id)
            if last is not None:
                self._last_scene, self._last_seq = last.scene_hash, last.seq
        self._loaded = True

    # -- what the agents read ------------------------------------------------------------

    def latest(self) -> BoardSnapshot | None:
        return self.ring[-1] if self.ring else None

    async def changes(self) -> AsyncIterator[BoardSnapshot]:
        seen: int | None = None
        while not self._closed:
            await self._changed.wait()
            self._changed.clear()
            latest = self.latest()
            if latest is not None and latest.seq != seen:
                seen = latest.seq
                yield latest

    async def save_review(self, review: dict[str, Any]) -> None:
        """An expert's review of this board, stored with the interview."""
        async with self._db.begin() as s:
            await canvas.add_review(
                s, self.interview_id,
                company=str(review.get("company", "")),
                expert=str(review.get("expert", "")),
                question=str(review.get("question", "")),
                snapshot_seq=review.get("snapshot_seq"),
                review=dict(review.get("review") or {}),
            )

    def close(self) -> None:
        self._closed = True
        self._changed.set()
