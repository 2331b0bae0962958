"""The AI interviewer: the server's default `Agent`.

One live agent covers the whole interview (routing → intro → interview → closing → done)
with a single instruction and the `advance_phase` tool, rather than one ADK agent per phase
joined by agent transfer. In ADK live mode a transfer closes the model connection and opens
a new one with the history replayed, which can stall for ~10 s when the model is still
streaming; in a voice call that is dead air at every phase change, and each new agent
starts without the previous one's voice and rapport. A tool call costs nothing audible, so
the conversation flows on while the phase is recorded.

Per interview: pick (or reuse) the question, pick a persona (name, voice, phrase palette),
keep `ConversationMemory` over the candidate's final turns, feed new items back to the
model as `[Notes: ...]` between turns, tell it the time (`[Time: 12 of 45 minutes gone.]`,
agents/pacing.py: a model has no clock, and pacing needs one) once a minute at most, write
phase + memory to the interview record, and end the call once the goodbye has been heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from google.adk.agents import LlmAgent
from google.adk.agents.readonly_context import ReadonlyContext
from google.adk.models import BaseLlm

from agents.board import BoardWatcher
from agents.coding import CodeCoach, Note, read_code_tool
from agents.expert_tool import ExpertDesk
from agents.experts.client import ExpertClient
from agents.hooks import AgentIO
from agents.instructions import Persona, build_instruction
from agents.live import LiveBridge, RetryPolicy, Say, live_run_config
from agents.memory import ConversationMemory
from agents.notes import MemoryNotes
from agents.pacing import time_note
from agents.phases import InterviewState
from agents.questions import Question, pick_question, question_from_brief
from agents.tools import PhaseKeeper

log = logging.getLogger(__name__)

JOINED = "[The candidate has joined the call.]"
# Issue 9: the call dropped (a reload, the network) and the candidate came back.
REJOINED = ("[The candidate's connection dropped and they have rejoined the call. Welcome them "
            "back in a sentence and continue where you left off.]")
GOODBYE_QUIET_S = 1.2  # the model has been silent this long: its goodbye is over
GOODBYE_MAX_WAIT_S = 10.0
IDLE_CHECK_S = 10.0


async def choose_question(io: AgentIO, rng: random.Random | None = None) -> Question:
    """The interview's question: the one it already has, or a new pick that is recorded."""
    brief = io.brief
    if brief.question_text:
        return question_from_brief(brief.type, brief.question_id, brief.question_text)
    question = pick_question(brief.type, brief.level, brief.company, rng)
    await io.set_question(question.id, question.text)
    return question


ModelSource = BaseLlm | str | Callable[[], Awaitable[BaseLlm]]


class Interviewer:
    def __init__(
        self,
        model: ModelSource,
        *,
        retry: RetryPolicy = RetryPolicy(),
        say: Say | None = None,
        rng: random.Random | None = None,
        use_voices: bool = True,
        clock: Callable[[], float] = time.time,
        experts: ExpertClient | None = None,
        on_system_design: Callable[[str], None] | None = None,
    ) -> None:
        self.model = model
        self.retry = retry
        self.say = say
        self.rng = rng or random.Random()
        self.use_voices = use_voices
        self.clock = clock  # wall clock (epoch s), compared with the brief's `started_at`
        self.experts = experts
        self.on_system_design = on_system_design  # e.g. start the company's local expert
        self.conversation: Conversation | None = None

    async def __call__(self, io: AgentIO) -> None:
        model = self.model if isinstance(self.model, BaseLlm | str) else await self.model()
        question = await choose_question(io, self.rng)
        if question.type == "system_design" and self.on_system_design is not None:
            self.on_system_design(io.brief.company)
        conversation = Conversation(io, question, Persona.random(self.rng), model, self)
        self.conversation = conversation  # the latest one, for inspection
        await conversation.run()


class Conversation:
    """One interview in progress: the glue between the phases, the memory and the bridge."""

    def __init__(
        self, io: AgentIO, question: Question, persona: Persona, model: BaseLlm | str,
        owner: Interviewer,
    ) -> None:
        self.io = io
        self.question = question
        self.persona = persona
        self.state = InterviewState(question_id=question.id)
        self.memory = ConversationMemory()
        self.notes = MemoryNotes(self.memory)
        self.keeper = PhaseKeeper(io, self.state, snapshot=self.snapshot, on_done=self._on_done)
        self.board: BoardWatcher | None = None
        self.desk: ExpertDesk | None = None
        self.coach = CodeCoach()
        tools: list[Any] = [self.keeper.tool()]
        if question.type == "system_design" and owner.experts is not None:
            self.desk = ExpertDesk(
                io, owner.experts, question, recent=lambda: self.bridge.recent_transcript(),
                send_note=lambda text: self.board.note(text) if self.board else None,
            )
            tools.append(self.desk.tool())
        if io.brief.type == "coding":
            tools.append(read_code_tool(io, self.coach))
        self.agent = LlmAgent(
            name="interviewer",
            model=model,
            instruction=self.instruction,
            tools=tools,
        )
        self.bridge = LiveBridge(
            io,
            self.agent,
            run_config=live_run_config(voice=persona.voice if owner.use_voices else None),
            listener=self,
            retry=owner.retry,
            say=owner.say,
            initial_state={"question_id": question.id},
        )
        if question.type == "system_design":
            self.board = BoardWatcher(io, self.bridge)
        self._finishing: asyncio.Task[None] | None = None
        self._clock = owner.clock
        self._started_at = io.brief.started_at or owner.clock()
        self._told_minute: int | None = None

    def instruction(self, _ctx: ReadonlyContext | None = None) -> str:
        """Rebuilt at every (re)connection: the current phase and what the candidate said.
        A callable, so ADK does not treat braces in the text as state placeholders."""
        summary = self.memory.summary() if self.state.memory else ""
        return build_instruction(
            self.io.brief, self.question, phase=self.state.phase, persona=self.persona,
            memory_summary=summary,
        )

    def snapshot(self) -> dict[str, Any]:
        self.state.memory = self.memory.to_dict()
        self.state.memory_summary = self.memory.summary()
        return self.state.to_session_state()

    async def run(self) -> None:
        watching = asyncio.ensure_future(self.board.run()) if self.board is not None else None
        watchers = [asyncio.create_task(self._welcome_back())]
        if self.io.brief.type == "coding":
            watchers += [
                asyncio.create_task(self._pass_code_results()),
                asyncio.create_task(self._watch_idle_code()),
            ]
        try:
            await self.bridge.run(opening=JOINED)
            if self._finishing is not None:
                await self._finishing  # the model ended the call: let the goodbye finish
        finally:
            if watching is not None:
                watching.cancel()
                await asyncio.gather(watching, return_exceptions=True)
            if self.desk is not None:
                await self.desk.close()
            for task in watchers:
                task.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)
            if self._finishing is not None and not self._finishing.done():
                self._finishing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._finishing

    async def _welcome_back(self) -> None:
        """Each rejoin: the model says a short welcome back and picks up where it was."""
        async for _ in self.io.rejoined():
            if self.state.phase not in ("done",):
                self.bridge.send_text(REJOINED)

    # -- the coding room ----------------------------------------------------------------

    def _send_note(self, note: Note) -> None:
        if self.state.phase in ("closing", "done"):
            return
        self.bridge.send_text(note.text, partial=not note.reply)

    async def _pass_code_results(self) -> None:
        """Each judged run or submission reaches the model as a note (see agents/coding.py)."""
        async for result in self.io.code_results():
            self._send_note(self.coach.on_result(result))

    async def _watch_idle_code(self, every_s: float = IDLE_CHECK_S) -> None:
        while True:
            await asyncio.sleep(every_s)
            note = self.coach.idle_note(self.io.current_code())
            if note is not None:
                self._send_note(note)

    # -- LiveListener -----------------------------------------------------------------

    def on_candidate_said(self, text: str) -> None:
        self.notes.observe(text)
        self.state.memory = self.memory.to_dict()

    def on_agent_turn_complete(self) -> None:
        if self.state.phase in ("closing", "done"):
            return
        elapsed_s = max(0.0, self._clock() - self._started_at)
        if int(elapsed_s // 60) != self._told_minute:
            self._told_minute = int(elapsed_s // 60)
            self.bridge.send_text(time_note(elapsed_s, self.io.brief.length_minutes),
                                  partial=True)
        line = self.notes.take()
        if line is not None:
            self.bridge.send_text(line, partial=True)

    async def on_model_lost(self, reason: str) -> None:
        """The interview is about to end `failed`: keep what was learnt about it."""
        if self.state.phase != "done":
            await self.io.set_phase(self.state.phase, self.snapshot())

    # -- the end ----------------------------------------------------------------------

    def _on_done(self) -> None:
        if self._finishing is None:
            self._finishing = asyncio.ensure_future(self._finish_after_goodbye())

    async def _finish_after_goodbye(self) -> None:
        """The model said goodbye and asked to end: wait until it has been quiet for a
        moment (a goodbye may follow the tool call), then record `done`; AgentIO lets the
        queued audio play out and completes the interview."""
        waited = 0.0
        while self.bridge.agent_quiet_for() < GOODBYE_QUIET_S and waited < GOODBYE_MAX_WAIT_S:
            await asyncio.sleep(0.1)
            waited += 0.1
        await self.io.set_phase("done", self.snapshot())

