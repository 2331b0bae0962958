"""A whole call with an aiortc peer: signalling, recording, the agent's audio, the data channel."""

from __future__ import annotations

import asyncio
import io

import av
import numpy as np

from tests.frames import dominant_hz
from tests.http.helpers import error_of
from tests.live.conftest import new_interview, wait_for_record
from tests.peers import CandidatePeer


async def fetch(client, url: str) -> bytes:  # type: ignore[no-untyped-def]
    resp = await client.get(url)
    assert resp.status == 200, url
    return await resp.read()


def decode_audio(data: bytes) -> tuple[np.ndarray, int]:
    with av.open(io.BytesIO(data)) as container:
        frames = [f.to_ndarray() for f in container.decode(audio=0)]
        rate = container.streams.audio[0].rate
    pcm = np.concatenate([f.reshape(-1) if f.shape[0] == 1 else f[0] for f in frames])
    return pcm, rate


async def test_call_is_recorded_echoed_and_completed(rtc) -> None:
    interview_id = await new_interview(rtc)
    peer = CandidatePeer(freq_hz=440.0)
    await peer.connect(rtc, interview_id)
    record = await (await rtc.get(f"/api/interviews/{interview_id}")).json()
    assert record["status"] == "in_progress" and record["started_at"]

    peer.send({"type": "ping", "id": "p1"})
    assert (await peer.wait_event("pong"))["id"] == "p1"

    await asyncio.sleep(4.0)
    heard = peer.heard()
    loud = heard[np.abs(heard) > 1000]
    assert loud.size > 48_000 * 1.0, "the agent's (echoed) audio did not reach the peer"
    assert abs(dominant_hz(heard[-48_000:], 48_000) - 440) < 10
    # The candidate falls silent, so the echo's last half second is heard alone in the mix:
    # while both sound the same tone, their sum depends on the echo's phase (even cancels).
    peer.audio.muted = True
    await asyncio.sleep(1.0)
    call_s = peer.audio.sent_s

    peer.send({"type": "session.end"})
    record = await wait_for_record(rtc, interview_id, lambda r: r["has_audio"])
    await peer.close()
    assert record["status"] == "completed"
    assert record["metadata"]["end_reason"] == "hang_up"

    media = await (await rtc.get(f"/api/interviews/{interview_id}/media")).json()
    pcm, rate = decode_audio(await fetch(rtc, media["stems"]["candidate"]["url"]))
    assert abs(len(pcm) / rate - call_s) < 0.1 * call_s
    assert abs(dominant_hz(pcm[rate:], rate) - 440) < 10
    voice, _ = decode_audio(await fetch(rtc, media["stems"]["interviewer"]["url"]))
    assert abs(dominant_hz(voice, rate) - 440) < 10  # the echoing agent, recorded
    mixed, _ = decode_audio(await fetch(rtc, media["audio"]["url"]))  # both voices
    assert len(pcm) - rate * 0.1 <= len(mixed) <= len(pcm) + rate * 2.0
    assert abs(dominant_hz(mixed[rate:], rate) - 440) < 10

    video = await fetch(rtc, media["video"]["url"])
    with av.open(io.BytesIO(video)) as container:
        times = [f.time for f in container.decode(video=0)]
    assert len(times) > 30
    assert times[-1] - times[0] > 0.7 * call_s


async def test_malformed_sdp_is_400_and_the_server_keeps_serving(rtc) -> None:
    interview_id = await new_interview(rtc)
    for body in [{"sdp": "hello", "type": "offer"},
                 {"sdp": "v=0\r\nm=garbage\r\n", "type": "offer"},
                 {"sdp": "v=0", "type": "answer"},
                 {"type": "offer"}]:
        resp = await rtc.post(f"/api/interviews/{interview_id}/offer", json=body)
        assert resp.status == 400, body
        await error_of(resp)
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    peer.send({"type": "ping", "id": 1})
    await peer.wait_event("pong")
    await peer.close()


async def test_second_peer_is_409_and_ended_interview_cannot_be_joined(rtc) -> None:
    interview_id = await new_interview(rtc)
    first = CandidatePeer(video=False)
    await first.connect(rtc, interview_id)
    second = CandidatePeer(video=False)
    resp = await rtc.post(f"/api/interviews/{interview_id}/offer", json=await second.make_offer())
    assert resp.status == 409
    assert (await error_of(resp))["code"] == "already_connected"
    await second.close()
    first.send({"type": "session.end"})
    await wait_for_record(rtc, interview_id, lambda r: r["status"] == "completed")
    await first.close()
    late = CandidatePeer(video=False)
    resp = await rtc.post(f"/api/interviews/{interview_id}/offer", json=await late.make_offer())
    assert resp.status == 409
    await late.close()


async def test_data_channel_garbage_gets_errors_and_the_session_lives(rtc) -> None:
    interview_id = await new_interview(rtc)
    peer = CandidatePeer(video=False)
    await peer.connect(rtc, interview_id)
    peer.send("{not json")
    peer.send({"type": "no.such.thing"})
    peer.send({"type": "chat.text", "text": "x" * 70_000})
    for _ in range(300):
        peer.send({"type": "ping"})
    codes = set()
    for _ in range(4):
        codes.add((await peer.wait_event("error"))["code"])
    assert codes == {"bad_json", "unknown_type", "too_large", "rate_limited"}
    await asyncio.sleep(2.5)  # the rate limit refills
    peer.events.clear()
    peer.send({"type": "ping", "id": "alive"})
    assert (await peer.wait_event("pong"))["id"] == "alive"
    record = await (await rtc.get(f"/api/interviews/{interview_id}")).json()
    assert record["status"] == "in_progress"
    await peer.close()


async def test_peer_that_vanishes_leaves_an_abandoned_interview_with_its_recording(rtc) -> None:
    interview_id = await new_interview(rtc)
    peer = CandidatePeer()
    await peer.connect(rtc, interview_id)
    await asyncio.sleep(2.5)
    await peer.close()  # no "session.end": the candidate is simply gone
    record = await wait_for_record(rtc, interview_id,
                                   lambda r: r["status"] != "in_progress" and r["has_audio"])
    assert record["status"] == "abandoned"
    assert record["completed_at"] and record["duration_seconds"] is not None
    assert record["metadata"]["recording"]["audio"]["duration_s"] > 1.5
