"""Object storage: a local directory or S3/MinIO, chosen by `OBJECT_STORE_URL`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from storage.objects.base import ObjectInfo, ObjectStore
from storage.objects.keys import validate_key
from storage.objects.local import LocalObjectStore
from storage.objects.s3 import S3ObjectStore

__all__ = [
    "LocalObjectStore",
    "ObjectInfo",
    "ObjectStore",
    "S3ObjectStore",
    "open_store",
    "validate_key",
]


async def open_store(
    url: str,
    *,
    s3_endpoint: str | None = None,
    s3_access_key: str = "",
    s3_secret_key: str = "",
    s3_secure: bool = True,
    s3_region: str | None = None,
) -> ObjectStore:
    """Open the store an URL names: `file:///abs/dir` or `s3://bucket`."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalObjectStore(Path(parsed.path))
    if parsed.scheme == "s3":
        if not s3_endpoint:
            raise ValueError("S3_ENDPOINT is required for an s3:// OBJECT_STORE_URL")
        store = S3ObjectStore(
            parsed.netloc,
            s3_endpoint,
            s3_access_key,
            s3_secret_key,
            secure=s3_secure,
            region=s3_region,
        )
        await store.ensure_bucket()
        return store
    raise ValueError(f"unsupported object store URL scheme {parsed.scheme!r}")
