"""Two real aiortc peers on 127.0.0.1, wired the way the server wires a candidate.

The client sends a 1 kHz sine and aiortc's VideoStreamTrack; the server side fans each track
out to the recorder (and the audio to the 16 kHz resampler) and answers with the agent's voice.
"""

import asyncio
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, VideoStreamTrack
from aiortc.codecs.vpx import Vp8Decoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamTrack
from av.frame import Frame
from av.packet import Packet

from media import passthrough
from media.concat import concat_segments
from media.fanout import Fanout, FrameSink
from media.playout import AgentAudioTrack
from media.recorder import Recorder
from media.resample import Resampler
from tests.frames import SineTrack, decode_mono, dominant_hz, sine_pcm

CALL_S = 3.0


class Collect:
    def __init__(self) -> None:
        self.items: list[Any] = []

    def push(self, item: Any) -> None:
        self.items.append(item)


async def wait_connected(*pcs: RTCPeerConnection, timeout_s: float = 10.0) -> None:
    changed = asyncio.Event()
    for pc in pcs:
        pc.on("connectionstatechange", changed.set)
    async with asyncio.timeout(timeout_s):
        while True:
            changed.clear()
            if all(pc.connectionState == "connected" for pc in pcs):
                return
            await changed.wait()


@pytest.mark.parametrize("keep_opus", [True, False], ids=["opus-copied", "opus-encoded"])
async def test_loopback_call_is_recorded_resampled_and_answered(
    tmp_path: Path,
    loopback_ice: None,
    vp8_passthrough: passthrough.PassthroughStats,
    monkeypatch: pytest.MonkeyPatch,
    keep_opus: bool,
) -> None:
    passthrough.install(opus_packets=keep_opus)
    vp8_decodes: list[int] = []
    real_decode = Vp8Decoder.decode

    def spy_decode(self: Vp8Decoder, encoded_frame: JitterFrame) -> list[Frame]:
        vp8_decodes.append(1)
        return real_decode(self, encoded_frame)

    monkeypatch.setattr(Vp8Decoder, "decode", spy_decode)
    config = RTCConfiguration(iceServers=[])
    client, server = RTCPeerConnection(config), RTCPeerConnection(config)
    sine = SineTrack(1000)
    client.addTrack(sine)
    client.addTrack(VideoStreamTrack())
    heard_by_client = Collect()
    client_fanouts: list[Fanout] = []

    @client.on("track")
    def on_client_track(track: MediaStreamTrack) -> None:
        fanout = Fanout(track, [heard_by_client])
        client_fanouts.append(fanout)
        asyncio.ensure_future(fanout.start())

    # --- the server side, as server/session.py would wire it -------------------------------
    announced: list[tuple[str, int, Path]] = []
    recorder = Recorder(
        tmp_path / "spool", on_segment=lambda *a: announced.append(a), segment_s=1.0
    )
    await recorder.start()
    resampler = Resampler()
    agent = AgentAudioTrack()
    video_frames = Collect()
    fanouts: list[Fanout] = []

    async def attach(track: MediaStreamTrack) -> None:
        receiver = next(t.receiver for t in server.getTransceivers() if t.receiver.track is track)
        if track.kind == "audio":
            sinks: list[FrameSink] = [await recorder.add_track("audio"), resampler]
        else:
            pli = await recorder.add_track(
                "video", request_keyframe=lambda: passthrough.request_keyframe(receiver)
            )
            sinks = [pli, video_frames]
        fanout = Fanout(track, sinks)
        fanouts.append(fanout)
        await fanout.start()

    @server.on("track")
    def on_server_track(track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            server.addTrack(agent)  # synchronously, so the answer includes it
        asyncio.ensure_future(attach(track))

    chunks: list[bytes] = []

    async def interviewer_ears() -> None:
        async for chunk in resampler:
            chunks.append(chunk)

    ears = asyncio.create_task(interviewer_ears())
    # --------------------------------------------------------------------------------------

    try:
        await client.setLocalDescription(await client.createOffer())
        await server.setRemoteDescription(client.localDescription)
        await server.setLocalDescription(await server.createAnswer())
        await client.setRemoteDescription(server.localDescription)
        await wait_connected(client, server)
        agent.feed(sine_pcm(440, 1.0, 24_000))  # the agent says something
        await asyncio.sleep(0.3)
        assert sine.first_sent_at is not None
        await asyncio.sleep(max(0.0, sine.first_sent_at + CALL_S - time.monotonic()))

        for fanout in fanouts:
            await fanout.close()
        sent_s = sine.sent_s
        resampler.close()
        summary = await recorder.close()
        await asyncio.wait_for(ears, 2)
    finally:
        for fanout in fanouts + client_fanouts:
            await fanout.close()
        await client.close()
        await server.close()

    # Video was passed through, never decoded, and a keyframe was asked for at the start.
    assert vp8_decodes == []
    assert passthrough.STATS.frames > vp8_passthrough.frames
    assert video_frames.items and all(isinstance(p, Packet) for p in video_frames.items)
    assert summary.tracks["video"].frames_in == len(video_frames.items)
    assert recorder.tracks["video"].keyframe_requests >= 1

    assert summary.tracks["audio"].mode == ("copy" if keep_opus else "encode")
    assert summary.tracks["video"].mode == "copy"

    # Segments were announced as they closed, one file each, numbered in order.
    for kind in ("audio", "video"):
        indices = [i for k, i, _ in announced if k == kind]
        assert indices == list(range(1, len(indices) + 1)) and len(indices) >= 3
        assert [s.index for s in summary.tracks[kind].segments] == indices

    # Audio: the joined recording lasts as long as the call and holds the 1 kHz tone.
    audio = concat_segments([p for k, _, p in announced if k == "audio"], tmp_path / "audio.ogg")
    pcm = decode_mono(audio.path)
    recorded_s = len(pcm) / 48_000
    assert recorded_s == pytest.approx(sent_s, rel=0.10)
    assert summary.tracks["audio"].duration_s == pytest.approx(recorded_s, abs=0.05)
    assert abs(dominant_hz(pcm, 48_000) - 1000) < 5

    # Video: the joined WebM decodes into frames spread over the whole call.
    video = concat_segments([p for k, _, p in announced if k == "video"], tmp_path / "video.webm")
    with av.open(str(video.path)) as c:
        frames = list(c.decode(video=0))
    assert (frames[0].width, frames[0].height) == (640, 480)
    assert len(frames) >= 0.6 * 30 * sent_s
    span_s = (frames[-1].time or 0.0) - (frames[0].time or 0.0)
    assert span_s >= 0.8 * sent_s
    assert video.duration_s == pytest.approx(summary.tracks["video"].duration_s, abs=0.1)

    # The interviewer got 16 kHz mono in 20 ms chunks, with the tone intact.
    assert {len(c) for c in chunks} == {640}
    assert len(chunks) * 0.02 == pytest.approx(recorded_s, rel=0.10)
    assert abs(dominant_hz(b"".join(chunks), 16_000) - 1000) < 5

    # The candidate heard the agent: 440 Hz first, then silence.
    # (The client shares this process's decoder hook: with the Opus tee its frames are 16 kHz
    # mono, else aiortc's 48 kHz stereo; take the first channel either way.)
    rate = heard_by_client.items[0].sample_rate
    heard = np.concatenate(
        [f.to_ndarray().reshape(-1, f.layout.nb_channels)[:, 0] for f in heard_by_client.items]
    )
    loud = np.flatnonzero(np.abs(heard) > 3000)
    assert loud.size and abs(dominant_hz(heard[loud[0] : loud[0] + rate // 2], rate) - 440) < 5
    assert np.abs(heard[loud[-1] + rate // 10 :]).max() < 500
    assert agent.voiced_frames >= 50 and agent.last_frame_silent
