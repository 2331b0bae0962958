"""A candidate's browser played by an aiortc peer: sends audio (+ video), opens the
"events" data channel, hears the agent's audio back."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack

from tests.frames import SineTrack


class CandidatePeer:
    def __init__(self, *, freq_hz: float = 440.0, video: bool = True) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.audio = SineTrack(freq_hz)
        self.pc.addTrack(self.audio)
        if video:
            self.pc.addTrack(VideoStreamTrack())
        self.channel = self.pc.createDataChannel("events")
        self.events: list[dict[str, Any]] = []
        self.channel_open = asyncio.Event()
        self.channel.on("open", self.channel_open.set)
        self.channel.on("message", lambda m: self.events.append(json.loads(m)))
        self.received_pcm: list[np.ndarray] = []
        self._readers: list[asyncio.Task[None]] = []
        self.pc.on("track", self._on_track)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._readers.append(asyncio.ensure_future(self._read_audio(track)))
        else:
            MediaBlackhole().addTrack(track)

    async def _read_audio(self, track: MediaStreamTrack) -> None:
        # 48 kHz mono whatever the decoder yields: in-process tests share the server's decoder
        # hook (media.passthrough), whose Opus frames are 16 kHz mono.
        to_48k = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        try:
            while True:
                frame = await track.recv()
                for out in to_48k.resample(frame):
                    self.received_pcm.append(out.to_ndarray().reshape(-1).astype(np.int16))
        except (MediaStreamError, asyncio.CancelledError):
            return

    def offer_body(self) -> dict[str, str]:
        return {"sdp": self.pc.localDescription.sdp, "type": "offer"}

    async def make_offer(self) -> dict[str, str]:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.offer_body()

    async def connect(self, client: Any, interview_id: str) -> None:
        """Offer through the API (aiohttp test client or session) and apply the answer."""
        resp = await client.post(f"/api/interviews/{interview_id}/offer",
                                 json=await self.make_offer())
        assert resp.status == 200, await resp.text()
        answer = await resp.json()
        await self.pc.setRemoteDescription(RTCSessionDescription(**answer))
        await asyncio.wait_for(self.channel_open.wait(), 15)

    def send(self, event: dict[str, Any] | str) -> None:
        self.channel.send(event if isinstance(event, str) else json.dumps(event))

    async def wait_event(self, kind: str, timeout_s: float = 10.0) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for event in self.events:
                if event.get("type") == kind:
                    self.events.remove(event)
                    return event
            assert asyncio.get_running_loop().time() < deadline, f"no {kind!r} in {self.events}"
            await asyncio.sleep(0.05)

    async def wait_event_any(self, kinds: tuple[str, ...],
                             timeout_s: float = 10.0) -> dict[str, Any]:
        """The first event of any of `kinds`, in arrival order."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            for event in self.events:
                if event.get("type") in kinds:
                    self.events.remove(event)
                    return event
            assert asyncio.get_running_loop().time() < deadline, f"no {kinds} in {self.events}"
            await asyncio.sleep(0.05)

    def heard(self) -> np.ndarray:
        return np.concatenate(self.received_pcm) if self.received_pcm else np.zeros(0, np.int16)

    async def close(self) -> None:
        for task in self._readers:
            task.cancel()
        await self.pc.close()
