"""The offline Live API server: Gemini Live's `BidiGenerateContent` websocket on 127.0.0.1.

    server = OfflineLiveServer()
    await server.start()                      # https://127.0.0.1:<port>, fresh TLS cert
    client = genai.Client(api_key="offline", http_options=server.http_options())
    async with client.aio.live.connect(model="gemini-live-2.5-flash-preview", config=...) as s:
        ...
    await server.close()

Serves `/ws/google.ai.generativelanguage.{v1alpha,v1beta}.GenerativeService.BidiGenerateContent`
(what google-genai builds from `HttpOptions(base_url=..., api_version=...)` with an API key;
ADK's live client uses v1alpha), with TLS from a CA generated at start. Each connection is a
`LiveSession`; resumption handles live in a `HandleStore`.

Like Gemini, it wants a key: a secret made at each start (`server.secret`), which clients pass
as their API key (google-genai sends it as the `x-goog-api-key` header on the websocket;
`?key=` works too). Without it any local process could use the server (and its CPU).
Connections beyond `max_sessions` are refused with 503 before the upgrade.

Also answers `POST /v1beta/models/{model}:generateContent` (agents/offline/generate.py) for the
feedback evaluator.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import shutil
import ssl
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiohttp import web

from agents.offline import generate, lines, protocol, tls
from agents.offline.access import KeyCheck, clean_stale_dirs
from agents.offline.asr import AsrModel
from agents.offline.asr_pool import AsrPool, shared_pool
from agents.offline.context import Counters, SessionContext
from agents.offline.pool import ModelPool
from agents.offline.resumption import DEFAULT_TTL_S, HandleStore
from agents.offline.session import LiveSession
from agents.offline.speech_models import load_piper, load_whisper
from agents.offline.tts import DEFAULT_VOICE, Synthesizer
from agents.offline.vad import VadConfig

log = logging.getLogger(__name__)

PATH = re.compile(
    r"^/+ws/google\.ai\.generativelanguage\.(?P<version>v\w+)\."
    r"GenerativeService\.(?P<method>BidiGenerateContent(?:Constrained)?)$"
)
SETUP_TIMEOUT_S = 30.0
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_SESSIONS = 16  # ~ what 2 cores recognise in real time; the app's own cap is per user
TMP_PREFIX = "offline-live-"
ASR_WORKERS = min(2, os.cpu_count() or 1)  # processes; 0: threads in this process (tests)


class OfflineLiveServer:
    """A local stand-in for Gemini Live. Counters (`sessions_opened`, `resumptions`, ...) and
    the hooks `drop_connections()` / `send_go_away()` are for tests."""

    def __init__(
        self,
        *,
        seed: int = 0,
        cert_dir: Path | None = None,
        asr_dir: Path | None = None,
        speech_recognition: bool = True,
        audio_lead_s: float = 1.0,
        chunk_ms: int = 80,
        vad: VadConfig | None = None,
        handle_ttl_s: float = DEFAULT_TTL_S,
        words_per_minute: int = 175,
        max_sessions: int = MAX_SESSIONS,
        asr_workers: int = ASR_WORKERS,
        warm_voice: bool = True,
        neural_speech: bool = False,
        speech_workers: int | None = None,
        secret: str | None = None,
        keep_certs: bool = False,
    ) -> None:
        """`neural_speech`: hear with Whisper and speak with Piper when their model packages
        are installed (else, or when False, pocketsphinx and espeak-ng: lighter, for load
        tests that need many sessions on few cores). `speech_workers`: model threads
        (default: one per core). `secret`: the API key clients must send (default: made at
        each start). `keep_certs`: reuse the certificates already in `cert_dir`, so clients
        in other processes that trust its ca.pem keep working across restarts."""
        self._given_cert_dir = cert_dir
        self._given_secret = secret
        self._keep_certs = keep_certs
        self._asr_dir = asr_dir
        self._speech_recognition = speech_recognition
        self._neural = neural_speech
        self._speech_workers = speech_workers
        self.counters = Counters()
        self.handles = HandleStore(handle_ttl_s)
        self._synth = Synthesizer(words_per_minute=words_per_minute)
        self._ctx_args = dict(vad=vad or VadConfig(), audio_lead_s=audio_lead_s,
                              chunk_ms=chunk_ms, seed=seed)
        self.seed = seed
        self._warm_voice = warm_voice
        self.generate_faults = generate.GenerateFaults()
        self.sessions: set[LiveSession] = set()
        self.max_sessions = max_sessions
        self._asr_workers = asr_workers
        self.asr_pool: AsrPool | None = None
        self.secret = ""  # made at each start; clients send it as their API key
        self._admitted = 0  # connections past the key check, counted before the upgrade
        self.refused = {"key": 0, "capacity": 0}
        self._runner: web.AppRunner | None = None
        self._pool: ModelPool | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._ctx: SessionContext | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._certs: tls.Certificates | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.host = "127.0.0.1"
        self.port = 0

    # ---- lifecycle ----------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.secret = self._given_secret or secrets.token_urlsafe(32)
        if self._given_cert_dir is None:
            await asyncio.to_thread(clean_stale_dirs, Path(tempfile.gettempdir()), TMP_PREFIX)
            self._tmp = tempfile.TemporaryDirectory(prefix=f"{TMP_PREFIX}{os.getpid()}-")
            cert_dir = Path(self._tmp.name)
        else:
            cert_dir = self._given_cert_dir
        self._certs = await asyncio.to_thread(self._certificates_for, cert_dir, host)
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="offline-asr")
        whisper = voice = asr = None
        if self._neural:  # Whisper and Piper when their model packages are installed
            if self._speech_recognition:
                whisper = await asyncio.to_thread(load_whisper)
            voice = await asyncio.to_thread(load_piper)
        if whisper is not None or voice is not None:
            self._pool = ModelPool(self._speech_workers)
        if voice is not None:
            self._synth.use_neural(voice, self._pool)
        if self._speech_recognition and whisper is None:
            asr = await AsrModel.load(self._asr_dir)
            if asr is not None and self._asr_workers > 0:
                self.asr_pool = shared_pool(asr.lm_path, asr.dict_path, self._asr_workers)
                await self.asr_pool.start()
        log.info("offline speech: %s recognition, %s synthesis",
                 "whisper" if whisper else "pocketsphinx" if asr else "no", self._synth.engine)
        self._ctx = SessionContext(
            synthesizer=self._synth, asr=asr, executor=self._executor, handles=self.handles,
            counters=self.counters, asr_pool=self.asr_pool, whisper=whisper, pool=self._pool,
            **self._ctx_args,  # type: ignore[arg-type]
        )
        if self._synth.neural is None:
            if self._warm_voice:
                await self._synth.warm(lines.ACKS, DEFAULT_VOICE)
        else:  # a few seconds of Piper on a busy machine: not in the way of the first call
            self._spawn(self._synth.warm(lines.ACKS, DEFAULT_VOICE))

        app = web.Application(client_max_size=generate.MAX_BODY_BYTES)
        app.router.add_routes(generate.routes(self.generate_faults))
        app.router.add_get("/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=tls.server_context(self._certs))
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.host = host
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        log.info("offline Live API server on %s", self.base_url)

    def _certificates_for(self, cert_dir: Path, host: str) -> tls.Certificates:
        kept = tls.Certificates(ca=cert_dir / "ca.pem", cert=cert_dir / "cert.pem",
                                key=cert_dir / "key.pem")
        if self._keep_certs and all(p.exists() for p in (kept.ca, kept.cert, kept.key)):
            return kept
        return tls.generate(cert_dir, ips=tls.addresses_for(host))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for session in list(self.sessions):
            await session.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self.asr_pool = None  # shared by the process's servers; its sessions returned theirs
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    async def __aenter__(self) -> OfflineLiveServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- how clients reach it -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}"

    @property
    def certificates(self) -> tls.Certificates:
        if self._certs is None:
            raise RuntimeError("the offline Live server is not started")
        return self._certs

    def client_ssl_context(self) -> ssl.SSLContext:
        """An SSLContext that trusts only this server's CA."""
        return tls.client_context(self.certificates)

    def http_options(self, api_version: str | None = None) -> Any:
        """`google.genai.types.HttpOptions` that point a client at this server."""
        from google.genai import types

        return types.HttpOptions(
            base_url=self.base_url,
            api_version=api_version,
            async_client_args={"ssl": self.client_ssl_context()},
        )

    def genai_client(self, api_key: str | None = None) -> Any:
        from google import genai

        return genai.Client(api_key=api_key or self.secret, http_options=self.http_options())

    def adk_model(self, model: str = "gemini-live-2.5-flash-preview", **kwargs: Any) -> Any:
        """A `google.adk.models.Gemini` whose live connections go to this server."""
        from google.adk.models import Gemini

        return Gemini(
            model=model,
            client_kwargs={"api_key": self.secret, "http_options": self.http_options()},
            **kwargs,
        )

    # ---- test hooks ---------------------------------------------------------------------

    @property
    def sessions_opened(self) -> int:
        return self.counters.sessions_opened

    @property
    def resumptions(self) -> int:
        return self.counters.resumptions

    @property
    def interruptions(self) -> int:
        return self.counters.interruptions

    @property
    def tool_calls(self) -> int:
        return self.counters.tool_calls

    @property
    def recognizer(self) -> str:
        """Which recogniser sessions use: "whisper", "pocketsphinx" or "none"."""
        if self._ctx is None:
            return "none"
        return "whisper" if self._ctx.whisper else "pocketsphinx" if self._ctx.asr else "none"

    @property
    def synthesizer(self) -> str:
        return self._synth.engine

    @property
    def pool(self) -> ModelPool | None:
        return self._pool

    @property
    def active_sessions(self) -> int:
        return len(self.sessions)

    def drop_connections(self) -> int:
        """Abruptly close every live socket (no close frame); returns how many."""
        count = 0
        for session in list(self.sessions):
            session.abort()
            count += 1
        self.counters.dropped += count
        return count

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def send_go_away(self, time_left_s: float = 5.0) -> int:
        """Send `goAway {timeLeft}` to every session, then close each after the time."""
        count = 0
        for session in list(self.sessions):
            task = asyncio.get_running_loop().create_task(session.go_away(time_left_s))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            count += 1
        self.counters.go_aways += count
        return count

    # ---- websocket ----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if not PATH.match(request.path) or self._ctx is None:
            raise web.HTTPNotFound(text="offline Live API: unknown path\n")
        verdict = KeyCheck(self.secret).check(request)
        if verdict is not None:
            self.refused["key"] += 1
            raise verdict
        if self._admitted >= self.max_sessions:
            self.refused["capacity"] += 1
            raise web.HTTPServiceUnavailable(
                text=f"offline Live API: at capacity ({self.max_sessions} sessions)\n",
                headers={"Retry-After": "5"},
            )
        if self._pool is not None and self._pool.overloaded():
            # Queued model work is already late: a new call would make every live one later.
            self.counters.refused_overloaded += 1
            raise web.HTTPServiceUnavailable(text="offline Live API: overloaded, retry later\n",
                                             headers={"Retry-After": "5"})
        self._admitted += 1
        try:
            return await self._serve(request)
        finally:
            self._admitted -= 1

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME_BYTES, autoping=True)
        if not ws.can_prepare(request).ok:
            raise web.HTTPBadRequest(text="websocket upgrade required\n")
        await ws.prepare(request)
        try:
            msg = await ws.receive(timeout=SETUP_TIMEOUT_S)
        except TimeoutError:
            await ws.close(code=1008, message=b"no setup message")
            return ws
        if msg.type not in (web.WSMsgType.TEXT, web.WSMsgType.BINARY):
            return ws
        try:
            events = protocol.parse_client_message(msg.json())
            setup = events[0]
            if not isinstance(setup, protocol.Setup):
                raise protocol.ProtocolError("the first message must be setup")
        except (ValueError, protocol.ProtocolError) as e:
            self.counters.protocol_errors += 1
            await ws.close(code=1007, message=str(e)[:120].encode())
            return ws

        restored = None
        if setup.handle:
            restored = self.handles.get(setup.handle)
            if restored is None:
                self.counters.resumption_misses += 1
                log.warning("unknown or expired resumption handle; starting a new session")
            else:
                self.counters.resumptions += 1
        seed = (self.seed * 1_000_003 + self.counters.sessions_opened) & 0x7FFFFFFF
        self.counters.sessions_opened += 1
        session = LiveSession(self._ctx, request, ws, setup, uuid.uuid4().hex,
                              restored=restored, seed=seed)
        self.sessions.add(session)
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
        return ws


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None
