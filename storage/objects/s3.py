"""Object store on S3 / MinIO through the `minio` SDK.

The SDK is synchronous, so every call runs in a worker thread. Streams of unknown
length are fed to the SDK's multipart upload through a small bounded pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta

import urllib3
from minio import Minio
from minio.error import S3Error

from storage.errors import NotFound, ObjectStoreUnavailable
from storage.objects.base import ObjectInfo
from storage.objects.keys import validate_key, validate_prefix

PART_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 256 * 1024
_MISSING = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}


class _Aborted(Exception):
    """The producer failed; raised inside the SDK's read so it abandons the upload."""


_ABORT = b""


class _Pipe:
    """A file-like `read(n)` over chunks handed across threads; bounded for back-pressure.

    `None` marks the end; the `_ABORT` object (never a real chunk) aborts the upload.
    """

    def __init__(self, max_chunks: int = 8) -> None:
        self._q: queue.Queue[bytes | None] = queue.Queue(max_chunks)
        self._buf = bytearray()
        self._eof = False

    def put(self, chunk: bytes | None) -> None:
        self._q.put(chunk)

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._buf) < size):
            chunk = self._q.get()
            if chunk is _ABORT:
                raise _Aborted("the stream being uploaded failed")
            if chunk is None:
                self._eof = True
            else:
                self._buf += chunk
        n = len(self._buf) if size < 0 else min(size, len(self._buf))
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


class S3ObjectStore:
    def __init__(
        self,
        bucket: str,
        endpoint: str,
        access_key: str,
        secret_key: str,
        *,
        secure: bool = True,
        region: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.bucket = bucket
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s * 3),
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=(500, 502, 503)),
            maxsize=16,
        )
        self.client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )

    async def ensure_bucket(self) -> None:
        def make() -> None:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)

        await self._call(make)

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str = "application/octet-stream",
    ) -> ObjectInfo:
        validate_key(key)
        pipe = _Pipe()
        upload = asyncio.ensure_future(
            self._call(
                self.client.put_object,
                self.bucket,
                key,
                pipe,
                length=-1,
                part_size=PART_BYTES,
                content_type=content_type,
            )
        )
        loop = asyncio.get_running_loop()
        end: bytes | None = _ABORT
        try:
            async for chunk in chunks:
                if upload.done():
                    break
                if chunk:
                    await loop.run_in_executor(None, pipe.put, bytes(chunk))
            end = None
        finally:
            if not upload.done():
                await loop.run_in_executor(None, pipe.put, end)
            if end is _ABORT:
                with contextlib.suppress(_Aborted, ObjectStoreUnavailable):
                    await upload
        await upload
        return await self.stat(key)

    async def put_bytes(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> ObjectInfo:
        import io

        validate_key(key)
        await self._call(
            self.client.put_object,
            self.bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=content_type,
        )
        return ObjectInfo(key=key, size=len(data), content_type=content_type)

    async def get(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        validate_key(key)
        length = 0 if end is None else end - start + 1
        resp = await self._call(
            self.client.get_object, self.bucket, key, offset=start, length=length
        )
        try:
            while True:
                chunk = await self._call(resp.read, CHUNK_BYTES)
                if not chunk:
                    break
                yield chunk
        finally:
            resp.close()
            resp.release_conn()

    async def read(self, key: str, start: int = 0, end: int | None = None) -> bytes:
        return b"".join([c async for c in self.get(key, start, end)])

    async def stat(self, key: str) -> ObjectInfo:
        validate_key(key)
        st = await self._call(self.client.stat_object, self.bucket, key)
        return ObjectInfo(
            key=key,
            size=st.size or 0,
            content_type=st.content_type or "application/octet-stream",
            modified=st.last_modified,
        )

    async def delete(self, key: str) -> None:
        validate_key(key)
        await self._call(self.client.remove_object, self.bucket, key)

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        validate_prefix(prefix)

        def collect() -> list[ObjectInfo]:
            return [
                ObjectInfo(
                    key=o.object_name or "",
                    size=o.size or 0,
                    content_type="application/octet-stream",
                    modified=o.last_modified,
                )
                for o in self.client.list_objects(self.bucket, prefix=prefix, recursive=True)
            ]

        return await self._call(collect)

    async def playback_url(self, key: str, expires_s: int = 3600) -> str | None:
        await self.stat(key)
        return await self._call(
            self.client.presigned_get_object,
            self.bucket,
            key,
            expires=timedelta(seconds=expires_s),
        )

    async def close(self) -> None:
        return None

    async def _call(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise NotFound("object", str(args[1] if len(args) > 1 else "")) from exc
            raise ObjectStoreUnavailable(f"object store error: {exc.code}") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise ObjectStoreUnavailable(f"object store unreachable: {exc}") from exc
