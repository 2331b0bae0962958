"""Playback of recordings through the local object store: authenticated, with Range."""

from __future__ import annotations

from sqlalchemy import update

from server.state import DB, OBJECTS
from storage.models import Interview
from tests.http.helpers import create_interview, signup


async def test_media_urls_and_ranged_streaming(client) -> None:
    await signup(client)
    iv = await create_interview(client)
    empty = await (await client.get(f"/api/interviews/{iv['id']}/media")).json()
    assert empty == {"audio": None, "video": None, "interview": None,
                     "stems": {"candidate": None, "interviewer": None}, "state": "none"}

    key = f"interviews/{iv['id']}/audio.ogg"
    await client.app[OBJECTS].put_bytes(key, bytes(range(256)) * 40, "audio/ogg")
    async with client.app[DB].begin() as s:
        await s.execute(update(Interview).where(Interview.id == iv["id"]).values(audio_key=key))

    urls = await (await client.get(f"/api/interviews/{iv['id']}/media")).json()
    assert urls["video"] is None and urls["interview"] is None
    assert urls["state"] == "ready"
    assert urls["audio"]["content_type"] == "audio/ogg"
    url = urls["audio"]["url"]
    full = await client.get(url)
    assert full.status == 200
    assert len(await full.read()) == 10240
    part = await client.get(url, headers={"Range": "bytes=256-259"})
    assert part.status == 206
    assert await part.read() == bytes([0, 1, 2, 3])
    assert part.headers["Content-Range"] == "bytes 256-259/10240"

    await client.post("/api/auth/logout")
    assert (await client.get(url)).status == 401
