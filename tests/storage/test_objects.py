"""The object store, local directory and a real S3-protocol server (moto) on loopback."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from storage import InvalidKey, NotFound
from storage.objects import LocalObjectStore, S3ObjectStore, open_store


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "local":
        return await open_store(f"file://{tmp_path / 'objects'}")
    s3 = request.getfixturevalue("s3")
    return await open_store(
        f"s3://bucket-{uuid.uuid4().hex[:8]}",
        s3_endpoint=s3.endpoint,
        s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key,
        s3_secure=False,
        s3_region=s3.region,
    )


def _pattern(i: int, size: int) -> bytes:
    seed = hashlib.sha256(str(i).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


async def test_put_stat_read_list_delete(store) -> None:
    info = await store.put_bytes("interviews/a/transcript.txt", b"hello world", "text/plain")
    assert info.size == 11
    await store.put_bytes("interviews/a/snapshots/1.png", b"\x89PNG", "image/png")
    await store.put_bytes("interviews/b/audio.ogg", b"ogg", "audio/ogg")
    stat = await store.stat("interviews/a/transcript.txt")
    assert (stat.size, stat.content_type) == (11, "text/plain")
    assert await store.read("interviews/a/transcript.txt") == b"hello world"
    assert await store.read("interviews/a/transcript.txt", 6, 10) == b"world"
    keys = [o.key for o in await store.list("interviews/a/")]
    assert keys == ["interviews/a/snapshots/1.png", "interviews/a/transcript.txt"]
    await store.delete("interviews/a/transcript.txt")
    with pytest.raises(NotFound):
        await store.stat("interviews/a/transcript.txt")
    with pytest.raises(NotFound):
        await store.read("interviews/a/transcript.txt")


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "/abs/path", "a/../../b", "a//b", "a/./b", "a\\b", "", "a/b/", "x" * 600,
     "a/\x00b", "a/.hidden/../x"],
)
async def test_keys_that_could_escape_are_refused(store, key: str) -> None:
    with pytest.raises(InvalidKey):
        await store.put_bytes(key, b"x")
    with pytest.raises(InvalidKey):
        await store.stat(key)


async def test_local_store_never_writes_outside_its_root(tmp_path) -> None:
    store = LocalObjectStore(tmp_path / "root")
    (tmp_path / "outside").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(InvalidKey):
        await store.put_bytes("link/evil.txt", b"x")
    assert not (tmp_path / "outside" / "evil.txt").exists()


async def test_large_upload_of_unknown_length_and_ranged_read(store) -> None:
    """≥ 100 MB from a stream whose length is not known up front (multipart on S3)."""
    chunk_size, chunks = 1024 * 1024 + 7, 100
    digest = hashlib.sha256()

    async def stream() -> AsyncIterator[bytes]:
        for i in range(chunks):
            data = _pattern(i, chunk_size)
            digest.update(data)
            yield data

    info = await store.put_stream("interviews/big/video.webm", stream(), "video/webm")
    total = chunk_size * chunks
    assert info.size == total >= 100 * 1024 * 1024
    start = chunk_size * 57 + 100
    got = await store.read("interviews/big/video.webm", start, start + 999)
    assert got == _pattern(57, chunk_size)[100:1100]
    check = hashlib.sha256()
    async for part in store.get("interviews/big/video.webm"):
        check.update(part)
    assert check.hexdigest() == digest.hexdigest()


async def test_failed_stream_leaves_no_object(store) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"a" * 1000
        raise ConnectionError("peer went away")

    with pytest.raises(ConnectionError):
        await store.put_stream("interviews/x/partial.bin", broken())
    with pytest.raises(NotFound):
        await store.stat("interviews/x/partial.bin")


async def test_playback_url_is_presigned_on_s3_and_none_locally(store) -> None:
    await store.put_bytes("interviews/p/audio.ogg", b"0123456789", "audio/ogg")
    url = await store.playback_url("interviews/p/audio.ogg")
    if isinstance(store, LocalObjectStore):
        assert url is None
        return
    assert isinstance(store, S3ObjectStore)
    assert "X-Amz-Signature=" in url
    async with aiohttp.ClientSession() as http:
        async with http.get(url, headers={"Range": "bytes=2-5"}) as resp:
            assert resp.status == 206
            assert await resp.read() == b"2345"
