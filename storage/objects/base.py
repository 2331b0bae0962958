"""The object store interface both backends implement."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    modified: datetime | None = None


class ObjectStore(Protocol):
    """Recordings, snapshots and transcripts live here; keys are checked by `validate_key`."""

    async def put_stream(
        self, key: str, chunks: AsyncIterable[bytes], content_type: str = ...
    ) -> ObjectInfo:
        """Store a stream of unknown length (multipart on S3)."""

    async def put_bytes(self, key: str, data: bytes, content_type: str = ...) -> ObjectInfo: ...

    def get(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Stream the bytes [start, end] (inclusive, like HTTP Range) of an object."""

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes: ...

    async def stat(self, key: str) -> ObjectInfo: ...

    async def delete(self, key: str) -> None: ...

    async def list(self, prefix: str = "") -> list[ObjectInfo]: ...

    async def playback_url(self, key: str, expires_s: int = 3600) -> str | None:
        """A direct URL (presigned on S3), or None when the app must stream it itself."""

    async def close(self) -> None: ...
