"""One browser connection of an interview session: its peer connection, the fan-outs reading
its tracks, its data channel and its connect/disconnect timeouts.

A session outlives its links (issue 9): a reload or a network drop ends a link, a rejoin
brings a new one to the same session. The link knows nothing of recording or the agent; it
asks its host (`LinkHost`, the session) for the sinks of each track and tells it when the
channel opens, when the connection is up and when it is lost. Once let go of (`close()`), a
link reports nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from media import passthrough
from media.fanout import Fanout, FrameSink
from server.live.endings import EndReason
from server.live.events import EventChannel, EventRouter
from server.live.ice import keep_loopback_candidates

ALIVE_STATES = frozenset({"new", "connecting", "connected"})


class BadOffer(Exception):
    """The SDP offer cannot be used; the message says why."""


class LinkTimeouts(Protocol):
    loopback_only: bool
    connect_timeout_s: float
    disconnect_timeout_s: float
    watchdog_s: float


class LinkHost(Protocol):
    """What a link needs from its session."""

    router: EventRouter
    audio_frames_seen: int

    async def track_sinks(
        self, kind: str, request_keyframe: Callable[[], Awaitable[object]]
    ) -> list[FrameSink]: ...

    def channel_opened(self, link: PeerLink) -> None: ...

    def link_connected(self, link: PeerLink) -> None: ...

    def link_lost(self, link: PeerLink, reason: EndReason) -> None: ...


class PeerLink:
    def __init__(
        self,
        pc: RTCPeerConnection,
        host: LinkHost,
        *,
        config: LinkTimeouts,
        clock: Callable[[], float],
    ) -> None:
        self.pc = pc
        self.events: EventChannel | None = None
        self.active = True  # False once the session let go of it
        self._host = host
        self._config = config
        self._clock = clock
        self._fanouts: list[Fanout] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._disconnected_since: float | None = None

    def alive(self) -> bool:
        return self.active and self.pc.connectionState in ALIVE_STATES

    async def open(self, offer_sdp: str, outbound: MediaStreamTrack) -> str:
        """Apply the browser's offer, send `outbound` back; returns our answer with every ICE
        candidate in it."""
        if self._config.loopback_only:
            offer_sdp = keep_loopback_candidates(offer_sdp)
        pc = self.pc
        pc.on("track", self._on_track)
        pc.on("datachannel", self._on_datachannel)
        pc.on("connectionstatechange", self._on_connection_state)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        except Exception as exc:  # aiortc raises ValueError and friends on bad SDP
            raise BadOffer(f"cannot use this SDP offer: {exc}") from exc
        if not any(t.kind == "audio" for t in pc.getTransceivers()):
            raise BadOffer("the offer has no audio: the interview needs a microphone")
        pc.addTrack(outbound)
        await pc.setLocalDescription(await pc.createAnswer())  # gathers all candidates
        self._spawn(self._watchdog(), "watchdog")
        return pc.localDescription.sdp

    async def close(self) -> None:
        """Let go: stop reading its tracks, close its channel and the peer connection."""
        self.active = False
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        await asyncio.gather(*(t for t in self._tasks if t is not current), return_exceptions=True)
        if self.events is not None:
            await self.events.close()
        for fanout in self._fanouts:
            await fanout.close()
        with contextlib.suppress(Exception):
            await self.pc.close()

    def _spawn(self, coro: Awaitable[Any], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if self.active:
            self._spawn(self._read(track), f"track-{track.kind}")

    async def _read(self, track: MediaStreamTrack) -> None:
        async def request_keyframe() -> object:  # (video only: a new picture from the sender)
            receiver = next(
                t.receiver for t in self.pc.getTransceivers() if t.receiver.track is track
            )
            return await passthrough.request_keyframe(receiver)

        sinks = await self._host.track_sinks(track.kind, request_keyframe)
        if not sinks or not self.active:
            return  # not a kind we take, or let go of while the recorder got ready
        fanout = Fanout(track, sinks)
        self._fanouts.append(fanout)
        await fanout.start()

    def _on_datachannel(self, channel: Any) -> None:
        if not self.active or channel.label != "events" or self.events is not None:
            return
        self.events = EventChannel(channel, self._host.router)
        channel.on("message", self.events.on_message)
        if channel.readyState == "open":
            self._channel_open()
        else:
            channel.on("open", self._channel_open)

    def _channel_open(self) -> None:
        if self.active:
            self._host.channel_opened(self)

    def _on_connection_state(self) -> None:
        if not self.active:
            return
        state = self.pc.connectionState
        if state == "failed":
            self._host.link_lost(self, EndReason.ICE_FAILED)
        elif state == "closed":
            self._host.link_lost(self, EndReason.PEER_CLOSED)
        elif state == "disconnected":
            self._disconnected_since = self._clock()
        else:
            self._disconnected_since = None
            if state == "connected":
                self._host.link_connected(self)

    async def _watchdog(self) -> None:
        """Never connected in time → CONNECT_TIMEOUT; disconnected too long → PEER_LOST."""
        started = self._clock()
        frames_before = self._host.audio_frames_seen
        while self.active:
            await asyncio.sleep(self._config.watchdog_s)
            if not self.active:
                return
            now = self._clock()
            never_connected = self.pc.connectionState != "connected"
            if never_connected and self._host.audio_frames_seen == frames_before:
                if now - started > self._config.connect_timeout_s:
                    self._host.link_lost(self, EndReason.CONNECT_TIMEOUT)
                    return
            if (
                self._disconnected_since is not None
                and now - self._disconnected_since > self._config.disconnect_timeout_s
            ):
                self._host.link_lost(self, EndReason.PEER_LOST)
                return
