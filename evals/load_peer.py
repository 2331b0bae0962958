"""One simulated candidate for the load harness: an aiortc peer that replays pre-encoded
speech (and video) and notes when the agent's audio comes back, without decoding it.

In the harness process `install_arrival_decoder()` replaces aiortc's decoding of what peers
receive: each Opus frame the jitter buffer completes becomes a tiny `Arrival` record on the event
loop, so N peers cost the harness no decoding and no decoder thread each (N threads fighting
one event loop for the GIL stalled the harness's sends by 50-100 ms). Everything else (ICE,
DTLS, SRTP, jitter buffer, RTCP) is the real aiortc stack.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

import aiohttp
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, rtcrtpreceiver
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from evals.load_media import Clip, ClipTrack
from evals.load_turns import TurnClips, TurnTakingTrack
from evals.playout_clock import PlayoutClock

log = logging.getLogger(__name__)

CANVAS_EVERY_S = 2.0
CHUNK_CHARS = 60_000  # as the web client cuts big events (web/src/whiteboard/chunks.js)

# The server's pre-encoded silence is 3 bytes; an encoded 20 ms of voice is tens of bytes.
VOICED_MIN_BYTES = 8


class Arrival(NamedTuple):
    at: float  # time.monotonic() when the jitter buffer completed the frame
    size: int  # payload bytes
    timestamp: int  # its RTP timestamp


def _arrivals_on_the_loop(
    loop: asyncio.AbstractEventLoop,
    input_q: queue.Queue[Any],
    output_q: asyncio.Queue[Any],
    decode_error: threading.Event,
) -> None:
    """Stands in for aiortc's `decoder_worker` thread: from the loop's next turn on, each
    `put()` of the receiver goes straight to its track (Opus as an `Arrival`, other codecs,
    which the harness never receives, not at all)."""

    def put(task: Any, *_: Any) -> None:
        if task is None:
            output_q.put_nowait(None)
        elif task[0].mimeType.lower() == "audio/opus":
            output_q.put_nowait(Arrival(time.monotonic(), len(task[1].data), task[1].timestamp))

    def take_over() -> None:
        while not input_q.empty():
            put(input_q.get_nowait())
        input_q.put = put  # type: ignore[method-assign]

    with contextlib.suppress(RuntimeError):  # the loop is gone: nothing to receive
        loop.call_soon_threadsafe(take_over)


def install_arrival_decoder() -> Any:
    """Process-wide: received Opus is timed on the event loop, not decoded in a thread.
    Returns what to restore."""
    previous = rtcrtpreceiver.decoder_worker
    rtcrtpreceiver.decoder_worker = _arrivals_on_the_loop  # type: ignore[attr-defined]
    return previous


def restore_decoder(previous: Any) -> None:
    rtcrtpreceiver.decoder_worker = previous  # type: ignore[attr-defined]


@dataclass
class RtpCounts:
    """Cumulative RTP counters from aiortc's stats (subtract two snapshots for a window)."""

    back_received: int = 0  # agent audio packets this peer received
    back_lost: int = 0  # ... and lost (server → client)
    sent_lost: int = 0  # our audio+video packets the server reports lost (client → server)

    def __add__(self, other: RtpCounts) -> RtpCounts:
        return RtpCounts(
            self.back_received + other.back_received,
            self.back_lost + other.back_lost,
            self.sent_lost + other.sent_lost,
        )

    def __sub__(self, other: RtpCounts) -> RtpCounts:
        return RtpCounts(
            self.back_received - other.back_received,
            self.back_lost - other.back_lost,
            self.sent_lost - other.sent_lost,
        )


class LoadPeer:
    def __init__(self, index: int, speech: Clip | TurnClips, video: Clip | None) -> None:
        self.index = index
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        # Different peers start at different points of the speech, like different people.
        self.turns: TurnTakingTrack | None = None
        self.audio: ClipTrack
        if isinstance(speech, TurnClips):
            self.audio = self.turns = TurnTakingTrack(speech, offset=index)
        else:
            self.audio = ClipTrack("audio", speech, offset=index * 97)
        self.pc.addTrack(self.audio)
        self.video: ClipTrack | None = None
        if video is not None:
            self.video = ClipTrack("video", video)  # from the keyframe
            self.pc.addTrack(self.video)
        self.channel = self.pc.createDataChannel("events")  # as the web client opens it
        self.connected = asyncio.Event()
        self.failed: str | None = None
        self.connect_s: float | None = None
        self.first_back = asyncio.Event()
        self.back_packets = 0
        self.back_voiced = 0
        self._readers: list[asyncio.Task[None]] = []
        self.canvas_sent = 0
        self.canvas_saved = 0
        self.channel.on("message", self._on_message)
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_state)

    def _on_state(self) -> None:
        state = self.pc.connectionState
        if state == "connected":
            self.connected.set()
        elif state in ("failed", "closed") and not self.connected.is_set():
            self.failed = f"connection {state}"
            self.connected.set()

    def _on_message(self, data: object) -> None:
        if isinstance(data, str) and '"canvas.saved"' in data:
            self.canvas_saved += 1

    def start_canvas(self, png: bytes) -> None:
        """Send a whiteboard snapshot every `CANVAS_EVERY_S`, as a drawing candidate would."""
        self._readers.append(asyncio.ensure_future(self._send_canvas(png)))

    async def _send_canvas(self, png: bytes) -> None:
        b64 = base64.b64encode(png).decode()
        await asyncio.sleep(self.index * 0.2 % CANVAS_EVERY_S)  # peers out of step
        version = 0
        while self.channel.readyState == "open":
            version += 1
            elements = [{"id": f"box-{i}", "type": "rectangle", "version": version + i,
                         "x": i * 150, "y": 0, "width": 120, "height": 60} for i in range(20)]
            text = json.dumps({"type": "canvas.snapshot", "version": version, "png": b64,
                               "elements": elements, "app_state": {}})
            ident = f"p{self.index}-{version}"
            pieces = [text[i:i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]
            for seq, piece in enumerate(pieces):
                self.channel.send(json.dumps({"type": "chunk", "id": ident, "seq": seq,
                                              "total": len(pieces), "data": piece}))
            self.canvas_sent += 1
            await asyncio.sleep(CANVAS_EVERY_S)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._readers.append(asyncio.ensure_future(self._read_back(track)))

    async def _read_back(self, track: MediaStreamTrack) -> None:
        playout = PlayoutClock()
        try:
            while True:
                arrival: Arrival = await track.recv()  # type: ignore[assignment]
                self.back_packets += 1
                if arrival.size >= VOICED_MIN_BYTES:
                    self.back_voiced += 1
                    if self.turns is not None:
                        self.turns.heard(playout.heard_at(arrival.timestamp, arrival.at))
                if not self.first_back.is_set():
                    self.first_back.set()
        except (MediaStreamError, asyncio.CancelledError):
            return

    async def connect(
        self, http: aiohttp.ClientSession, interview_id: str, *, timeout_s: float = 30.0
    ) -> None:
        """Offer through the API, apply the answer, wait for ICE + DTLS; sets `connect_s`."""
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout_s):
                await self.pc.setLocalDescription(await self.pc.createOffer())
                offer = {"sdp": self.pc.localDescription.sdp, "type": "offer"}
                async with http.post(f"/api/interviews/{interview_id}/offer", json=offer) as resp:
                    if resp.status != 200:
                        self.failed = f"offer: HTTP {resp.status} {await resp.text()}"
                        return
                    answer = await resp.json()
                await self.pc.setRemoteDescription(RTCSessionDescription(**answer))
                await self.connected.wait()
        except TimeoutError:
            self.failed = f"not connected after {timeout_s:.0f} s"
            return
        if self.failed is None:
            self.connect_s = time.monotonic() - started

    async def rtp_counts(self) -> RtpCounts:
        counts = RtpCounts()
        for stats in (await self.pc.getStats()).values():
            kind = getattr(stats, "type", "")
            if kind == "inbound-rtp" and getattr(stats, "kind", "") == "audio":
                counts.back_received += stats.packetsReceived
                counts.back_lost += max(0, stats.packetsLost)
            elif kind == "remote-inbound-rtp":
                counts.sent_lost += max(0, stats.packetsLost)
        return counts

    @property
    def tracks(self) -> list[ClipTrack]:
        return [self.audio] + ([self.video] if self.video is not None else [])

    @property
    def send_lateness_s(self) -> float:
        """The worst delay of a send behind schedule since `start_window()`."""
        return max(t.max_lateness_s for t in self.tracks)

    def start_window(self) -> None:
        for track in self.tracks:
            track.reset_lateness()

    async def close(self) -> None:
        for task in self._readers:
            task.cancel()
        try:
            async with asyncio.timeout(10):
                await self.pc.close()
        except TimeoutError:
            log.warning("peer %d did not close within 10 s", self.index)
