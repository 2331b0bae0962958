"""Where the feedback evaluator's model lives: Gemini (`FEEDBACK_MODEL`) with an API key,
otherwise our offline server on 127.0.0.1, which answers `generateContent` with the
deterministic judge. One code path: only the client's base URL, key and TLS trust differ.
With `base_url` (LIVE_API_URL) the evaluator calls that endpoint, e.g. `python -m
agents.offline` in its own process, trusting `ca_file`.

The offline server starts on first use (an app that never scores an interview pays nothing)
without its speech parts, and is closed with the app.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import ssl
from pathlib import Path
from typing import Any

from google import genai
from google.genai import types

from agents.feedback.evaluator import Evaluator

log = logging.getLogger(__name__)


class FeedbackModel:
    def __init__(self, model_name: str, api_key: str = "", *, base_url: str = "",
                 ca_file: Path | None = None) -> None:
        self.model_name = model_name
        self.api_key = api_key
        self.base_url = base_url
        self.ca_file = ca_file
        self.offline: Any = None  # agents.offline.OfflineLiveServer, when offline
        self._lock = asyncio.Lock()
        self._evaluator: Evaluator | None = None

    @property
    def is_offline(self) -> bool:
        return not self.api_key

    async def evaluator(self) -> Evaluator:
        async with self._lock:
            if self._evaluator is None:
                self._evaluator = await self._start()
            return self._evaluator

    async def _start(self) -> Evaluator:
        if self.api_key and self.base_url:
            key, url, ca = self.api_key, self.base_url, self.ca_file
            tls = {"ssl": ssl.create_default_context(cafile=str(ca))} if ca else {}
            options = types.HttpOptions(base_url=url, async_client_args=tls)
            return Evaluator(lambda: genai.Client(api_key=key, http_options=options),
                             self.model_name, generated_by=f"live-api:{self.model_name}")
        if self.api_key:
            key = self.api_key
            return Evaluator(lambda: genai.Client(api_key=key), self.model_name,
                             generated_by=f"gemini:{self.model_name}")
        # Importing the offline server (speech libraries) takes ~0.3 s: not on the loop.
        module = await asyncio.to_thread(importlib.import_module, "agents.offline")
        server = module.OfflineLiveServer(speech_recognition=False, warm_voice=False)
        await server.start()
        self.offline = server
        log.info("feedback model: offline server at %s", server.base_url)
        return Evaluator(server.genai_client, self.model_name,
                         generated_by=f"offline-judge:{self.model_name}")

    async def close(self) -> None:
        self._evaluator = None
        if self.offline is not None:
            await self.offline.close()
            self.offline = None
