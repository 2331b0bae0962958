"""Where the interviewer's voice model lives: Gemini Live when an API key is set; another
Live endpoint when `base_url` is also set (e.g. `python -m agents.offline` in its own
process, trusted through `ca_file`); otherwise our offline Live API server, started here on
127.0.0.1 with its own TLS certificate.

The app owns one `LiveModel` (server/rtc.py) and closes it at shutdown; it starts on first
use (`await model()`), so an app that never holds an interview (most API tests) pays
nothing, and the first interview waits ~0.2 s for the offline server.

Both are reached through the same `google.adk.models.Gemini`; offline differs only in the
client it builds: `client_kwargs` gives google-genai the server's per-start secret as its
key, the server's base URL and an SSLContext that trusts only the server's generated CA
(never the process-wide bundle: SSL_CERT_FILE is left alone).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path
from typing import Any

from google.adk.models import Gemini
from google.genai import types

log = logging.getLogger(__name__)

# No permessage-deflate on the Live socket: base64 PCM saves ~20 % of its bytes under
# deflate, which cost the server process ~3 % of its CPU at 40 calls (zlib both ways);
# google-genai hands the websocket client's own arguments through `async_client_args`.
WEBSOCKET_ARGS: dict[str, Any] = {"compression": None}


class LiveModel:
    def __init__(self, model_name: str, api_key: str = "", *, base_url: str = "",
                 ca_file: Path | None = None, **offline_options: Any) -> None:
        self.model_name = model_name
        self.api_key = api_key
        self.base_url = base_url
        self.ca_file = ca_file
        self.offline: Any = None  # agents.offline.OfflineLiveServer when running offline
        self._offline_options = offline_options
        self._llm: Gemini | None = None
        self._synth: Any = None
        self._lock = asyncio.Lock()
        self.closed = False
        self._preloading: asyncio.Future[None] | None = None

    @property
    def is_offline(self) -> bool:
        return not self.api_key

    async def __call__(self) -> Gemini:
        """The ADK model, starting what it needs the first time."""
        async with self._lock:
            if self.closed:
                raise RuntimeError("the interviewer's voice model is shut down")
            if self._llm is None:
                try:
                    await self.start()
                except BaseException:
                    await self.close(final=False)
                    raise
            assert self._llm is not None
            return self._llm

    def preload(self) -> None:
        """Load the offline server's speech models in the background now, so the first
        interview does not wait for them (no-op with a key or classic speech)."""
        if self.api_key or not self._offline_options.get("neural_speech", False):
            return
        from agents.offline import speech_models

        self._preloading = asyncio.ensure_future(asyncio.to_thread(speech_models.preload))

    async def start(self) -> None:
        if self.api_key and self.base_url:
            self._llm = Gemini(model=self.model_name, client_kwargs={
                "api_key": self.api_key,
                "http_options": types.HttpOptions(base_url=self.base_url,
                                                  async_client_args=self._tls_args()),
            })
            log.info("interviewer voice model: Live API at %s", self.base_url)
        elif self.api_key:
            self._llm = Gemini(model=self.model_name, client_kwargs={
                "api_key": self.api_key,
                "http_options": types.HttpOptions(async_client_args=dict(WEBSOCKET_ARGS)),
            })
        else:
            from agents.offline import OfflineLiveServer

            self.offline = OfflineLiveServer(**self._offline_options)
            await self.offline.start()
            self._llm = Gemini(
                model=self.model_name,
                client_kwargs={
                    "api_key": self.offline.secret,  # the server refuses any other key
                    "http_options": types.HttpOptions(
                        base_url=self.offline.base_url,
                        async_client_args={"ssl": self.offline.client_ssl_context(),
                                           **WEBSOCKET_ARGS},
                    ),
                },
            )
            log.info("interviewer voice model: offline server at %s", self.offline.base_url)
        try:
            from agents.offline.tts import Synthesizer

            self._synth = Synthesizer()
        except Exception as exc:  # espeak-ng missing: apologies are captions only
            log.warning("no local speech for connection notices: %s", exc)

    def _tls_args(self) -> dict[str, Any]:
        """Trust only `ca_file` when given (the process-wide bundle otherwise)."""
        if self.ca_file is None:
            return dict(WEBSOCKET_ARGS)
        return {"ssl": ssl.create_default_context(cafile=str(self.ca_file)), **WEBSOCKET_ARGS}

    def llm(self) -> Gemini:
        if self._llm is None:
            raise RuntimeError("LiveModel.start() first")
        return self._llm

    async def say(self, text: str) -> bytes:
        """`text` spoken with local TTS (24 kHz mono s16), for when the model is unreachable."""
        if self._synth is None:
            return b""
        return bytes(await self._synth.synthesize(text))

    async def close(self, *, final: bool = True) -> None:
        self.closed = self.closed or final
        self._llm = None
        if self.offline is not None:
            await self.offline.close()
            self.offline = None
