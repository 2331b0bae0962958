"""A rig for `InterviewSession` on its own: a fake peer connection, data channel, recorder and
shipper (no network, no aiortc peers), a real SQLite record, and an injected clock for the
timeouts; the `db` and `rig` fixtures build one per test."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiortc import RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from agents.hooks import InterviewBrief
from server.live.endings import EndReason
from server.live.session import InterviewSession
from server.live.session_config import SessionConfig
from storage.db import create_engine, migrate, session_maker
from storage.models import Interview
from storage.queries import interviews, users
from tests.frames import audio_frames


class FakePeer:
    """The part of `RTCPeerConnection` the session uses; tests fire its events by hand."""

    def __init__(self, _config: Any) -> None:
        self.handlers: dict[str, Any] = {}
        self.connectionState = "new"
        self.localDescription: RTCSessionDescription | None = None
        self.added: list[Any] = []
        self.sent: list[Any] = []
        self.closed = False
        self._senders: list[asyncio.Task[None]] = []
        self._transceivers: list[Any] = []

    def on(self, event: str, handler: Any) -> None:
        self.handlers[event] = handler

    def emit(self, event: str, *args: Any) -> None:
        self.handlers[event](*args)

    async def setRemoteDescription(self, desc: RTCSessionDescription) -> None:
        if desc.sdp == "garbage":
            raise ValueError("not an SDP")
        if "audio" in desc.sdp:
            self._transceivers.append(SimpleNamespace(kind="audio", receiver=None))

    def getTransceivers(self) -> list[Any]:
        return self._transceivers

    def addTrack(self, track: Any) -> None:
        """Reads the outbound track as aiortc's sender does: one `recv()` per 20 ms slot."""
        self.added.append(track)
        self._senders.append(asyncio.ensure_future(self._send(track)))

    async def _send(self, track: Any) -> None:
        try:
            while True:
                self.sent.append(await track.recv())
        except MediaStreamError:
            pass

    async def createAnswer(self) -> RTCSessionDescription:
        return RTCSessionDescription(sdp="answer", type="answer")

    async def setLocalDescription(self, desc: RTCSessionDescription) -> None:
        self.localDescription = desc
        self.connectionState = "connected"

    async def close(self) -> None:
        self.closed = True
        self.connectionState = "closed"
        for task in self._senders:
            task.cancel()
        await asyncio.gather(*self._senders, return_exceptions=True)


class FakeChannel:
    label = "events"
    readyState = "open"

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.handlers: dict[str, Any] = {}

    def on(self, event: str, handler: Any) -> None:
        self.handlers[event] = handler

    def send(self, data: str) -> None:
        self.sent.append(json.loads(data))

    def receive(self, event: dict[str, Any]) -> None:
        self.handlers["message"](json.dumps(event))


class QueueTrack(MediaStreamTrack):
    """An inbound track the test feeds frame by frame."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.frames: asyncio.Queue[Any] = asyncio.Queue()

    async def recv(self) -> Any:
        frame = await self.frames.get()
        if frame is None:
            raise MediaStreamError
        return frame


class FakeRecorder:
    def __init__(self, *, fail_close: bool = False) -> None:
        self.frames: dict[str, list[Any]] = {}
        self.closed = False
        self._fail_close = fail_close

    async def start(self) -> None:
        pass

    async def add_track(self, kind: str, **_: Any) -> Any:
        frames = self.frames.setdefault(kind, [])
        return SimpleNamespace(push=frames.append)

    async def close(self) -> None:
        self.closed = True
        if self._fail_close:
            raise OSError("disk full")


class FakeShipper:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.finalized: list[str] = []

    def spool_dir(self, interview_id: str) -> Path:
        return self.root / interview_id

    def segment_closed(self, interview_id: str, track: str, path: Path) -> None:
        pass

    def finalize(self, interview_id: str) -> None:
        self.finalized.append(interview_id)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine(f"sqlite:///{tmp_path / 'unit.db'}")
    await migrate(engine)
    yield session_maker(engine)
    await engine.dispose()


class Rig:
    """One session with its fakes, opened and marked started as the manager does."""

    def __init__(self, db: Any, tmp_path: Path, interview_id: str) -> None:
        self.db = db
        self.interview_id = interview_id
        self.clock = Clock()
        self.recorder = FakeRecorder()
        self.shipper = FakeShipper(tmp_path / "spool")
        self.channel = FakeChannel()
        self.ended_with: list[EndReason] = []
        self.session: InterviewSession | None = None

    def make(self, agent: Any = None, **config: Any) -> InterviewSession:
        async def on_ended(session: InterviewSession, reason: EndReason) -> None:
            self.ended_with.append(reason)

        self.session = InterviewSession(
            InterviewBrief(self.interview_id, "coding", "SWE", "mid", "google"),
            db=self.db,
            config=SessionConfig(**{"watchdog_s": 0.01, **config}),
            shipper=self.shipper,  # type: ignore[arg-type]
            agent=agent,
            on_ended=on_ended,
            clock=self.clock,
            peer_factory=FakePeer,  # type: ignore[arg-type]
            recorder=self.recorder,  # type: ignore[arg-type]
        )
        return self.session

    async def start(self, agent: Any = None, **config: Any) -> InterviewSession:
        session = self.make(agent, **config)
        assert await session.open("v=0 audio") == "answer"
        await session.record.mark_started()
        session.pc.emit("datachannel", self.channel)  # type: ignore[attr-defined]
        return session

    async def add_audio(self, frames: int = 5) -> QueueTrack:
        assert self.session is not None
        track = QueueTrack()
        self.session.pc.emit("track", track)  # type: ignore[attr-defined]
        for frame in audio_frames(seconds=frames * 0.02):
            await track.frames.put(frame)
        return track

    async def ended(self) -> Interview:
        assert self.session is not None
        await asyncio.wait_for(self.session.ended.wait(), 10)
        async with self.db() as s:
            row = await s.get(Interview, self.interview_id)
            assert row is not None
            return row

    def assert_recording_finalised(self) -> None:
        assert self.recorder.closed
        assert self.shipper.finalized == [self.interview_id]
        assert self.session is not None and self.session.pc.closed  # type: ignore[attr-defined]


@pytest.fixture
async def rig(db, tmp_path: Path) -> Rig:  # type: ignore[no-untyped-def]
    async with db.begin() as s:
        user = await users.create_user(s, "unit@example.com", "U", "hash")
        row = await interviews.create_interview(
            s, user.id, type="coding", role="SWE", level="mid", company="google"
        )
    return Rig(db, tmp_path, row.id)


async def frames_reach(rig: Rig, count: int) -> None:
    for _ in range(200):
        if len(rig.recorder.frames.get("audio", [])) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"recorder got {rig.recorder.frames}")
