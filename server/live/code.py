"""The coding room's part of a live session: the candidate's latest code, its snapshots, and
the run/submit results on their way to the interviewer.

`code.update` events (the browser sends them about once a second while the candidate types)
replace the latest code; a snapshot is stored at every run and submit, every 30 s while the
code changes, and once at the end if it changed since the last one. Results go to the agent
through a small bounded queue: an agent that is not reading loses the oldest, never the call.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.live.events import Event, EventError
from storage.queries import code as code_queries
from storage.vocabulary import CODE_LANGUAGES

log = logging.getLogger(__name__)

MAX_CODE_BYTES = 64 * 1024
SNAPSHOT_EVERY_S = 30.0
RESULTS_QUEUE_MAX = 16
MAX_HINTS = 20


@dataclass
class CodeState:
    language: str
    code: str
    question_slug: str | None
    changed_at: float  # monotonic seconds
    version: int


def check_code(language: Any, code: Any) -> tuple[str, str]:
    """The (language, code) of a request, or an `EventError` that says what is wrong."""
    if language not in CODE_LANGUAGES:
        raise EventError(
            "invalid", f"unknown language {language!r}; use one of {', '.join(CODE_LANGUAGES)}"
        )
    if not isinstance(code, str):
        raise EventError("invalid", 'code.update needs a "code" string')
    if len(code.encode("utf-8", "surrogatepass")) > MAX_CODE_BYTES:
        raise EventError("too_large", f"code is longer than {MAX_CODE_BYTES // 1024} KB")
    return language, code


class CodeDesk:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        interview_id: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._interview_id = interview_id
        self._clock = clock
        self.state: CodeState | None = None
        self._snapshot_version = 0
        self._snapshot_at = float("-inf")
        self._write_lock = asyncio.Lock()
        self._results: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=RESULTS_QUEUE_MAX)
        self.snapshots = 0
        self.dropped_results = 0

    # -- from the browser ---------------------------------------------------------------

    async def on_update(self, event: Event) -> None:
        """The `code.update` handler: keep the latest, snapshot every 30 s while it changes."""
        language, code = check_code(event.get("language"), event.get("code"))
        slug = event.get("question_slug")
        slug = slug[:100] if isinstance(slug, str) and slug else None
        self.update(language, code, slug)
        if self._clock() - self._snapshot_at >= SNAPSHOT_EVERY_S:
            await self.snapshot("edit")

    async def on_hint(self, event: Event) -> None:
        """The `code.hint` handler: the candidate revealed hint `index` in the question panel."""
        index = event.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < MAX_HINTS:
            raise EventError("invalid", f'code.hint needs an "index" from 0 to {MAX_HINTS - 1}')
        slug = event.get("question_slug")
        slug = slug[:100] if isinstance(slug, str) else None
        async with self._db.begin() as s:
            await code_queries.record_hint(s, self._interview_id, slug, index)

    def update(self, language: str, code: str, question_slug: str | None = None) -> None:
        state = self.state
        if state is not None and state.language == language and state.code == code:
            return
        version = (state.version if state else 0) + 1
        slug = question_slug or (state.question_slug if state else None)
        self.state = CodeState(language, code, slug, self._clock(), version)

    # -- from the run/submit routes -------------------------------------------------------

    async def on_result(
        self, kind: str, language: str, code: str, question_slug: str, result: dict[str, Any]
    ) -> None:
        """A run or submission was judged: snapshot the code it ran and tell the agent."""
        self.update(language, code, question_slug)
        await self.snapshot(kind)
        item = {"kind": kind, "language": language, "question_slug": question_slug, **result}
        while True:
            try:
                self._results.put_nowait(item)
                return
            except asyncio.QueueFull:
                self._results.get_nowait()
                self.dropped_results += 1

    async def close(self) -> None:
        if self.state is not None and self.state.version != self._snapshot_version:
            await self.snapshot("end")

    # -- for the agent ----------------------------------------------------------------------

    def current(self) -> dict[str, Any] | None:
        s = self.state
        if s is None:
            return None
        return {
            "language": s.language,
            "code": s.code,
            "question_slug": s.question_slug,
            "unchanged_s": round(self._clock() - s.changed_at, 1),
            "version": s.version,
        }

    async def results(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self._results.get()

    # -- storage -------------------------------------------------------------------------------

    async def snapshot(self, reason: str) -> None:
        async with self._write_lock:
            state = self.state
            if state is None:
                return
            if reason == "edit" and (
                state.version == self._snapshot_version
                or self._clock() - self._snapshot_at < SNAPSHOT_EVERY_S
            ):
                return
            self._snapshot_at = self._clock()
            self._snapshot_version = state.version
            try:
                async with self._db.begin() as s:
                    row = await code_queries.add_snapshot(
                        s,
                        self._interview_id,
                        reason=reason,
                        language=state.language,
                        code=state.code,
                        question_slug=state.question_slug,
                    )
                self.snapshots += row is not None
            except Exception:  # the database is down: the call goes on, the next one retries
                self._snapshot_version = 0
                log.exception("code snapshot failed", extra={"interview_id": self._interview_id})
