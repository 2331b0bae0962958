"""One `InterviewSession` per live interview: it owns the recorder, the transcript, the
interviewer's track and the agent, holds the browser's connection (`server.live.peer_link`)
and ends them all together.

Follow one audio frame: aiortc's inbound track → `media.fanout.Fanout` (the only reader,
started by the link with the sinks from `track_sinks()`)
→ `media.recorder` (to the spool, then `server.live.recordings`) and `media.resample.Resampler`
(16 kHz PCM) → `AgentIO.pcm_in()` → the agent → `AgentIO.play()` →
`media.playout.AgentAudioTrack` → back to the browser.

However it ends, the session records why as an `EndReason` (`server.live.endings`) through
`server.live.record`, closes the recorder and hands the recording to the shipper to finalise.
The peer connection and the recorder can be swapped for fakes in tests (`peer_factory`,
`recorder`).

Rejoin (issue 9): a connection lost or closed without a hang-up does not end the session.
The session lets that link go and waits `rejoin_grace_s` with everything else running (the
agent, the recorder, the transcript); meanwhile a drain (`server.live.outbound_drain`) plays
the interviewer's track into the recording alone, so its clock runs on, and events wait in
the outbox (`server.live.outbox`). A new offer for the interview (`rejoin()`) brings a new
link to the same session: the candidate's tracks continue the same recorded tracks (the
time away kept as silence), and the agent is told the candidate is back. Only when the grace
runs out does the session end, with the reason of the loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiortc import RTCConfiguration, RTCPeerConnection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.hooks import Agent, InterviewBrief
from media.compose import INTERVIEWER_TRACK
from media.fanout import FrameSink
from media.recorder import Recorder, TrackRecorder
from media.resample import Resampler
from server import metrics
from server.live.agent_io import SessionAgentIO
from server.live.canvas import CanvasKeeper
from server.live.code import CodeDesk
from server.live.endings import EndReason
from server.live.events import Event, EventError, EventRouter
from server.live.ice import rtc_configuration
from server.live.meters import AudioSeen, MeteredAgentTrack
from server.live.outbound_drain import OutboundDrain
from server.live.outbox import EventOutbox
from server.live.peer_link import BadOffer, PeerLink
from server.live.record import LiveRecord
from server.live.room_state import RoomState
from server.live.session_config import RecordingSink, SessionBusy, SessionConfig
from server.live.transcripts import TranscriptWriter
from storage.objects import ObjectStore

log = logging.getLogger(__name__)

__all__ = ["BadOffer", "InterviewSession"]

AGENT_WAITS_FOR_CHANNEL_S = 10.0
# Recorded frames reach the writer thread in batches: each batch costs a thread round trip, so
# 0.5 s batches (a fifth of the 0.1 s default's hops) at the price of ≤ 0.5 s more lost on a crash.
RECORDER_BATCH_S = 0.5


# Losses that leave the session waiting for the same candidate (a reload, a network drop).
REJOINABLE = frozenset({EndReason.PEER_CLOSED, EndReason.PEER_LOST, EndReason.ICE_FAILED})


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
        self.outbox = EventOutbox(self.room.event, self.transcripts.recent)
        self._link = self._new_link()  # the browser's connection; a rejoin brings a new one
        self._recorded: dict[str, TrackRecorder] = {}  # the candidate's tracks, across peers
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing: asyncio.Task[None] | None = None
        self._away: asyncio.Task[None] | None = None  # waiting for a rejoin (the grace timer)
        self._drain = OutboundDrain(self.outbound)  # reads the interviewer's track while away
        self.rejoins = 0
        self.last_audio_at = clock()
        self.audio_frames_seen = 0
        self.router.on("session.end", self._on_end_event)
        self.router.on("ping", self._on_ping)
        self.router.on("chat.text", self._on_chat_text)
        if self.canvas is not None:
            self.router.on("canvas.snapshot", self.canvas.on_snapshot)
        self.router.on("code.update", self.code.on_update)
        self.router.on("code.hint", self.code.on_hint)

    @property
    def pc(self) -> RTCPeerConnection:
        return self._link.pc

    # -- life ---------------------------------------------------------------------------

    async def open(self, offer_sdp: str) -> str:
        """Apply the browser's offer; return our answer with every ICE candidate in it."""
        await self.recorder.start()
        await self.transcripts.start()
        # Issue 9: record the interviewer too, from the very packets the candidate hears.
        self.outbound.add_sink(await self.recorder.add_track("audio", name=INTERVIEWER_TRACK))
        answer = await self._link.open(offer_sdp, self.outbound)
        self._spawn(self._idle_watchdog(), "idle-watchdog")
        if self._agent is not None:
            self._spawn(self._run_agent(self._agent), "agent")
        return answer

    @property
    def away(self) -> bool:
        """No browser is attached: the session waits for the candidate to rejoin."""
        return self._away is not None

    async def rejoin(self, offer_sdp: str) -> str:
        """The same candidate is back (a reload, a new network): attach their new peer
        connection and carry on. Refused while the current peer is alive."""
        if self._closing is not None:
            raise SessionBusy(f"interview {self.interview_id} is ending")
        if self._link.alive():
            raise SessionBusy(f"interview {self.interview_id} already has a live connection")
        if self._link.active:  # lost, not yet noticed: drop it now
            self._lose_link(EndReason.PEER_LOST)
        if self._away is None:  # no rejoin allowed: the loss is ending the session
            raise SessionBusy(f"interview {self.interview_id} is ending")
        away, self._away = self._away, None  # (set again if this offer fails)
        away.cancel()
        await asyncio.gather(away, return_exceptions=True)
        self._link = self._new_link()
        try:
            answer = await self._link.open(offer_sdp, self.outbound)
        except BaseException:
            self._lose_link(EndReason.PEER_LOST)  # back to waiting for the rest of the grace
            raise
        self.rejoins += 1
        self.last_audio_at = self._clock()  # the idle timeout starts again
        self._spawn(self._welcome_back(), "welcome-back")
        log.info("candidate rejoined", extra={"interview_id": self.interview_id})
        return answer

    def _new_link(self) -> PeerLink:
        pc = self._peer_factory(rtc_configuration(self.config.ice_servers))
        return PeerLink(pc, self, config=self.config, clock=self._clock)

    def _lose_link(self, reason: EndReason) -> None:
        """The peer is gone without a hang-up: wait for a rejoin, or end if none is allowed."""
        if self._closing is not None or not self._link.active:
            return
        if reason not in REJOINABLE or self.config.rejoin_grace_s <= 0:
            self.close(reason)
            return
        link = self._link
        link.active = False  # it reports nothing more
        self._away = asyncio.ensure_future(self._wait_for_rejoin(link, reason))
        self._away.set_name(f"away-{self.interview_id}")
        self._tasks.add(self._away)
        self._away.add_done_callback(self._tasks.discard)
        log.info("peer lost, waiting for a rejoin",
                 extra={"interview_id": self.interview_id, "reason": reason.value})

    async def _wait_for_rejoin(self, link: PeerLink, reason: EndReason) -> None:
        """Let the lost link go; play the interviewer's track on alone; end when grace is up."""
        self.outbox.detach()
        await link.close()
        self._drain.start()
        await asyncio.sleep(self.config.rejoin_grace_s)
        self.close(reason)

    async def _welcome_back(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.outbox.ready.wait(), AGENT_WAITS_FOR_CHANNEL_S)
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
        self.outbox.detach()
        await self._link.close()
        if self.canvas is not None:
            self.canvas.close()
        self.pcm.close()
        self._drain.stop()
        self.outbound.end()
        await self.transcripts.close()
        await self.code.close()
        try:
            await self.recorder.close()
        except Exception:
            log.exception("recorder close failed", extra={"interview_id": self.interview_id})
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

    # -- the link's reports (server.live.peer_link) ---------------------------------------

    async def track_sinks(
        self, kind: str, request_keyframe: Callable[[], Awaitable[object]]
    ) -> list[FrameSink]:
        """Where a candidate track's frames go: its recorded track (new, or continued after a
        rejoin), and for audio the agent's PCM and the audio meter."""
        if kind not in ("audio", "video"):
            return []
        recorded = self._recorded.get(kind)
        if recorded is None:
            keyframes = request_keyframe if kind == "video" else None
            recorded = await self.recorder.add_track(kind, request_keyframe=keyframes)
            self._recorded[kind] = recorded
        else:
            recorded.resume(request_keyframe if kind == "video" else None)
        if kind == "video":
            return [recorded]
        return [recorded, self.pcm, AudioSeen(self)]

    def now(self) -> float:
        return self._clock()

    def channel_opened(self, link: PeerLink) -> None:
        if link is self._link and link.events is not None:
            self.outbox.opened(link.events, rejoined=self.rejoins > 0)

    def link_connected(self, link: PeerLink) -> None:
        if link is self._link:
            self._drain.stop()  # its sender reads the interviewer's track now

    def link_lost(self, link: PeerLink, reason: EndReason) -> None:
        if link is not self._link:
            return
        if reason is EndReason.CONNECT_TIMEOUT:
            if not self.rejoins:
                self.close(reason)
                return
            reason = EndReason.PEER_LOST  # a rejoin that never connected: back to waiting
        self._lose_link(reason)

    async def _idle_watchdog(self) -> None:
        """No candidate audio for `idle_timeout_s` while connected ends the interview."""
        while True:
            await asyncio.sleep(self.config.watchdog_s)
            if self.away or not self.audio_frames_seen:
                continue
            if self._clock() - self.last_audio_at > self.config.idle_timeout_s:
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
        self.outbox.send_if_open(self.room.event())  # (a channel opening later gets it anyway)

    def send_event(self, event: dict[str, Any]) -> None:
        """Send now, or as soon as the browser's data channel is open (bounded backlog)."""
        self.outbox.send(event)

    # -- the agent ------------------------------------------------------------------------------

    async def _run_agent(self, agent: Agent) -> None:
        with contextlib.suppress(TimeoutError):  # no data channel: the agent still talks
            await asyncio.wait_for(self.outbox.ready.wait(), AGENT_WAITS_FOR_CHANNEL_S)
        try:
            await agent(self.agent_io)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("agent failed", extra={"interview_id": self.interview_id})
            self.close(EndReason.AGENT_CRASHED, f"{type(exc).__name__}: {exc}")

