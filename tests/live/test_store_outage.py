"""The object store goes away mid-interview: the call is unaffected and nothing is lost."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import av

from server.http.app import create_app
from server.state import SESSIONS
from tests.http.helpers import signup
from tests.live.conftest import new_interview, rtc_settings, wait_for_record
from tests.peers import CandidatePeer
from tests.services import TcpProxy


async def test_recording_survives_an_object_store_outage(aiohttp_client, tmp_path, s3) -> None:
    proxy = TcpProxy(s3.port)
    await proxy.restore()
    settings = rtc_settings(
        tmp_path,
        object_store_url=f"s3://rec-{uuid.uuid4().hex[:8]}",
        s3_endpoint=proxy.endpoint,
        s3_access_key=s3.access_key,
        s3_secret_key=s3.secret_key,
        s3_secure=False,
        s3_region=s3.region,
    )
    client = await aiohttp_client(create_app(settings))
    await signup(client)
    interview_id = await new_interview(client)
    peer = CandidatePeer(freq_hz=660.0)
    await peer.connect(client, interview_id)
    await asyncio.sleep(1.5)
    await proxy.cut()
    await asyncio.sleep(3.0)
    heard_during_outage = peer.heard()
    peer.send({"type": "ping", "id": "during"})
    assert (await peer.wait_event("pong"))["id"] == "during"
    call_s = peer.audio.sent_s
    peer.send({"type": "session.end"})
    record = await wait_for_record(client, interview_id, lambda r: r["status"] == "completed")
    await peer.close()
    assert len(heard_during_outage) > 48_000 * 2  # the agent kept talking
    await asyncio.sleep(1.0)
    assert not (await (await client.get(f"/api/interviews/{interview_id}")).json())["has_audio"]
    assert client.app[SESSIONS].shipper.retries > 0

    await proxy.restore()
    record = await wait_for_record(client, interview_id, lambda r: r["has_audio"], 60)
    assert record["has_video"]
    media = await (await client.get(f"/api/interviews/{interview_id}/media")).json()
    seconds = {}
    for name, url in (("mix", media["audio"]["url"]),
                      ("candidate", media["stems"]["candidate"]["url"])):
        async with aiohttp.ClientSession() as http, http.get(url) as resp:
            assert resp.status == 200
            data = await resp.read()
        path = tmp_path / f"{name}.ogg"
        path.write_bytes(data)
        with av.open(str(path)) as container:
            seconds[name] = sum(f.samples for f in container.decode(audio=0)) / 48_000
    assert abs(seconds["candidate"] - call_s) < 0.1 * call_s
    # The mix also holds the interviewer, whose track runs until the server hangs up.
    assert seconds["candidate"] - 0.1 <= seconds["mix"] <= seconds["candidate"] + 2.0
    spool = settings.data_dir / "spool" / interview_id
    for _ in range(100):  # the spool goes once the record points at the stored files
        if not spool.exists():
            break
        await asyncio.sleep(0.1)
    assert not spool.exists()
    await proxy.cut()
