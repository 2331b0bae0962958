"""One `InterviewSession` per connected candidate: it owns the peer connection, the
recorder, the data channel and the agent, and ends them all together.

Follow one audio frame: aiortc's inbound track → `media.fanout.Fanout` (the only reader)
→ `media.recorder` (to the spool, then `server.live.recordings`) and `media.resample.Resampler`
(16 kHz PCM) → `AgentIO.pcm_in()` → the agent → `AgentIO.play()` →
`media.playout.AgentAudioTrack` → back to the browser.

However it ends, the session records why as an `EndReason` (`server.live.endings`) through
`server.live.record`, closes the recorder and hands the recording to the shipper to finalise.
The peer connection and the recorder can be swapped for fakes in tests (`peer_factory`,
`recorder`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.hooks import Agent, InterviewBrief
from media import passthrough
from media.compose import INTERVIEWER_TRACK
from media.fanout import Fanout
from media.playout import AgentAudioTrack
from media.recorder import Recorder
from media.resample import Resampler
from server import metrics
from server.live.agent_io import SessionAgentIO
from server.live.canvas import CanvasKeeper
from server.live.code import CodeDesk
from server.live.endings import EndReason
from server.live.events import Event, EventChannel, EventError, EventRouter
from server.live.ice import IceServer, keep_loopback_candidates, rtc_configuration
from server.live.record import LiveRecord
from server.live.room_state import RoomState
from server.live.transcripts import TranscriptWriter
from storage.objects import ObjectStore

log = logging.getLogger(__name__)

UNSENT_EVENTS_MAX = 200
AGENT_WAITS_FOR_CHANNEL_S = 10.0
# Recorded frames reach the writer thread in batches: each batch costs a thread round trip, so
# 0.5 s batches (a fifth of the 0.1 s default's hops) at the price of ≤ 0.5 s more lost on a crash.
RECORDER_BATCH_S = 0.5


class BadOffer(Exception):
    """The SDP offer cannot be used; the message says why."""


@dataclass
class SessionConfig:
    ice_servers: list[IceServer] = field(default_factory=list)
    loopback_only: bool = False
    connect_timeout_s: float = 30.0
    disconnect_timeout_s: float = 10.0
    idle_timeout_s: float = 120.0
    segment_s: float = 5.0
    watchdog_s: float = 0.5  # how often the timeouts above are checked


class RecordingSink(Protocol):
    """Where the session's recording goes (`server.live.recordings.RecordingShipper`)."""

    def spool_dir(self, interview_id: str) -> Path: ...

    def segment_closed(self, interview_id: str, track: str, path: Path) -> None: ...

    def finalize(self, interview_id: str) -> object: ...


OnEnded = Callable[["InterviewSession", EndReason], Awaitable[None]]
PeerFactory = Callable[[RTCConfiguration], RTCPeerConnection]


class InterviewSession:
    def __init__(
        self,
        brief: InterviewBrief,
        *,
        db: async_sessionmaker[AsyncSession],
        config: SessionConfig,
        shipper: RecordingSink,
        agent: Agent | None,
        on_ended: OnEnded,
        clock: Callable[[], float] = time.monotonic,
        peer_factory: PeerFactory = RTCPeerConnection,
        recorder: Recorder | None = None,
        objects: ObjectStore | None = None,
    ) -> None:
        interview_id = brief.interview_id
        self.interview_id = interview_id
        self.db = db
        self.config = config
        self.shipper = shipper
        self.router = EventRouter()
        self.events: EventChannel | None = None
        self.outbound = MeteredAgentTrack(opus=True)
        self.pcm = Resampler(on_delivered=metrics.PCM_TO_AGENT.observe)
        self.recorder = recorder or Recorder(
            shipper.spool_dir(interview_id),
            on_segment=lambda track, _index, path: shipper.segment_closed(
                interview_id, track, path
            ),
            segment_s=config.segment_s,
            batch_s=RECORDER_BATCH_S,
        )
        self.transcripts = TranscriptWriter(db, interview_id, self.send_event)
        self.record = LiveRecord(db, interview_id)
        self.canvas = (
            CanvasKeeper(db, objects, interview_id, self.send_event) if objects is not None
            else None
        )
        self.code = CodeDesk(db, interview_id, clock=clock)
        self.agent_io = SessionAgentIO(
            brief,
            pcm=self.pcm,
            outbound=self.outbound,
            captions=self.transcripts,
            send_event=self.send_event,
            progress=self.record,
            speech_played=self.speech_played,
            end=self.close,
            room_changed=self.update_room,
            board=self.canvas,
            code=self.code,
        )
        self.end_reason: EndReason | None = None
        self.end_detail: str | None = None
        self.room = RoomState.from_brief(brief, phase="routing")
        self.ended = asyncio.Event()
        self._agent = agent
        self._on_ended = on_ended
        self._clock = clock
        self._pc = peer_factory(rtc_configuration(config.ice_servers))
        self._fanouts: list[Fanout] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Task[None] | None = None
        self._last_audio_at = clock()
        self._audio_frames_seen = 0
        self._disconnected_since: float | None = None
        self._unsent: deque[dict[str, Any]] = deque(maxlen=UNSENT_EVENTS_MAX)
        self._channel_ready = asyncio.Event()
        self.router.on("session.end", self._on_end_event)
        self.router.on("ping", self._on_ping)
        self.router.on("chat.text", self._on_chat_text)
        if self.canvas is not None:
            self.router.on("canvas.snapshot", self.canvas.on_snapshot)
        self.router.on("code.update", self.code.on_update)
        self.router.on("code.hint", self.code.on_hint)

    @property
    def pc(self) -> RTCPeerConnection:
        return self._pc

    # -- life ---------------------------------------------------------------------------

    async def open(self, offer_sdp: str) -> str:
        """Apply the browser's offer; return our answer with every ICE candidate in it."""
        if self.config.loopback_only:
            offer_sdp = keep_loopback_candidates(offer_sdp)
        pc = self._pc
        pc.on("track", self._on_track)
        pc.on("datachannel", self._on_datachannel)
        pc.on("connectionstatechange", self._on_connection_state)
        await self.recorder.start()
        await self.transcripts.start()
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:  # aiortc raises ValueError and friends on bad SDP
            raise BadOffer(f"cannot use this SDP offer: {exc}") from exc
        if not any(t.kind == "audio" for t in pc.getTransceivers()):
            raise BadOffer("the offer has no audio: the interview needs a microphone")
        # Issue 9: record the interviewer too, from the very packets the candidate hears.
        self.outbound.add_sink(await self.recorder.add_track("audio", name=INTERVIEWER_TRACK))
        pc.addTrack(self.outbound)
        await pc.setLocalDescription(await pc.createAnswer())  # gathers all candidates
        self._spawn(self._watchdog(), "watchdog")
        if self._agent is not None:
            self._spawn(self._run_agent(self._agent), "agent")
        return pc.localDescription.sdp

    def close(self, reason: EndReason, detail: str | None = None) -> asyncio.Task[None]:
        """End the session once, whatever asks first; returns the task doing it.

        `detail` is free text (an error message) for the record and the logs, never a label.
        """
        if self._closing is None:
            self.end_reason = EndReason(reason)
            self.end_detail = detail
            self._closing = asyncio.ensure_future(self._close())
        return self._closing

    async def _close(self) -> None:
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        await asyncio.gather(*(t for t in self._tasks if t is not current), return_exceptions=True)
        if self.events is not None:
            await self.events.close()
        if self.canvas is not None:
            self.canvas.close()
        for fanout in self._fanouts:
            await fanout.close()
        self.pcm.close()
        self.outbound.stop()
        await self.transcripts.close()
        await self.code.close()
        try:
            await self.recorder.close()
        except Exception:
            log.exception("recorder close failed", extra={"interview_id": self.interview_id})
        with contextlib.suppress(Exception):
            await self._pc.close()
        reason = self.end_reason or EndReason.INTERNAL_ERROR
        metrics.SESSIONS_ENDED.labels(reason.value).inc()
        try:
            await self.record.end(reason, self.end_detail)
        except Exception:
            log.exception("could not record the ending", extra={"interview_id": self.interview_id})
        try:
            await self._on_ended(self, reason)
        finally:
            # After the status write: both update the record's metadata.
            self.shipper.finalize(self.interview_id)
            self.ended.set()
            log.info(
                "session ended",
                extra={
                    "interview_id": self.interview_id,
                    "reason": reason.value,
                    "detail": self.end_detail,
                },
            )

    def _spawn(self, coro: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(f"{name}-{self.interview_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- peer connection events -------------------------------------------------------------

    def _on_track(self, track: MediaStreamTrack) -> None:
        self._spawn(self._record(track), f"track-{track.kind}")

    async def _record(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            sink = await self.recorder.add_track("audio")
            fanout = Fanout(track, [sink, self.pcm, _AudioSeen(self)])
        elif track.kind == "video":
            receiver = next(
                t.receiver for t in self._pc.getTransceivers() if t.receiver.track is track
            )
            sink = await self.recorder.add_track(
                "video", request_keyframe=lambda: passthrough.request_keyframe(receiver)
            )
            fanout = Fanout(track, [sink])
        else:
            return
        self._fanouts.append(fanout)
        await fanout.start()

    def _on_datachannel(self, channel: Any) -> None:
        if channel.label != "events" or self.events is not None:
            return
        self.events = EventChannel(channel, self.router)
        channel.on("message", self.events.on_message)
        if channel.readyState == "open":
            self._flush_unsent()
        else:
            channel.on("open", self._flush_unsent)

    def _flush_unsent(self) -> None:
        if self.events is not None:
            self.events.send(self.room.event())  # the room as it is, on every join
        while self._unsent and self.events is not None:
            self.events.send(self._unsent.popleft())
        self._channel_ready.set()

    def _on_connection_state(self) -> None:
        state = self._pc.connectionState
        if state == "failed":
            self.close(EndReason.ICE_FAILED)
        elif state == "closed":
            self.close(EndReason.PEER_CLOSED)
        elif state == "disconnected":
            self._disconnected_since = self._clock()
        else:
            self._disconnected_since = None

    async def _watchdog(self) -> None:
        started = self._clock()
        while True:
            await asyncio.sleep(self.config.watchdog_s)
            now = self._clock()
            state = self._pc.connectionState
            if state != "connected" and self._audio_frames_seen == 0:
                if now - started > self.config.connect_timeout_s:
                    self.close(EndReason.CONNECT_TIMEOUT)
                    return
            if (
                self._disconnected_since is not None
                and now - self._disconnected_since > self.config.disconnect_timeout_s
            ):
                self.close(EndReason.PEER_LOST)
                return
            if self._audio_frames_seen and now - self._last_audio_at > self.config.idle_timeout_s:
                self.close(EndReason.IDLE)
                return

    # -- data channel events ------------------------------------------------------------------

    async def _on_end_event(self, event: Event) -> None:
        self.close(EndReason.HANG_UP)

    async def _on_ping(self, event: Event) -> None:
        self.send_event({"type": "pong", "id": event.get("id")})

    async def _on_chat_text(self, event: Event) -> None:
        text = event.get("text")
        if not isinstance(text, str) or not text.strip():
            raise EventError("invalid", 'chat.text needs a non-empty "text" string')
        if self._agent is None:
            raise EventError("no_agent", "no interviewer is listening in this session")
        if not self.agent_io.typed(text.strip()):
            raise EventError("busy", "the interviewer is still reading your last messages")

    async def speech_played(self, max_wait_s: float) -> None:
        """Wait until the agent speech queued so far has gone out (or `max_wait_s` passed)."""
        deadline = self._clock() + max_wait_s
        # The track has no "drained" signal; a 50 ms poll is cheap and only runs at the end.
        while self.outbound.queued_s > 0 and self._clock() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    # -- the room's state (issue 9: the question and the clock stay on screen) ------------------

    def update_room(
        self, *, phase: str | None = None, question: tuple[str, str] | None = None
    ) -> None:
        """The question or the phase changed: tell the browser the whole room state again."""
        if phase is not None:
            self.room.phase = phase
        if question is not None:
            self.room.set_question(*question)
        if self.events is not None and self._channel_ready.is_set():
            self.events.send(self.room.event())  # (before the channel opens: sent on open)

    def send_event(self, event: dict[str, Any]) -> None:
        """Send now, or as soon as the browser's data channel is open (bounded backlog)."""
        if self.events is not None and self._channel_ready.is_set():
            self.events.send(event)
        else:
            self._unsent.append(event)

    # -- the agent ------------------------------------------------------------------------------

    async def _run_agent(self, agent: Agent) -> None:
        with contextlib.suppress(TimeoutError):  # no data channel: the agent still talks
            await asyncio.wait_for(self._channel_ready.wait(), AGENT_WAITS_FOR_CHANNEL_S)
        try:
            await agent(self.agent_io)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("agent failed", extra={"interview_id": self.interview_id})
            self.close(EndReason.AGENT_CRASHED, f"{type(exc).__name__}: {exc}")


class _AudioSeen:
    """A fan-out sink that notes when inbound audio last arrived (for the idle timeout) and
    how regular and how late it arrives (metrics)."""

    def __init__(self, session: InterviewSession) -> None:
        self._session = session
        self._origin: float | None = None

    def push(self, frame: Any) -> None:
        s = self._session
        now = s._clock()
        if s._audio_frames_seen:
            metrics.INBOUND_GAP.observe(now - s._last_audio_at)
        s._audio_frames_seen += 1
        s._last_audio_at = now
        media_s = 0.0
        if frame.pts is not None:
            time_base = frame.time_base  # int maths: a Fraction product costs ~5 µs a frame
            media_s = frame.pts * time_base.numerator / time_base.denominator
        if self._origin is None or now - media_s < self._origin:
            self._origin = now - media_s  # the earliest arrival defines "on time"
        metrics.INBOUND_LATENESS.observe(now - media_s - self._origin)


class MeteredAgentTrack(AgentAudioTrack):
    """The outbound track, timing the interval between its 20 ms slots (sent or DTX-skipped)."""

    _last_at: float | None = None

    def _slot_started(self) -> None:
        now = time.monotonic()
        if self._last_at is not None:
            metrics.OUTBOUND_INTERVAL.observe(now - self._last_at)
        self._last_at = now
