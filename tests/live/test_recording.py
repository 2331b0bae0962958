"""The stored recording is the interview, both sides: a real call with an aiortc candidate,
the interviewer's voice mixed in where it was spoken, and one playable WebM."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from agents.hooks import AgentIO
from server.http.app import create_app
from server.state import SESSIONS
from tests.http.helpers import signup
from tests.live.conftest import new_interview, rtc_settings
from tests.media.signals import best_lag, chirp, rms
from tests.peers import CandidatePeer

RATE = 48_000
ANSWER = chirp(300, 3000, 1.0, RATE)  # the candidate speaks once, 1 s into the call
QUESTION_24K = chirp(2500, 400, 1.0, 24_000)  # the interviewer answers with this
QUIET_AFTER_S = 0.2  # the interviewer waits this long after the candidate stops


def as_48k(pcm: np.ndarray, rate_hz: int) -> np.ndarray:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate_hz
    out = resampler.resample(frame) + resampler.resample(None)
    return np.concatenate([f.to_ndarray()[0] for f in out])


def decode(data: bytes) -> np.ndarray:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    chunks: list[np.ndarray] = []
    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(audio=0):
            chunks += [f.to_ndarray()[0] for f in resampler.resample(frame)]
    return np.concatenate(chunks)


async def turn_taking_agent(io: AgentIO) -> None:
    """Answers the candidate's first utterance once it has been quiet for QUIET_AFTER_S."""
    heard_voice, quiet_s = False, 0.0
    async for chunk in io.pcm_in():  # 16 kHz mono s16
        level = np.abs(np.frombuffer(chunk, np.int16)).mean()
        seconds = len(chunk) / 32_000
        if level > 1000:
            heard_voice, quiet_s = True, 0.0
        elif heard_voice:
            quiet_s += seconds
            if quiet_s >= QUIET_AFTER_S:
                io.play(QUESTION_24K.tobytes())
                break
    async for _ in io.pcm_in():
        pass


async def get(client: Any, url: str) -> Any:
    resp = await client.get(url)
    assert resp.status == 200, url
    return await resp.json() if "json" in resp.content_type else await resp.read()


async def wait_media(client: Any, interview_id: str, timeout_s: float = 60.0) -> dict:
    """Poll /media as the summary page does: recording → processing → ready."""
    states = []
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        media = await get(client, f"/api/interviews/{interview_id}/media")
        if not states or states[-1] != media["state"]:
            states.append(media["state"])
        if media["state"] in ("ready", "none"):
            media["states"] = states
            return media
        assert asyncio.get_running_loop().time() < deadline, states
        await asyncio.sleep(0.1)


@pytest.fixture
async def interviewer_client(aiohttp_client, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The real interviewer, voiced by the offline Live API server (espeak-ng)."""
    client = await aiohttp_client(create_app(rtc_settings(tmp_path, agent="interviewer")))
    await signup(client)
    return client


async def next_agent_caption(peer: CandidatePeer, timeout_s: float = 30.0) -> dict:
    while True:
        event = await peer.wait_event("caption", timeout_s)
        if event["speaker"] == "agent" and event["final"]:
            return event


async def test_both_voices_are_in_the_recording_where_they_were_spoken(rtc) -> None:
    rtc.app[SESSIONS].agent_factory = lambda: turn_taking_agent
    interview_id = await new_interview(rtc)
    peer = CandidatePeer()
    pattern = np.zeros(8 * RATE, np.int16)
    pattern[RATE : 2 * RATE] = ANSWER  # silence, the answer, silence (no repeat in the call)
    peer.audio._pcm = pattern
    await peer.connect(rtc, interview_id)
    assert (await get(rtc, f"/api/interviews/{interview_id}/media"))["state"] == "recording"
    await asyncio.sleep(5.0)
    peer.send({"type": "session.end"})
    media = await wait_media(rtc, interview_id)
    await peer.close()
    assert media["states"][-1] == "ready"
    assert media["audio"] and media["video"] and media["interview"]
    assert media["stems"]["candidate"] and media["stems"]["interviewer"]

    mixed = decode(await get(rtc, media["audio"]["url"]))
    answer_at, answer_corr = best_lag(ANSWER, mixed)
    question_at, question_corr = best_lag(as_48k(QUESTION_24K, 24_000), mixed)
    assert answer_corr > 0.6 and question_corr > 0.6, (answer_corr, question_corr)
    # The interviewer spoke after the answer ended, the agreed pause plus the media path later.
    reply_after = question_at - (answer_at + 1.0)
    assert QUIET_AFTER_S - 0.05 < reply_after < QUIET_AFTER_S + 0.5, (answer_at, question_at)
    assert rms(mixed, answer_at + 0.1, answer_at + 0.9) > 0.05
    assert rms(mixed, question_at + 0.1, question_at + 0.9) > 0.05
    quiet = (answer_at + 1.05, question_at - 0.05)
    if quiet[1] - quiet[0] > 0.05:
        assert rms(mixed, *quiet) < 0.01

    # The stems hold one voice each.
    candidate = decode(await get(rtc, media["stems"]["candidate"]["url"]))
    interviewer = decode(await get(rtc, media["stems"]["interviewer"]["url"]))
    assert best_lag(ANSWER, candidate)[1] > 0.6
    assert best_lag(as_48k(QUESTION_24K, 24_000), interviewer)[1] > 0.6
    assert rms(interviewer, 0.0, max(0.0, question_at - 0.3)) < 0.005

    # One player: the camera and the mixed sound in one WebM, in step.
    data = await get(rtc, media["interview"]["url"])
    assert media["interview"]["content_type"] == "video/webm"
    with av.open(io.BytesIO(data)) as container:
        assert {s.type for s in container.streams} == {"video", "audio"}
        times = [f.time for f in container.decode(video=0)]
    assert len(times) > 60 and times[-1] - times[0] > 3.0
    sound = decode(data)
    assert abs(best_lag(ANSWER, sound)[0] - answer_at) < 0.03
    assert abs(best_lag(as_48k(QUESTION_24K, 24_000), sound)[0] - question_at) < 0.03

    record = await get(rtc, f"/api/interviews/{interview_id}")
    assert set(record["metadata"]["recording"]) == {
        "audio", "video", "interview", "candidate", "interviewer"}


async def test_a_typed_only_interview_records_the_interviewer(interviewer_client) -> None:
    """The candidate's microphone is on but silent; they answer by typing."""
    client = interviewer_client
    interview_id = await new_interview(client)
    peer = CandidatePeer(video=False)
    peer.audio._pcm = np.zeros(RATE, np.int16)
    await peer.connect(client, interview_id)
    await next_agent_caption(peer)  # the greeting
    peer.send({"type": "chat.text", "text": "Hi, I'm Ada, I build backend services."})
    await next_agent_caption(peer)  # a reply
    await asyncio.sleep(1.5)  # its audio has gone out
    peer.send({"type": "session.end"})
    media = await wait_media(client, interview_id)
    heard = peer.heard()
    await peer.close()
    assert media["state"] == "ready" and media["interview"] is None  # no camera, no WebM

    mixed = decode(await get(client, media["audio"]["url"]))
    voiced = np.abs(mixed) > 1000
    assert voiced.sum() > RATE * 1.0, "the interviewer's speech is not in the recording"
    # The loudest second the candidate heard is in the recording, as heard (cross-correlated).
    energy = np.cumsum(np.abs(heard).astype(np.float64))
    loud = int(np.argmax(energy[RATE:] - energy[:-RATE]))
    snippet = heard[loud : loud + RATE]
    at, corr = best_lag(snippet, mixed)
    assert corr > 0.5, corr
    assert rms(mixed, at, at + 1.0) > 0.02
    interviewer = decode(await get(client, media["stems"]["interviewer"]["url"]))
    candidate = decode(await get(client, media["stems"]["candidate"]["url"]))
    assert (np.abs(interviewer) > 1000).sum() > RATE * 1.0
    assert (np.abs(candidate) > 1000).sum() == 0
