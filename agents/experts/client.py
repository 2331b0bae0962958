"""Asking an expert over A2A: the company's expert URL, a `ReviewRequest` out, a `Review`
back. The agent card is fetched once per URL; every call is bounded by `timeout_s`
(connection refused fails at once)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import httpx
from a2a.client import Client, ClientConfig, create_client
from a2a.helpers import get_data_parts

from agents.experts.review import Review, ReviewRequest


class ExpertUnavailable(Exception):
    """No review: the expert is down, slow, or answered something unusable."""


def expert_key(company: str, urls: Mapping[str, str]) -> str:
    return company if company in urls else "general"


Resolve = Callable[[str], Awaitable[str]]  # company → URL (a local expert, started on demand)


class ExpertClient:
    def __init__(
        self, urls: Mapping[str, str] | None = None, *, resolve: Resolve | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        self.urls = dict(urls or {})
        self.resolve = resolve
        self.timeout_s = timeout_s
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=2.0))
        self._clients: dict[str, Client] = {}
        self._lock = asyncio.Lock()

    async def _client(self, url: str) -> Client:
        async with self._lock:
            if url not in self._clients:
                config = ClientConfig(streaming=False, httpx_client=self._http)
                self._clients[url] = await create_client(url, client_config=config)
            return self._clients[url]

    async def review(self, request: ReviewRequest) -> Review:
        from a2a.types import SendMessageRequest

        url: str | None = None
        try:
            async with asyncio.timeout(self.timeout_s):
                url = await self._url(request.company)
                client = await self._client(url)
                async for response in client.send_message(
                    SendMessageRequest(message=request.to_message())
                ):
                    task = response.task if response.HasField("task") else None
                    for artifact in task.artifacts if task is not None else []:
                        for data in get_data_parts(list(artifact.parts)):
                            if isinstance(data, dict) and data.get("summary") is not None:
                                return Review.from_dict(data)
        except ExpertUnavailable:
            raise
        except Exception as exc:  # httpx, a2a and timeouts all mean "no review now"
            async with self._lock:
                self._clients.pop(url or "", None)  # a restarted expert gets a fresh card
            raise ExpertUnavailable(f"{type(exc).__name__}: {exc}"[:200]) from exc
        raise ExpertUnavailable("the expert answered without a review")

    async def _url(self, company: str) -> str:
        if self.urls:
            url = self.urls.get(expert_key(company, self.urls))
            if url is None:
                raise ExpertUnavailable(f"no expert configured for {company!r}")
            return url
        if self.resolve is None:
            raise ExpertUnavailable("no experts configured")
        return await self.resolve(company)

    async def close(self) -> None:
        await self._http.aclose()
