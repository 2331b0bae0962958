"""Getting recordings off this host: every closed segment goes to the object store as soon as
it exists, and when a session ends (or after a crash) the segments are made into the finished
files (`media.compose`: `interviews/{id}/audio.ogg` with both voices mixed, the stems
`audio.candidate.ogg` / `audio.interviewer.ogg`, `video.webm`, and `interview.webm` with
picture and sound), in a worker thread, and the record is updated.

The local spool (`<data-dir>/spool/<interview id>/<track>/NNNNNN.ext`) is the working copy
and is deleted only once the final files are stored, so an object store that is down
delays the upload but loses nothing; a killed process loses at most the segment being
written (≤ 5 s), which the next start salvages and finalises.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from media.compose import Composition, compose_recording
from server import metrics
from storage import NotFound, ObjectStoreUnavailable
from storage.objects import ObjectStore
from storage.queries.interviews import RecordedTrack

log = logging.getLogger(__name__)

CONTENT_TYPES = {".ogg": "audio/ogg", ".webm": "video/webm"}
READ_CHUNK_BYTES = 1024 * 1024
RETRY_MIN_S = 0.5
RETRY_MAX_S = 10.0


# By what the file holds: "audio" (the mix), "video", "interview" (video + mix), "candidate",
# "interviewer" (the voice stems); see media.compose.OUTPUT_NAMES.
FinalRecording = dict[str, RecordedTrack]
OnFinalized = Callable[[str, FinalRecording], Awaitable[None]]


def segment_key(interview_id: str, track: str, path: Path) -> str:
    return f"interviews/{interview_id}/segments/{track}/{path.name.removesuffix('.part')}"


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as f:
        while chunk := await asyncio.to_thread(f.read, READ_CHUNK_BYTES):
            yield chunk


class RecordingShipper:
    """Uploads segments as they close and finalises recordings, retrying while the store is down."""

    def __init__(
        self,
        store: ObjectStore,
        spool_root: Path,
        on_finalized: OnFinalized,
        *,
        retry_max_s: float = RETRY_MAX_S,
    ) -> None:
        self.store = store
        self.spool_root = spool_root
        self.final_root = spool_root.parent / "spool-final"
        self._on_finalized = on_finalized
        self._retry_max_s = retry_max_s
        self._queue: asyncio.Queue[tuple[str, str, Path]] = asyncio.Queue()
        self._pending: dict[str, int] = defaultdict(int)
        self._drained: dict[str, asyncio.Event] = {}
        self._finalizing: dict[str, asyncio.Task[FinalRecording | None]] = {}
        self._worker: asyncio.Task[None] | None = None
        self.uploaded_segments = 0
        self.retries = 0

    def spool_dir(self, interview_id: str) -> Path:
        return self.spool_root / interview_id

    async def start(self) -> None:
        self.spool_root.mkdir(parents=True, exist_ok=True)
        self._worker = asyncio.create_task(self._upload_segments(), name="segment-uploader")

    def segment_closed(self, interview_id: str, track: str, path: Path) -> None:
        """Called on the event loop by the recorder for every closed segment: never blocks."""
        self._pending[interview_id] += 1
        self._drained.setdefault(interview_id, asyncio.Event()).clear()
        self._queue.put_nowait((interview_id, track, path))

    def finalize(self, interview_id: str) -> asyncio.Task[FinalRecording | None]:
        """Start (or join) finalising one interview's recording; retries until it is stored."""
        task = self._finalizing.get(interview_id)
        if task is None or task.done():
            task = asyncio.create_task(
                self._finalize(interview_id), name=f"finalize-{interview_id}"
            )
            self._finalizing[interview_id] = task
            task.add_done_callback(lambda t: self._forget(interview_id, t))
        return task

    def _forget(self, interview_id: str, task: asyncio.Task[FinalRecording | None]) -> None:
        """A finished finalisation is dropped (kept, one per interview ever, they grew RSS)."""
        if self._finalizing.get(interview_id) is task:
            del self._finalizing[interview_id]

    def busy(self, interview_id: str) -> bool:
        """Whether this process still has work on the interview's recording (for "processing")."""
        task = self._finalizing.get(interview_id)
        return (
            (task is not None and not task.done())
            or bool(self._pending.get(interview_id))
            or self.spool_dir(interview_id).is_dir()
        )

    def leftover_interviews(self) -> list[str]:
        """Interview ids with a spool on disk: sessions a crash or a stop left unfinished."""
        if not self.spool_root.is_dir():
            return []
        return sorted(p.name for p in self.spool_root.iterdir() if p.is_dir())

    async def close(self, timeout_s: float = 10.0) -> None:
        """Give running finalisations a bounded time; what is left stays spooled for next start."""
        running = [t for t in self._finalizing.values() if not t.done()]
        if running:
            _, still = await asyncio.wait(running, timeout=timeout_s)
            for task in still:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    async def _upload_segments(self) -> None:
        while True:
            interview_id, track, path = await self._queue.get()
            try:
                if path.exists():
                    key = segment_key(interview_id, track, path)
                    await self._put_file(key, path)
                    self.uploaded_segments += 1
                    metrics.SEGMENTS_UPLOADED.inc()
            except FileNotFoundError:
                pass  # finalised meanwhile: the final file supersedes the segment
            except Exception:
                log.exception("segment upload failed", extra={"interview_id": interview_id})
            finally:
                self._pending[interview_id] -= 1
                if self._pending[interview_id] <= 0:
                    self._pending.pop(interview_id, None)
                    self._drained.setdefault(interview_id, asyncio.Event()).set()

    async def _put_file(self, key: str, path: Path) -> None:
        """Upload a file, retrying with back-off for as long as the store is unavailable."""
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        delay = RETRY_MIN_S
        while True:
            try:
                await self.store.put_stream(key, _file_chunks(path), content_type)
                return
            except ObjectStoreUnavailable as exc:
                self.retries += 1
                metrics.STORE_RETRIES.inc()
                log.warning(
                    "object store unavailable, will retry", extra={"key": key, "error": str(exc)}
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max_s)

    async def _finalize(self, interview_id: str) -> FinalRecording | None:
        if self._pending.get(interview_id):
            await self._drained[interview_id].wait()
        spool = self.spool_dir(interview_id)
        if not spool.is_dir():
            # Nothing was recorded: say so, so nobody waits for a recording that will not come.
            await self._on_finalized(interview_id, {})
            return None
        out_dir = self.final_root / interview_id
        made: Composition = await asyncio.to_thread(compose_recording, spool, out_dir)
        final: FinalRecording = {}
        uploaded: dict[Path, str] = {}
        for name, result in made.items():
            key = uploaded.get(result.path) or f"interviews/{interview_id}/{result.path.name}"
            if result.path not in uploaded:
                await self._put_file(key, result.path)
                uploaded[result.path] = key
            final[name] = RecordedTrack(key=key, duration_s=result.duration_s)
        await self._on_finalized(interview_id, final)
        await self._drop_segments(interview_id)
        await asyncio.to_thread(shutil.rmtree, spool, True)
        await asyncio.to_thread(shutil.rmtree, out_dir, True)
        self._drained.pop(interview_id, None)
        log.info(
            "recording finalised", extra={"interview_id": interview_id, "tracks": sorted(final)}
        )
        return final

    async def _drop_segments(self, interview_id: str) -> None:
        """The final files are stored: the uploaded segments are redundant now."""
        prefix = f"interviews/{interview_id}/segments/"
        try:
            for info in await self.store.list(prefix):
                with contextlib.suppress(NotFound):
                    await self.store.delete(info.key)
        except ObjectStoreUnavailable:
            log.warning("could not delete uploaded segments", extra={"interview_id": interview_id})
