"""One simulated interview through the real product: create it over HTTP, join as a WebRTC
peer, answer each interviewer turn as the case's persona (by voice or typed), follow it to
`done` or the time limit, then read back what the product kept. Returns the case's record,
the input of evals/metrics.py.

Turn taking: the candidate answers once the interviewer has said something new (a final
caption) and its voice has been quiet for `QUIET_S`, like a person waiting for the other to
finish; the interrupter instead starts talking `BARGE_AFTER_S` into the interviewer's turn.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp

from agents.questions import CODING_BANK_DIR, find_question
from evals import collect
from evals.candidate import CandidatePeer, synthesize
from evals.cases import Case
from evals.personas import Reply, make_persona

log = logging.getLogger(__name__)

QUIET_S = 0.9  # the interviewer's voice has stopped this long: their turn is over
CAPTION_ONLY_S = 6.0  # a final caption with no voice at all after this long: answer anyway
STATEMENT_WAIT_S = 5.0  # a turn that asked nothing ("Thanks, Alex.") may go on: wait longer
REPLY_TIMEOUT_S = 45.0  # nothing new from the interviewer this long: say it again
BARGE_AFTER_S = 1.2  # the interrupter starts this far into the interviewer's turn
END_GRACE_S = 15.0  # after `done`, for the goodbye to play and the interview to complete


async def create_interview(http: aiohttp.ClientSession, case: Case) -> dict[str, Any]:
    body: dict[str, Any] = {"type": case.type, "role": case.role, "level": case.level,
                            "company": case.company, "length_minutes": case.length_minutes}
    if case.question_id:
        body["question_id"] = case.question_id
    async with http.post("/api/interviews", json=body) as resp:
        if resp.status != 201:
            raise RuntimeError(f"create interview: HTTP {resp.status} {await resp.text()}")
        return await resp.json()


def expected_topics(case: Case, question_id: str | None) -> tuple[str, ...]:
    if case.expected_topics is not None:
        return case.expected_topics
    question = find_question(question_id)
    return question.topics if question is not None else ()


def solution(slug: str, which: str) -> str | None:
    path = CODING_BANK_DIR / f"{slug}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    key = "reference_solutions" if which == "reference" else "wrong_solution"
    return (data.get(key) or {}).get("python")


class Conversation:
    """The state of one call as the candidate sees it."""

    def __init__(self, case: Case, http: aiohttp.ClientSession, interview: dict[str, Any]):
        self.case = case
        self.http = http
        self.interview = interview
        self.question_id: str | None = interview.get("question_id")
        self.persona = make_persona(case.persona, case.type,
                                    expected_topics(case, self.question_id), case.max_answers,
                                    llm=case.llm, question=interview.get("question_text") or "")
        self.peer = CandidatePeer()
        self.t0 = 0.0
        self.phases: list[dict[str, Any]] = []
        self.turns: list[dict[str, Any]] = []
        self.submissions: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.heard: list[str] = []  # final interviewer captions since the candidate's last turn
        self.partial = ""
        self.new_since = 0.0  # when the first of `heard` arrived
        self.replied_at = 0.0
        self.cursor = 0
        self.phase = ""
        self.no_reply = 0
        self._tasks: list[asyncio.Task[None]] = []

    def rel(self, t: float | None) -> float | None:
        return None if t is None else round(t - self.t0, 3)

    # -- events ---------------------------------------------------------------------------

    def take_events(self) -> None:
        for at, event in self.peer.events[self.cursor:]:
            kind = event.get("type")
            if kind == "caption" and event.get("speaker") == "agent":
                if event.get("final"):
                    if not self.heard:
                        self.new_since = at
                    self.heard.append(str(event.get("text", "")))
                    self.partial = ""
                else:
                    self.partial = str(event.get("text", ""))
            elif kind == "phase":
                self.phase = str(event.get("phase"))
                self.phases.append({"phase": self.phase, "t": self.rel(at)})
            elif kind == "session.state":
                question = event.get("question") or {}
                if question.get("id") and question["id"] != self.question_id:
                    self.question_id = question["id"]
                    self.persona.topics = expected_topics(self.case, self.question_id)
                if not self.phases and event.get("phase"):
                    self.phase = str(event["phase"])
                    self.phases.append({"phase": self.phase, "t": self.rel(at)})
            elif kind == "error":
                self.errors.append(f"{event.get('code')}: {event.get('message')}")
        self.cursor = len(self.peer.events)

    # -- the candidate's turns ------------------------------------------------------------

    def interviewer_done(self, now: float) -> bool:
        if not self.heard or self.peer.mic.speaking:
            return False
        last = self.peer.last_loud()
        spoke_since = last is not None and last > self.replied_at
        asked = any(line.rstrip().endswith("?") or "? " in line for line in self.heard)
        quiet = QUIET_S if asked else STATEMENT_WAIT_S
        if spoke_since:
            return now - last >= quiet
        return now - self.new_since >= max(quiet, CAPTION_ONLY_S)

    def barge_now(self, now: float) -> bool:
        persona = self.persona
        if persona.name != "interrupter" or self.case.mode != "voice" or self.peer.mic.speaking:
            return False
        if self.phase != "interview" or persona.answers < 1:
            return False
        if len(self.turns) % 2:  # every other turn cuts in; the rest wait politely
            return False
        started = self.peer.first_loud_after(self.replied_at + 0.2)
        last = self.peer.last_loud()
        return (started is not None and last is not None and now - started >= BARGE_AFTER_S
                and now - last < 0.1)

    async def answer(self, line: str, *, barge: bool) -> bool:
        reply = await self._reply(line)
        if reply is None:
            return False
        self.heard.clear()
        self.partial = ""
        if self.case.mode == "voice":
            await self._speak(reply, barge)
        else:
            self.replied_at = time.monotonic()
            self.peer.send({"type": "chat.text", "text": reply.text})
            self.turns.append({"mode": "typed", "kind": reply.kind, "text": reply.text,
                               "t_start": self.rel(self.replied_at),
                               "t_end": self.rel(self.replied_at), "barge_in": False})
        if reply.kind == "answer" and self.case.type == "coding":
            self._maybe_submit()
        return True

    async def _reply(self, line: str) -> Reply | None:
        areply = getattr(self.persona, "areply", None)
        return await areply(line) if areply is not None else self.persona.reply(line)

    async def _speak(self, reply: Reply, barge: bool) -> None:
        pcm = await asyncio.to_thread(synthesize, reply.text)
        mic = self.peer.mic
        mic.say(pcm)
        self.replied_at = time.monotonic()
        await mic.finished()
        self.replied_at = time.monotonic()
        self.turns.append({"mode": "voice", "kind": reply.kind, "text": reply.text,
                           "t_start": self.rel(mic.utterance_started),
                           "t_end": self.rel(mic.utterance_ended), "barge_in": barge})

    def _maybe_submit(self) -> None:
        plan = {"reference": {1: "reference"}, "wrong": {1: "wrong"},
                "wrong_then_reference": {1: "wrong", 2: "reference"}}.get(self.case.submit, {})
        which = plan.get(self.persona.answers)
        if which and self.question_id:
            self._tasks.append(asyncio.create_task(self._submit(which)))

    async def _submit(self, which: str) -> None:
        code = solution(self.question_id or "", which)
        if code is None:
            self.errors.append(f"no {which} solution for {self.question_id}")
            return
        sent = time.monotonic()
        body = {"language": "python", "code": code, "question_slug": self.question_id}
        path = f"/api/interviews/{self.interview['id']}/submissions"
        async with self.http.post(path, json=body) as resp:
            out = await resp.json(content_type=None) if resp.status == 201 else {}
            self.submissions.append({
                "which": which, "t": self.rel(sent), "http": resp.status,
                "status": out.get("status"), "accepted": out.get("status") == "accepted",
                "passed": out.get("passed"), "total": out.get("total")})

    # -- the call -------------------------------------------------------------------------

    async def run(self) -> str:
        """Follow the interview; returns how it ended: done | time_limit | disconnected."""
        await self.peer.connect(self.http, self.interview["id"])
        self.t0 = self.replied_at = time.monotonic()
        deadline = self.t0 + self.case.time_limit_s
        done_at: float | None = None
        while True:
            now = time.monotonic()
            self.take_events()
            if self.peer.pc.connectionState in ("failed", "closed"):
                return "done" if done_at is not None else "disconnected"
            if now > deadline:
                return "time_limit" if done_at is None else "done"
            if self.phase == "done":
                done_at = done_at or now
                last = self.peer.last_loud() or 0.0
                if now - max(last, done_at) >= 1.5 or now - done_at > END_GRACE_S:
                    return "done"
            elif self.barge_now(now):
                await self.answer(" ".join([*self.heard, self.partial]), barge=True)
            elif self.interviewer_done(now):
                if not await self.answer(" ".join(self.heard), barge=False):
                    self.heard.clear()  # a goodbye: nothing to say, wait for `done`
            elif not self.peer.mic.speaking and now - self.replied_at > REPLY_TIMEOUT_S \
                    and self.persona.last and self.phase not in ("closing", "done"):
                self.no_reply += 1  # not heard, or the interviewer is stuck: say it again
                await self.answer("Sorry, could you repeat that?", barge=False)
            self.peer.changed.clear()
            try:
                await asyncio.wait_for(self.peer.changed.wait(), 0.1)
            except TimeoutError:
                pass

    async def close(self) -> None:
        for task in self._tasks:
            try:
                await asyncio.wait_for(task, 30)
            except (TimeoutError, aiohttp.ClientError) as exc:
                self.errors.append(f"submission: {exc!r}")
        await self.peer.close()


async def run_case(case: Case, http: aiohttp.ClientSession, *,
                   feedback_timeout_s: float = 60.0) -> dict[str, Any]:
    """Run `case` and return its record (see evals/metrics.py for what is read from it)."""
    started = time.monotonic()
    wall0 = time.time()
    record: dict[str, Any] = {"case": case.model_dump(mode="json"), "errors": []}
    try:
        interview = await create_interview(http, case)
    except (RuntimeError, aiohttp.ClientError) as exc:
        record.update(ended_by="error", errors=[str(exc)])
        return record
    record["interview_id"] = interview["id"]
    talk = Conversation(case, http, interview)
    try:
        record["ended_by"] = await talk.run()
        record["call_s"] = round(time.monotonic() - talk.t0, 2)
        wall0 = time.time() - (time.monotonic() - talk.t0)
    except (RuntimeError, TimeoutError, aiohttp.ClientError) as exc:
        record["ended_by"] = "error"
        talk.errors.append(f"call: {exc!r}")
    if record["ended_by"] != "done":
        talk.peer.send({"type": "session.end"})
    row = await collect.wait_terminal(http, interview["id"], 20.0)
    await talk.close()
    row = await collect.wait_terminal(http, interview["id"], 10.0)
    question_id = row.get("question_id") or talk.question_id
    question = find_question(question_id)
    record.update(
        status=row.get("status"),
        end_reason=(row.get("metadata") or {}).get("end_reason"),
        question={"id": question_id, "title": question.title if question else None,
                  "text": row.get("question_text"),
                  "topics": list(expected_topics(case, question_id))},
        transcript=await collect.transcript(http, interview["id"], wall0),
        phases=talk.phases,
        turns=talk.turns,
        voice_spans=[[round(a - talk.t0, 3), round(b - talk.t0, 3)]
                     for a, b in talk.peer.loud_spans()],
        talk_s={"candidate": round(talk.peer.mic.spoken_s, 2),
                "interviewer": round(talk.peer.heard_s, 2)},
        submissions=talk.submissions,
        no_reply=talk.no_reply,
        recordings=await collect.recordings(http, interview["id"]),
        feedback=await collect.feedback(http, interview["id"], feedback_timeout_s),
        duration_s=round(time.monotonic() - started, 1),
        errors=talk.errors,
    )
    return record


def save(record: dict[str, Any], out: Path) -> None:
    (out / f"{record['case']['id']}.json").write_text(json.dumps(record, indent=1))
