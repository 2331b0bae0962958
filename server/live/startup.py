"""Start-up and shutdown of the real-time side: recordings, the interviewer's voice model
(Gemini Live with GOOGLE_API_KEY, else the offline Live API server on 127.0.0.1), and the live
sessions (closed first on shutdown, so their recordings are finalised). The library patches
this side needs (VP8 pass-through, loopback-only ICE) are installed by server/patches.py."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from agents.alternating import AlternatingAgent
from agents.echo import EchoAgent
from agents.hooks import Agent
from server.config import Settings
from server.live.endings import EndReason
from server.live.manager import SessionManager
from server.live.reclaim import Reclaimer
from server.live.recordings import RecordingShipper
from server.live.session_config import SessionConfig
from server.state import DB, OBJECTS, SESSIONS, SETTINGS

if TYPE_CHECKING:
    from agents.experts.client import ExpertClient
    from agents.experts.launcher import LocalExperts
    from agents.live_model import LiveModel

log = logging.getLogger(__name__)

VOICE_MODEL: web.AppKey[LiveModel | None] = web.AppKey("voice_model")
EXPERTS: web.AppKey[Experts | None] = web.AppKey("experts")


class Experts:
    """The A2A experts the interviewer asks: EXPERT_URLS when set, else local child processes
    (agents/experts/launcher.py), each started when its company's first system-design
    interview begins."""

    def __init__(self, settings: Settings) -> None:
        from agents.experts.client import ExpertClient
        from agents.experts.launcher import LocalExperts

        self.local: LocalExperts | None = None
        if settings.expert_urls:
            self.client: ExpertClient = ExpertClient(settings.expert_urls)
        else:
            self.local = LocalExperts()
            self.client = ExpertClient(resolve=self.local.url_for)

    def warm(self, company: str) -> None:
        if self.local is not None:
            self.local.warm(company)

    async def close(self) -> None:
        await self.client.close()
        if self.local is not None:
            await self.local.close()


def agent_factory(
    settings: Settings, voice: LiveModel | None = None, experts: Experts | None = None
) -> Callable[[], Agent | None]:
    def make() -> Agent | None:
        if settings.agent == "echo":
            return EchoAgent()
        if settings.agent == "alternating":
            return AlternatingAgent()
        if settings.agent == "interviewer" and voice is not None:
            from agents.interviewer import Interviewer

            return Interviewer(
                voice, say=voice.say,
                experts=experts.client if experts is not None else None,
                on_system_design=experts.warm if experts is not None else None,
            )
        return None

    return make


def voice_model(settings: Settings) -> LiveModel | None:
    """The interviewer's model (started on first use, closed at shutdown)."""
    if settings.agent != "interviewer":
        return None
    from agents.live_model import LiveModel

    return LiveModel(settings.live_model, settings.google_api_key.get_secret_value(),
                     base_url=settings.live_api_url, ca_file=settings.live_api_ca_file,
                     max_sessions=settings.offline_live_max_sessions,
                     neural_speech=settings.offline_speech == "neural")


async def realtime(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    manager: SessionManager | None = None

    async def on_finalized(interview_id, final):  # type: ignore[no-untyped-def]
        assert manager is not None
        await manager.record_finalized(interview_id, final)

    shipper = RecordingShipper(app[OBJECTS], settings.data_dir / "spool", on_finalized)
    config = SessionConfig(
        ice_servers=settings.ice_servers,
        loopback_only=bool(settings.ice_loopback_only),
        connect_timeout_s=settings.connect_timeout_s,
        disconnect_timeout_s=settings.disconnect_timeout_s,
        idle_timeout_s=settings.idle_timeout_s,
        segment_s=settings.segment_s,
        rejoin_grace_s=settings.rejoin_grace_s,
    )
    voice = app[VOICE_MODEL] = voice_model(settings)
    if voice is not None:
        voice.preload()
    experts = app[EXPERTS] = (
        Experts(settings) if voice is not None and settings.experts_enabled else None
    )
    manager = SessionManager(
        app[DB], shipper, config, agent_factory(settings, voice, experts), objects=app[OBJECTS],
        max_sessions=settings.max_sessions,
    )
    app[SESSIONS] = manager
    reclaimer = Reclaimer()  # ended sessions' memory back soon, not at a rare full GC
    manager.on_ended.append(lambda _interview_id: reclaimer.session_ended())
    await shipper.start()
    await manager.recover()
    yield
    if voice is not None:
        from agents.offline import asr_pool

        asr_pool.stop_shared()  # a signal to the process group may have stopped its workers
    await manager.close_all(EndReason.SHUTDOWN)
    reclaimer.close()
    if voice is not None:
        await voice.close()
        await asr_pool.close_shared()  # now, not at exit: after the loop, callbacks would fail
    if experts is not None:
        await experts.close()
    await shipper.close()
