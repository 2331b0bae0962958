"""`InterviewSession` on its own: a fake peer connection, data channel, recorder and shipper
(no network, no aiortc peers), a real SQLite record, and an injected clock for the timeouts.

Every ending is checked for what the record says and that the recording was finalised.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiortc import RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from agents.hooks import AgentIO, InterviewBrief
from server import metrics
from server.live.endings import EndReason
from server.live.session import BadOffer, InterviewSession, SessionConfig
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


async def _frames_reach(rig: Rig, count: int) -> None:
    for _ in range(200):
        if len(rig.recorder.frames.get("audio", [])) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"recorder got {rig.recorder.frames}")


async def test_hang_up_completes_the_interview(rig: Rig) -> None:
    session = await rig.start()
    await rig.add_audio(5)
    await _frames_reach(rig, 5)
    rig.channel.receive({"type": "session.end"})
    row = await rig.ended()
    assert (row.status, row.current_phase) == ("completed", "done")
    assert _ending(row) == {"end_reason": "hang_up"}
    assert rig.ended_with == [EndReason.HANG_UP] and session.end_reason is EndReason.HANG_UP
    rig.assert_recording_finalised()


async def test_no_audio_for_the_idle_timeout_abandons_the_interview(rig: Rig) -> None:
    session = await rig.start(idle_timeout_s=60.0)
    await rig.add_audio(3)
    await _frames_reach(rig, 3)
    rig.clock.now += 59.0
    await asyncio.sleep(0.1)  # several watchdog ticks: not idle yet
    assert not session.ended.is_set()
    rig.clock.now += 2.0
    row = await rig.ended()
    assert row.status == "abandoned" and _ending(row) == {"end_reason": "idle"}
    assert rig.ended_with == [EndReason.IDLE]
    rig.assert_recording_finalised()


async def test_a_peer_disconnected_too_long_is_lost(rig: Rig) -> None:
    session = await rig.start(disconnect_timeout_s=10.0)
    session.pc.connectionState = "disconnected"  # type: ignore[misc]
    session.pc.emit("connectionstatechange")  # type: ignore[attr-defined]
    rig.clock.now += 11.0
    row = await rig.ended()
    assert row.status == "abandoned" and _ending(row) == {"end_reason": "peer_lost"}
    rig.assert_recording_finalised()


def _ending(row: Any) -> dict[str, Any]:
    """The ending fields of the record's metadata (it also notes when each phase began)."""
    return {k: v for k, v in (row.metadata_ or {}).items() if k in ("end_reason", "end_detail")}


async def test_an_agent_that_raises_fails_the_interview_with_the_detail_apart(rig: Rig) -> None:
    async def agent(io: AgentIO) -> None:
        await io.set_phase("intro")
        raise RuntimeError("the model exploded")

    await rig.start(agent)
    row = await rig.ended()
    assert row.status == "failed" and row.current_phase == "intro"
    assert _ending(row) == {
        "end_reason": "agent_crashed",
        "end_detail": "RuntimeError: the model exploded",
    }
    assert rig.ended_with == [EndReason.AGENT_CRASHED]
    rig.assert_recording_finalised()


async def test_an_agent_that_gives_up_fails_the_interview(rig: Rig) -> None:
    async def agent(io: AgentIO) -> None:
        await io.finish("failed", "live model unavailable: connection refused")
        await asyncio.sleep(30)  # cancelled by the ending

    await rig.start(agent)
    row = await rig.ended()
    assert row.status == "failed"
    assert _ending(row) == {
        "end_reason": "agent_failed",
        "end_detail": "live model unavailable: connection refused",
    }
    rig.assert_recording_finalised()


async def test_the_agent_hears_pcm_speaks_records_and_completes(rig: Rig) -> None:
    heard: list[bytes] = []

    async def agent(io: AgentIO) -> None:
        await io.set_question("q1", "Reverse a list.")
        await io.set_phase("intro", {"memory": ["hi"]})
        await io.transcript("agent", "Hello!", final=True)
        pcm = io.pcm_in()
        heard.append(await anext(pcm))
        io.play(b"\x00\x01" * 2400)
        await io.set_phase("done")

    session = await rig.start(agent)
    await rig.add_audio(5)
    row = await rig.ended()
    assert (row.status, row.current_phase) == ("completed", "done")
    assert (row.question_id, row.question_text) == ("q1", "Reverse a list.")
    assert row.session_state == {"memory": ["hi"]}
    assert _ending(row) == {"end_reason": "completed"}
    assert len(heard[0]) == 640  # 20 ms of 16 kHz s16: the resampler's own chunks
    assert session.pc.added == [session.outbound]  # type: ignore[attr-defined]
    assert session.outbound.voiced_frames >= 5  # the 0.1 s played went out before the end
    assert rig.channel.sent[0]["type"] == "session.state"  # the room as it is, on joining
    sent = [e["type"] for e in rig.channel.sent if e["type"] != "session.state"]
    assert sent == ["phase", "caption", "phase"]
    rig.assert_recording_finalised()


async def test_the_recording_is_finalised_even_when_the_recorder_fails(rig: Rig) -> None:
    rig.recorder = FakeRecorder(fail_close=True)
    session = await rig.start()
    session.pc.connectionState = "failed"  # type: ignore[misc]
    session.pc.emit("connectionstatechange")  # type: ignore[attr-defined]
    row = await rig.ended()
    assert row.status == "abandoned" and _ending(row) == {"end_reason": "ice_failed"}
    rig.assert_recording_finalised()


async def test_the_recording_is_finalised_even_when_the_record_cannot_be_written(
    rig: Rig,
) -> None:
    session = await rig.start()

    async def database_down(reason: EndReason, detail: str | None = None) -> bool:
        raise ConnectionError("database is down")

    session.record.end = database_down  # type: ignore[method-assign]
    await session.close(EndReason.SHUTDOWN)
    row = await rig.ended()
    assert row.status == "in_progress"  # not written, and the session still ended
    assert rig.ended_with == [EndReason.SHUTDOWN]
    rig.assert_recording_finalised()


async def test_a_bad_offer_leaves_the_record_alone_but_still_cleans_up(rig: Rig) -> None:
    session = rig.make()
    with pytest.raises(BadOffer):
        await session.open("garbage")
    await session.close(EndReason.BAD_OFFER, "not an SDP")
    row = await rig.ended()
    assert row.status == "scheduled" and not row.metadata_
    rig.assert_recording_finalised()

    offer_without_audio = rig.make()
    rig.shipper.finalized.clear()
    with pytest.raises(BadOffer, match="no audio"):
        await offer_without_audio.open("v=0 video")
    await offer_without_audio.close(EndReason.BAD_OFFER)
    rig.assert_recording_finalised()


def _ended_counts() -> dict[str, float]:
    (metric,) = metrics.SESSIONS_ENDED.collect()
    return {s.labels["reason"]: s.value for s in metric.samples if s.name.endswith("_total")}


async def test_a_hundred_different_failures_make_one_label_value(rig: Rig) -> None:
    before = _ended_counts()
    for i in range(100):
        async def agent(io: AgentIO, i: int = i) -> None:
            raise RuntimeError(f"failure number {i} at 0x{id(io):x}")

        session = await rig.start(agent)
        await asyncio.wait_for(session.ended.wait(), 10)
        detail = f"RuntimeError: failure number {i} at 0x{id(session.agent_io):x}"
        assert session.end_detail == detail
    after = _ended_counts()
    assert set(after) - set(before) <= {"agent_crashed"}
    assert after["agent_crashed"] - before.get("agent_crashed", 0) == 100
    assert {k: v for k, v in after.items() if k != "agent_crashed"} == {
        k: v for k, v in before.items() if k != "agent_crashed"
    }
    async with rig.db() as s:
        row = await s.get(Interview, rig.interview_id)
        assert row.metadata_["end_detail"].startswith("RuntimeError: failure number 0 ")
