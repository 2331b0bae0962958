"""The yardstick for the load test: the obvious aiortc server doing the same job as ours.

Per peer: `MediaRelay` fans each remote track out; aiortc's `MediaRecorder` records audio to Ogg
and video to a separate WebM (one WebM with both silently stops the video, DESIGN §10); a task
resamples the audio to 16 kHz mono with `av.AudioResampler` in 20 ms chunks for the agent (the
same `AlternatingAgent` as ours runs, so both servers carry the same "application"); the agent's
24 kHz speech is resampled to 48 kHz and sent back by a paced `MediaStreamTrack` that aiortc
encodes frame by frame, silence included. aiortc decodes every inbound track, video too.

It answers the same signalling shape as our server (`POST /api/auth/signup`,
`POST /api/interviews`, `POST /api/interviews/{id}/offer`) with no accounts or database, and
observes the same metric names on `GET /metrics`, measured at the equivalent points, so the
harness drives and measures both the same way.

    python -m evals.baseline_server --port 8090 --data-dir /tmp/baseline
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fractions
import logging
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import av
from aiohttp import web
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRecorder, MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.audio.frame import AudioFrame
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agents.alternating import AlternatingAgent
from server import metrics
from server.live.ice import enable_loopback_only

log = logging.getLogger("baseline")

RATE_OUT_HZ = 48_000
SAMPLES_20MS = 960
PCM16K_20MS = 640  # bytes of 16 kHz mono s16 per 20 ms


class VoiceTrack(MediaStreamTrack):
    """Agent speech out: 24 kHz PCM resampled to 48 kHz, one paced 20 ms frame per `recv()`,
    silence when there is nothing to say (as aiortc's `AudioStreamTrack`, at 48 kHz)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE_OUT_HZ)
        self._buf = bytearray()
        self._start: float | None = None
        self._timestamp = 0
        self._last: float | None = None

    def feed(self, pcm_24k: bytes) -> None:
        frame = AudioFrame(format="s16", layout="mono", samples=len(pcm_24k) // 2)
        frame.planes[0].update(pcm_24k[: frame.samples * 2])
        frame.sample_rate = 24_000
        for out in self._resampler.resample(frame):
            self._buf += bytes(out.planes[0])[: out.samples * 2]

    def flush(self) -> None:
        self._buf.clear()

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.time()
        else:
            self._timestamp += SAMPLES_20MS
            await asyncio.sleep(self._start + self._timestamp / RATE_OUT_HZ - time.time())
        chunk = bytes(self._buf[: SAMPLES_20MS * 2])
        del self._buf[: SAMPLES_20MS * 2]
        frame = AudioFrame(format="s16", layout="mono", samples=SAMPLES_20MS)
        frame.planes[0].update(chunk + bytes(SAMPLES_20MS * 2 - len(chunk)))
        frame.pts = self._timestamp
        frame.sample_rate = RATE_OUT_HZ
        frame.time_base = fractions.Fraction(1, RATE_OUT_HZ)
        now = time.monotonic()
        if self._last is not None:
            metrics.OUTBOUND_INTERVAL.observe(now - self._last)
        self._last = now
        return frame


class BaselineIO:
    """What the agent sees: the audio parts of `agents.hooks.AgentIO`."""

    def __init__(self, interview_id: str, voice: VoiceTrack) -> None:
        self.interview_id = interview_id
        self.chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(maxsize=50)
        self._voice = voice

    async def pcm_in(self) -> AsyncIterator[bytes]:
        while True:
            pushed_at, chunk = await self.chunks.get()
            metrics.PCM_TO_AGENT.observe(time.perf_counter() - pushed_at)
            yield chunk

    def play(self, pcm_24k: bytes) -> None:
        self._voice.feed(pcm_24k)

    def interrupt(self) -> None:
        self._voice.flush()

    def send_event(self, event: dict[str, Any]) -> None:
        pass


class BaselineSession:
    def __init__(self, interview_id: str, directory: Path, sessions: dict[str, Any]) -> None:
        self.interview_id = interview_id
        self.directory = directory
        self.sessions = sessions
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.relay = MediaRelay()
        self.voice = VoiceTrack()
        self.io = BaselineIO(interview_id, self.voice)
        self.recorders: list[MediaRecorder] = []
        self.tasks: list[asyncio.Task[Any]] = []
        self.closed = False

    async def open(self, offer_sdp: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pc.on("track", self.on_track)
        self.pc.on("connectionstatechange", self.on_state)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        self.pc.addTrack(self.voice)
        for recorder in self.recorders:
            await recorder.start()
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self.tasks.append(asyncio.ensure_future(AlternatingAgent()(self.io)))
        return self.pc.localDescription.sdp

    def on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            recorder = MediaRecorder(str(self.directory / "audio.ogg"))
            recorder.addTrack(self.relay.subscribe(track))
            self.recorders.append(recorder)
            self.tasks.append(asyncio.ensure_future(self.listen(self.relay.subscribe(track))))
        elif track.kind == "video":
            recorder = MediaRecorder(str(self.directory / "video.webm"))
            recorder.addTrack(self.relay.subscribe(track))
            self.recorders.append(recorder)

    async def listen(self, track: MediaStreamTrack) -> None:
        """Inbound audio → metrics → 16 kHz mono 20 ms chunks for the agent."""
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16_000)
        buf = bytearray()
        last: float | None = None
        origin: float | None = None
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                now = time.monotonic()
                if last is not None:
                    metrics.INBOUND_GAP.observe(now - last)
                last = now
                media_s = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
                if origin is None or now - media_s < origin:
                    origin = now - media_s
                metrics.INBOUND_LATENESS.observe(now - media_s - origin)
                pushed_at = time.perf_counter()
                for out in resampler.resample(frame):
                    buf += bytes(out.planes[0])[: out.samples * 2]
                while len(buf) >= PCM16K_20MS:
                    chunk = bytes(buf[:PCM16K_20MS])
                    del buf[:PCM16K_20MS]
                    if self.io.chunks.full():
                        self.io.chunks.get_nowait()  # the agent fell behind: drop the oldest
                    self.io.chunks.put_nowait((pushed_at, chunk))

    def on_state(self) -> None:
        if self.pc.connectionState in ("failed", "closed"):
            asyncio.ensure_future(self.close())

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for task in self.tasks:
            task.cancel()
        for recorder in self.recorders:
            with contextlib.suppress(Exception):
                await recorder.stop()
        await self.pc.close()
        self.sessions.pop(self.interview_id, None)
        metrics.LIVE_SESSIONS.set(len(self.sessions))


SESSIONS = web.AppKey("sessions", dict)
DATA_DIR = web.AppKey("data_dir", Path)
routes = web.RouteTableDef()


@routes.post("/api/auth/signup")
async def signup(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"user": {"id": uuid.uuid4().hex, "email": body.get("email")}},
                             status=201)


@routes.post("/api/interviews")
async def create_interview(request: web.Request) -> web.Response:
    return web.json_response({"id": uuid.uuid4().hex, "status": "scheduled"}, status=201)


@routes.post("/api/interviews/{id}/offer")
async def offer(request: web.Request) -> web.Response:
    body = await request.json()
    interview_id = request.match_info["id"]
    sessions = request.app[SESSIONS]
    if interview_id in sessions:
        return web.json_response({"error": {"code": "already_connected", "message": ""}},
                                 status=409)
    session = BaselineSession(interview_id, request.app[DATA_DIR] / interview_id, sessions)
    sessions[interview_id] = session
    metrics.LIVE_SESSIONS.set(len(sessions))
    answer = await session.open(body["sdp"])
    return web.json_response({"sdp": answer, "type": "answer"})


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/metrics")
async def metrics_endpoint(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def _sessions(app: web.Application) -> AsyncIterator[None]:
    app[SESSIONS] = {}
    yield
    await asyncio.gather(*(s.close() for s in list(app[SESSIONS].values())),
                         return_exceptions=True)


def create_app(data_dir: Path) -> web.Application:
    app = web.Application()
    app[DATA_DIR] = data_dir
    app.cleanup_ctx.append(_sessions)
    app.add_routes(routes)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.baseline_server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    enable_loopback_only()
    metrics.time_gc_pauses()  # observed only, to report; the baseline is not tuned
    args.data_dir.mkdir(parents=True, exist_ok=True)
    web.run_app(create_app(args.data_dir), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
