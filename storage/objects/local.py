"""Object store backed by a local directory (the embedded default)."""

from __future__ import annotations

import asyncio
import mimetypes
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from storage.errors import InvalidKey, NotFound
from storage.objects.base import ObjectInfo
from storage.objects.keys import validate_key, validate_prefix

CHUNK_BYTES = 256 * 1024
_TYPE_SUFFIX = ".content-type"


class LocalObjectStore:
    """Files under `root`; writes go to a temp file first and are renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidKey(f"object key {key!r} escapes the store")
        return path

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str = "application/octet-stream",
    ) -> ObjectInfo:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                async for chunk in chunks:
                    await asyncio.to_thread(tmp.write, chunk)
                await asyncio.to_thread(os.fsync, tmp.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self._type_path(path).write_text(content_type)
        return await self.stat(key)

    async def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> ObjectInfo:
        """All of it on a worker thread: opening, fsync and renaming files take milliseconds
        on a busy disk, which the event loop must not spend (measured by evals/bench_canvas.py:
        ~5 ms per `open` under load)."""
        path = self.path_for(key)
        return await asyncio.to_thread(self._write_bytes, key, path, data, content_type)

    def _write_bytes(self, key: str, path: Path, data: bytes, content_type: str) -> ObjectInfo:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        self._type_path(path).write_text(content_type)
        st = path.stat()
        return ObjectInfo(key=key, size=st.st_size, content_type=content_type,
                          modified=datetime.fromtimestamp(st.st_mtime, UTC))

    async def get(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._existing(key)
        last = path.stat().st_size - 1 if end is None else end
        with path.open("rb") as f:
            f.seek(start)
            remaining = last - start + 1
            while remaining > 0:
                chunk = await asyncio.to_thread(f.read, min(CHUNK_BYTES, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        return b"".join([c async for c in self.get(key, start, end)])

    async def stat(self, key: str) -> ObjectInfo:
        path = self._existing(key)
        st = path.stat()
        return ObjectInfo(
            key=key,
            size=st.st_size,
            content_type=self._content_type(path),
            modified=datetime.fromtimestamp(st.st_mtime, UTC),
        )

    async def delete(self, key: str) -> None:
        path = self.path_for(key)
        path.unlink(missing_ok=True)
        self._type_path(path).unlink(missing_ok=True)

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        validate_prefix(prefix)
        found = []
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                found.append(await self.stat(key))
        return found

    async def playback_url(self, key: str, expires_s: int = 3600) -> str | None:
        self._existing(key)
        return None

    async def close(self) -> None:
        return None

    def _existing(self, key: str) -> Path:
        path = self.path_for(key)
        if not path.is_file():
            raise NotFound("object", key)
        return path

    @staticmethod
    def _type_path(path: Path) -> Path:
        return path.with_name("." + path.name + _TYPE_SUFFIX)

    def _content_type(self, path: Path) -> str:
        type_path = self._type_path(path)
        if type_path.is_file():
            return type_path.read_text()
        return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
