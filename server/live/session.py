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

Rejoin (issue 9): a peer that is lost or closed without a hang-up does not end the session.
The session detaches it and waits `rejoin_grace_s` with everything else running (the agent,
the recorder, the transcript); meanwhile a drain plays the interviewer's track into the
recording alone, so its clock runs on. A new offer for the interview (`rejoin()`) attaches a
new peer connection to the same session: the candidate's tracks continue the same recorded
tracks (the time away kept as silence), and the agent is told the candidate is back. Only
when the grace runs out does the session end, with the reason of the loss.
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
from media.recorder import Recorder, TrackRecorder
from media.resample import Resampler
from server import metrics
from server.live.agent_io import SessionAgentIO
from server.live.canvas import CanvasKeeper
from server.live.code import CodeDesk
from server.live.endings import EndReason
from server.live.events import Event, EventChannel, EventError, EventRouter
from server.live.ice import IceServer, keep_loopback_candidates, rtc_configuration
from server.live.meters import AudioSeen, MeteredAgentTrack
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


class SessionBusy(Exception):
    """The interview already has a live peer."""


# Losses that leave the session waiting for the same candidate (a reload, a network drop).
REJOINABLE = frozenset({EndReason.PEER_CLOSED, EndReason.PEER_LOST, EndReason.ICE_FAILED})
ALIVE_STATES = frozenset({"new", "connecting", "connected"})


@dataclass
class SessionConfig:
    ice_servers: list[IceServer] = field(default_factory=list)
    loopback_only: bool = False
    connect_timeout_s: float = 30.0
    disconnect_timeout_s: float = 10.0
    idle_timeout_s: float = 120.0
    segment_s: float = 5.0
    watchdog_s: float = 0.5  # how often the timeouts above are checked
    rejoin_grace_s: float = 0.0  # how long a lost peer's session waits for the candidate


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
        self._peer_factory = peer_factory
        self._pc = peer_factory(rtc_configuration(config.ice_servers))
        self._attached = False  # a browser's peer connection is attached (else: away)
        self._fanouts: list[Fanout] = []
        self._recorded: dict[str, TrackRecorder] = {}  # the candidate's tracks, across peers
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Task[None] | None = None
        self._away: asyncio.Task[None] | None = None  # waiting for a rejoin (the grace timer)
        self._drain: asyncio.Task[None] | None = None  # reads the outbound track while away
        self.rejoins = 0
        self.last_audio_at = clock()
        self.audio_frames_seen = 0
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
        await self.recorder.start()
        await self.transcripts.start()
        # Issue 9: record the interviewer too, from the very packets the candidate hears.
        self.outbound.add_sink(await self.recorder.add_track("audio", name=INTERVIEWER_TRACK))
        answer = await self._attach(self._pc, offer_sdp)
        if self._agent is not None:
            self._spawn(self._run_agent(self._agent), "agent")
        return answer

    @property
    def away(self) -> bool:
        """No browser is attached: the session waits for the candidate to rejoin."""
        return self._away is not None

    def peer_alive(self) -> bool:
        return self._attached and self._pc.connectionState in ALIVE_STATES

    async def rejoin(self, offer_sdp: str) -> str:
        """The same candidate is back (a reload, a new network): attach their new peer
        connection and carry on. Refused while the current peer is alive."""
        if self._closing is not None:
            raise SessionBusy(f"interview {self.interview_id} is ending")
        if self.peer_alive():
            raise SessionBusy(f"interview {self.interview_id} already has a live connection")
        if self._attached:  # lost, not yet noticed: drop it now
            self._lose_peer(EndReason.PEER_LOST)
        assert self._away is not None
        away, self._away = self._away, None  # (set again if this offer fails)
        away.cancel()
        await asyncio.gather(away, return_exceptions=True)
        try:
            answer = await self._attach(self._peer_factory(
                rtc_configuration(self.config.ice_servers)), offer_sdp)
        except BaseException:
            self._lose_peer(EndReason.PEER_LOST)  # back to waiting for the rest of the grace
            raise
        self.rejoins += 1
        self._spawn(self._welcome_back(), "welcome-back")
        log.info("candidate rejoined", extra={"interview_id": self.interview_id})
        return answer

    async def _attach(self, pc: RTCPeerConnection, offer_sdp: str) -> str:
        if self.config.loopback_only:
            offer_sdp = keep_loopback_candidates(offer_sdp)
        self._pc, self._attached = pc, True
        self.events, self._channel_ready = None, asyncio.Event()
        self._disconnected_since = None
        pc.on("track", lambda track: self._on_track(pc, track))
        pc.on("datachannel", lambda channel: self._on_datachannel(pc, channel))
        pc.on("connectionstatechange", lambda: self._on_connection_state(pc))
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:  # aiortc raises ValueError and friends on bad SDP
            raise BadOffer(f"cannot use this SDP offer: {exc}") from exc
        if not any(t.kind == "audio" for t in pc.getTransceivers()):
            raise BadOffer("the offer has no audio: the interview needs a microphone")
        pc.addTrack(self.outbound)
        await pc.setLocalDescription(await pc.createAnswer())  # gathers all candidates
        self._spawn(self._watchdog(pc), "watchdog")
        return pc.localDescription.sdp

    def _lose_peer(self, reason: EndReason) -> None:
        """The peer is gone without a hang-up: wait for a rejoin, or end if none is allowed."""
        if self._closing is not None or not self._attached:
            return
        if reason not in REJOINABLE or self.config.rejoin_grace_s <= 0:
            self.close(reason)
            return
        self._attached = False
        self._away = asyncio.ensure_future(self._wait_for_rejoin(self._pc, reason))
        self._away.set_name(f"away-{self.interview_id}")
        self._tasks.add(self._away)
        self._away.add_done_callback(self._tasks.discard)
        log.info("peer lost, waiting for a rejoin",
                 extra={"interview_id": self.interview_id, "reason": reason.value})

    async def _wait_for_rejoin(self, pc: RTCPeerConnection, reason: EndReason) -> None:
        """Detach the lost peer; play the interviewer's track on alone; end when grace is up."""
        fanouts, self._fanouts = self._fanouts, []
        events, self.events = self.events, None
        self._channel_ready = asyncio.Event()
        for fanout in fanouts:
            await fanout.close()
        if events is not None:
            await events.close()
        with contextlib.suppress(Exception):
            await pc.close()
        if self._drain is None or self._drain.done():
            self._drain = asyncio.ensure_future(self._drain_outbound())
        await asyncio.sleep(self.config.rejoin_grace_s)
        self.close(reason)

    async def _drain_outbound(self) -> None:
        """Nobody is listening: read the interviewer's track at its pace (into the recording),
        so its clock runs on until a rejoined peer's sender takes over (on "connected")."""
        with contextlib.suppress(Exception):
            while True:
                await self.outbound.recv()

    def _stop_drain(self) -> None:
        if self._drain is not None:
            self._drain.cancel()
            self._drain = None

    async def _welcome_back(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._channel_ready.wait(), AGENT_WAITS_FOR_CHANNEL_S)
        self.agent_io.candidate_rejoined()

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
        self._stop_drain()
        self.outbound.end()
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

    def _on_track(self, pc: RTCPeerConnection, track: MediaStreamTrack) -> None:
        if pc is self._pc and self._attached:
            self._spawn(self._record(pc, track), f"track-{track.kind}")

    async def _record(self, pc: RTCPeerConnection, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            sink = await self._recorded_track("audio")
            fanout = Fanout(track, [sink, self.pcm, AudioSeen(self)])
        elif track.kind == "video":
            receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)
            sink = await self._recorded_track(
                "video", lambda: passthrough.request_keyframe(receiver)
            )
            fanout = Fanout(track, [sink])
        else:
            return
        if pc is not self._pc or not self._attached:
            return  # lost while the recorder was getting ready
        self._fanouts.append(fanout)
        await fanout.start()

    async def _recorded_track(
        self, kind: str, request_keyframe: Callable[[], Awaitable[object]] | None = None
    ) -> TrackRecorder:
        """The candidate's recorded track of `kind`: new, or continued after a rejoin."""
        sink = self._recorded.get(kind)
        if sink is None:
            sink = await self.recorder.add_track(kind, request_keyframe=request_keyframe)
            self._recorded[kind] = sink
        else:
            sink.resume(request_keyframe)
        return sink

    def now(self) -> float:
        return self._clock()

    def _on_datachannel(self, pc: RTCPeerConnection, channel: Any) -> None:
        if pc is not self._pc or channel.label != "events" or self.events is not None:
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
            if self.rejoins:  # a rejoined page starts with no captions: the recent lines
                for event in self.transcripts.recent():
                    self.events.send(event)
                kept = [e for e in self._unsent if e.get("type") != "caption"]
                self._unsent = deque(kept, maxlen=UNSENT_EVENTS_MAX)
        while self._unsent and self.events is not None:
            self.events.send(self._unsent.popleft())
        self._channel_ready.set()

    def _on_connection_state(self, pc: RTCPeerConnection) -> None:
        if pc is not self._pc or not self._attached:
            return  # a peer already let go of
        state = pc.connectionState
        if state == "failed":
            self._lose_peer(EndReason.ICE_FAILED)
        elif state == "closed":
            self._lose_peer(EndReason.PEER_CLOSED)
        elif state == "disconnected":
            self._disconnected_since = self._clock()
        else:
            self._disconnected_since = None
            if state == "connected":
                self._stop_drain()

    async def _watchdog(self, pc: RTCPeerConnection) -> None:
        """The timeouts of one attached peer; ends when that peer is let go of."""
        started = self._clock()
        frames_before = self.audio_frames_seen
        while pc is self._pc and self._attached:
            await asyncio.sleep(self.config.watchdog_s)
            if pc is not self._pc or not self._attached:
                return
            now = self._clock()
            never_connected = pc.connectionState != "connected"
            if never_connected and self.audio_frames_seen == frames_before:
                if now - started > self.config.connect_timeout_s:
                    if self.rejoins:  # a rejoin that never connects: back to waiting
                        self._lose_peer(EndReason.PEER_LOST)
                    else:
                        self.close(EndReason.CONNECT_TIMEOUT)
                    return
            if (
                self._disconnected_since is not None
                and now - self._disconnected_since > self.config.disconnect_timeout_s
            ):
                self._lose_peer(EndReason.PEER_LOST)
                return
            if self.audio_frames_seen and now - self.last_audio_at > self.config.idle_timeout_s:
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

