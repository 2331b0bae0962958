"""One expert as an A2A server: an agent card (text and image/png input, the skill "system
design review") and the JSON-RPC endpoint, as Starlette routes served by uvicorn.

Each request becomes a task whose single artifact is the review (`last_chunk=True`, or ADK's
`RemoteA2aAgent` would leave the reply partial), then the task completes. The reasoning runs
in a worker thread offline (the critic is CPU work) or as a Gemini call with a key.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from a2a.helpers import new_task_from_user_message
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandlerV2
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types import AgentCapabilities, AgentCard, AgentInterface, AgentSkill
from starlette.applications import Starlette

from agents.experts.critic import critique
from agents.experts.review import JSON_MEDIA_TYPE, PNG_MEDIA_TYPE, Review, ReviewRequest
from agents.experts.styles import ExpertStyle

log = logging.getLogger(__name__)

RPC_PATH = "/"
SKILL_ID = "system-design-review"


class Reasoner(Protocol):
    async def review(self, request: ReviewRequest) -> Review: ...


class OfflineCritic:
    async def review(self, request: ReviewRequest) -> Review:
        return await asyncio.to_thread(critique, request)


def agent_card(style: ExpertStyle, url: str) -> AgentCard:
    return AgentCard(
        name=style.name,
        description=f"Reviews system-design whiteboards; focus: {style.focus}.",
        version="1.0.0",
        supported_interfaces=[AgentInterface(url=url, protocol_binding="JSONRPC",
                                             protocol_version="1.0")],
        capabilities=AgentCapabilities(streaming=False),
        default_input_modes=["text/plain", JSON_MEDIA_TYPE, PNG_MEDIA_TYPE],
        default_output_modes=[JSON_MEDIA_TYPE, "text/plain"],
        skills=[AgentSkill(
            id=SKILL_ID, name="system design review",
            description="Strengths, risks and follow-up questions for a whiteboard design.",
            tags=["system design", style.company],
            input_modes=["text/plain", JSON_MEDIA_TYPE, PNG_MEDIA_TYPE],
            output_modes=[JSON_MEDIA_TYPE, "text/plain"],
        )],
    )


class ExpertExecutor(AgentExecutor):
    def __init__(self, reasoner: Reasoner) -> None:
        self.reasoner = reasoner
        self.received_png_sha256: list[str | None] = []  # what came in, for logs and tests

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        message = context.message
        assert message is not None
        task = context.current_task
        if task is None:
            task = new_task_from_user_message(message)
            await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        request = ReviewRequest.from_message(message)
        self.received_png_sha256.append(request.png_sha256)
        await updater.start_work()
        review = await self.reasoner.review(request)
        await updater.add_artifact(review.parts(), name="review", last_chunk=True)
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        task = context.current_task
        if task is not None:
            await TaskUpdater(event_queue, task.id, task.context_id).cancel()


def build_app(style: ExpertStyle, url: str, reasoner: Reasoner | None = None) -> Starlette:
    card = agent_card(style, url)
    handler = DefaultRequestHandlerV2(
        agent_executor=ExpertExecutor(reasoner or OfflineCritic()),
        task_store=InMemoryTaskStore(), agent_card=card,
    )
    routes = [*create_agent_card_routes(card), *create_jsonrpc_routes(handler, RPC_PATH)]
    return Starlette(routes=routes)
