"""A rule-driven interviewer that behaves like a voice model following the agent's brief.

A pure state machine, text in and actions out: `on_user_turn(text)` and
`on_tool_response(call_id, response)` return what to do next, a list of `Say` (speak this)
ending with at most one `CallTool` (call this function and wait for its response, as the
real service does). No I/O, no clock; randomness comes from the session seed, so the same
seed and inputs always give the same interview.

Flow: the first client turn (for example "[the candidate has joined]") or the candidate's
first words → greeting and a request to introduce themselves; their introduction →
`advance_phase(phase="interview")`, then the question; each answer → a follow-up that
references what they said (technologies, decisions) or steers to an expected topic not yet
covered; once the time budget is spent (or after a few answers when the brief gives no
length), or when they ask to stop → `advance_phase("closing")`, an invitation to ask
questions; their reply → goodbye and `advance_phase("done")`.

Pacing: the brief's `Length: 45 minutes` and the app's time notes (`[Time: 12 of 45 minutes
gone.]`, agents/pacing.py) give the elapsed time, so the brain needs no clock. While time
remains it moves through the type's stages (a transition line when time moves it on) and
keeps asking deeper questions; "that's all" about one answer before then is not a reason to
close. The wrap-up line is said once, even when the candidate cuts it off and it is retried.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from agents.memory import ConversationMemory, extract, normalize
from agents.offline import board as whiteboard
from agents.offline import code_notes, lines
from agents.offline.actions import Action, CallTool, Say
from agents.offline.board_turns import BoardTurns
from agents.offline.brief import Brief
from agents.offline.cues import asks_a_question, is_rejoin, is_stage_direction
from agents.offline.follow_ups import FollowUps
from agents.offline.pace import Pace

PHASE_TOOL = "advance_phase"
TRANSFER_TOOL = "transfer_to_agent"

__all__ = ["Action", "Brain", "CallTool", "Say"]




@dataclass
class Brain(BoardTurns, FollowUps):
    brief: Brief
    seed: int = 0
    tool_names: tuple[str, ...] = (PHASE_TOOL,)
    agent_names: tuple[str, ...] = ()
    phase: str = ""
    greeted: bool = False
    question_presented: bool = False
    interview_turns: int = 0
    turn_limit: int = 0
    closing_asked: bool = False
    said_goodbye: bool = False
    pace: Pace = field(default_factory=Pace)
    wrapped: bool = False  # the wrap-up line has been said
    memory: ConversationMemory = field(default_factory=ConversationMemory)
    asked: list[str] = field(default_factory=list)
    last_follow_up: str = ""
    pending: dict[str, Any] | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)
    picks: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    board: str = ""  # the latest whiteboard description the client sent
    board_rev: int = 0
    board_used_rev: int = 0  # the board as of the last question about it
    expert_asked: bool = False
    expert_follow_up: str = ""  # from a late expert review, not yet asked
    code: dict[str, Any] = field(default_factory=dict)  # what the coding room notes said

    def __post_init__(self) -> None:
        if not self.phase:
            self.phase = self.brief.phase
        self.pace.length_minutes = self.pace.length_minutes or self.brief.length_minutes
        if not self.turn_limit:
            extra = random.Random(f"{self.seed}:limit").randrange(3)
            # No time notes: about two minutes an answer fills the chosen length.
            per_length = self.brief.length_minutes // 2
            self.turn_limit = max(4, per_length - 4) + extra if per_length else 4 + extra

    @classmethod
    def create(
        cls,
        brief: Brief,
        *,
        seed: int = 0,
        tool_names: Collection[str] = (PHASE_TOOL,),
        agent_names: Sequence[str] = (),
    ) -> Brain:
        return cls(brief=brief, seed=seed, tool_names=tuple(tool_names),
                   agent_names=tuple(agent_names))

    # ---- inputs -------------------------------------------------------------------------

    def on_user_turn(self, text: str, unsure: Collection[str] = ()) -> list[Action]:
        """The candidate finished a turn (spoken and recognised, or typed). `unsure`: words
        the recogniser was not confident of; no follow-up quotes them back."""
        if code_notes.is_code_note(text):
            return self._on_code_note(text)
        if self._observe_note(text):
            return []
        stage = is_stage_direction(text)
        if stage and self.pace.note(text):
            return self.resume()
        if is_rejoin(text):
            return self._welcome_back()
        if not stage and normalize(text):
            self.transcript.append({"role": "user", "text": text.strip()})
            self.memory.observe(text, unsure)
        self.pending = None
        if not self.greeted and self.phase in ("routing", "intro"):
            return self._open()
        if stage or not normalize(text):
            return self.resume() if stage else []
        if self.phase in ("routing", "intro"):
            return self._after_intro()
        if self.phase == "interview":
            if not self.question_presented:
                return self._present_question()
            self.interview_turns += 1
            if self.pace.time_to_close(
                text, turns=self.interview_turns, turn_limit=self.turn_limit
            ):
                return self._wrap_up()
            if self.code and code_notes.asks_for_help(normalize(text)):
                self.code["hints"] = int(self.code.get("hints", 0)) + 1
                return [self._say(code_notes.hint(self.code, self.code["hints"]))]
            if self._should_ask_expert():
                return self._ask_expert()
            return [self._say(self._follow_up(extract(text, unsure)))]
        if self.phase == "closing":
            return self._goodbye(text)
        return [self._say(self._pick("after_done", lines.AFTER_DONE))]

    def vocabulary(self) -> str:
        """Words this interview is likely to hear, as a prompt for the speech recogniser:
        the question, its expected topics, and the terms the candidate has used."""
        glossary = lines.CODING_GLOSSARY if self.brief.coding else lines.DESIGN_GLOSSARY
        terms = [*self.brief.expected_topics, *self.memory.technologies, *self.memory.topics,
                 *glossary]
        unique = list(dict.fromkeys(t.strip().rstrip(".") for t in terms if t.strip()))
        return f"{self.brief.question} {', '.join(unique[:32])}.".strip()

    def on_unheard(self) -> list[Action]:
        """The candidate spoke but nothing was recognised: greet if owed, else ask again."""
        if not self.greeted and self.phase in ("routing", "intro"):
            return self._open()
        if self.phase == "done":
            return []
        return [self._say(self._pick("not_heard", lines.NOT_HEARD))]

    def on_tool_response(self, call_id: str | None, response: Any = None) -> list[Action]:
        """The client answered a function call; continue the turn it interrupted."""
        pending = self.pending
        if pending is None or (call_id and pending["id"] != call_id):
            return []
        self.pending = None
        if pending.get("then") == "expert":
            follow = whiteboard.expert_follow_up(response)
            return [self._say(follow or self._follow_up(extract("")))]
        return self._continue(pending.get("then"))

    def on_tool_cancelled(self, call_ids: Collection[str]) -> None:
        """The candidate interrupted before the function call's response came back."""
        if self.pending and self.pending["id"] in call_ids:
            self.pending = None

    def retract(self, call_id: str) -> None:
        """A function call was never delivered (the candidate cut the reply short before it):
        undo the phase change it stood for, so the next turn makes it again."""
        if self.pending and self.pending["id"] == call_id:
            self.phase = self.pending.get("from", self.phase)
            self.pending = None

    def resume(self) -> list[Action]:
        """Carry on after history was replayed or a client nudge, doing what is still owed."""
        if not self.greeted and self.phase in ("routing", "intro"):
            return self._open()
        if self.phase == "interview" and not self.question_presented:
            return self._present_question()
        if self.phase == "closing" and not self.closing_asked:
            return self._ask_questions()
        return []

    def _welcome_back(self) -> list[Action]:
        """The candidate rejoined after a dropped call: a short welcome, then what is owed,
        or else a reminder of the last thing said (so they know where things stand)."""
        if not self.greeted or self.phase == "done":
            return self.resume()
        last = next((t["text"] for t in reversed(self.transcript) if t["role"] == "model"), "")
        owed = self.resume()
        line = self._pick("welcome_back", lines.WELCOME_BACK).format(name=self._name_suffix())
        if not owed and last:
            line = f"{line} {self._pick('where_we_were', lines.WHERE_WE_WERE)} {last}"
        self.transcript.append({"role": "model", "text": line})
        return [Say(line), *owed]

    def replay(self, turns: Sequence[tuple[str, str]]) -> None:
        """Take in conversation history (role, text) sent by the client, without replying."""
        question_head = normalize(self.brief.question)[:40]
        asks = [normalize(a)[:30] for a in lines.ASK_QUESTIONS]
        for role, text in turns:
            if not normalize(text):
                continue
            if role == "user" and self._observe_note(text):
                continue
            if role == "user":
                if code_notes.is_code_note(text):
                    code_notes.react(self.code, text, reply=False)
                    continue
                if is_stage_direction(text):
                    self.pace.note(text)
                    continue
                self.transcript.append({"role": "user", "text": text.strip()})
                self.memory.observe(text)
                if self.phase == "interview" and self.question_presented:
                    self.interview_turns += 1
            else:
                self.transcript.append({"role": "model", "text": text.strip()})
                self.greeted = True
                said = normalize(text)
                if question_head and question_head in said:
                    self.question_presented = True
                if any(a in said for a in asks):
                    self.closing_asked = True

    # ---- state --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Every field as JSON-ready data (what a resumption handle restores)."""
        out = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}
        out.update(brief=self.brief.to_dict(), pace=self.pace.to_dict(),
                   memory=self.memory.to_dict(), tool_names=list(self.tool_names),
                   agent_names=list(self.agent_names))
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brain:
        values = dict(data)
        values["brief"] = Brief.from_dict(values["brief"])
        values["memory"] = ConversationMemory.from_dict(values.get("memory", {}))
        values["pace"] = Pace.from_dict(values.get("pace"))
        values["tool_names"] = tuple(values.get("tool_names", ()))
        values["agent_names"] = tuple(values.get("agent_names", ()))
        return cls(**values)

    # ---- steps --------------------------------------------------------------------------

    def _open(self) -> list[Action]:
        if self.phase == "routing":
            call = self._phase_call("intro", "The candidate joined.", then="greet")
            if call is not None:
                return [call]
            self.phase = "intro"
        return self._greet()

    def _greet(self) -> list[Action]:
        self.greeted = True
        b = self.brief
        fmt_bank = lines.FORMAT_CODING if b.coding else lines.FORMAT_SYSTEM_DESIGN
        fmt = self._pick("format", fmt_bank).format(
            level=b.level, role=b.role, company=b.company_name
        )
        if b.company == "free_practice":
            fmt = fmt.replace("a Free Practice style", "a practice")
        text = " ".join((
            self._pick("greeting", lines.GREETINGS),
            fmt,
            self._pick("ask_intro", lines.ASK_INTRO),
        ))
        return [self._say(text)]

    def _after_intro(self) -> list[Action]:
        thanks = self._pick("intro_thanks", lines.INTRO_THANKS).format(name=self._name_suffix())
        call = self._phase_call("interview", "The candidate introduced themselves.",
                                then="question")
        if call is not None:
            return [self._say(thanks), call]
        self.phase = "interview"
        return [self._say(thanks), *self._present_question()]

    def _present_question(self) -> list[Action]:
        self.question_presented = True
        kick = lines.KICKOFF_CODING if self.brief.coding else lines.KICKOFF_SYSTEM_DESIGN
        text = " ".join((
            self._pick("question_lead", lines.QUESTION_LEAD),
            self.brief.question.strip(),
            self._pick("kickoff", kick),
        ))
        return [self._say(text)]

    def _wrap_up(self) -> list[Action]:
        said: list[Action] = []
        if not self.wrapped:  # a retried wrap-up (the first was cut off) is not said again
            self.wrapped = True
            said.append(self._say(self._pick("wrap_up", lines.WRAP_UP)))
        call = self._phase_call("closing", "The technical discussion is complete.",
                                then="ask_questions")
        if call is not None:
            return [*said, call]
        self.phase = "closing"
        return [*said, *self._ask_questions()]

    def _ask_questions(self) -> list[Action]:
        self.closing_asked = True
        return [self._say(self._pick("ask_questions", lines.ASK_QUESTIONS))]

    def _goodbye(self, text: str) -> list[Action]:
        said = normalize(text)
        parts = []
        if asks_a_question(said):
            parts.append(self._pick("answer", lines.ANSWER_QUESTION))
        parts.append(self._pick("goodbye", lines.GOODBYE).format(name=self._name_suffix()))
        self.said_goodbye = True
        actions: list[Action] = [self._say(" ".join(parts))]
        call = self._phase_call("done", "The interview is complete.", then=None)
        if call is not None:
            actions.append(call)
        else:
            self.phase = "done"
        return actions

    def _on_code_note(self, text: str) -> list[Action]:
        """A judged run or submission the platform asked about: react as the brief says."""
        line = code_notes.react(self.code, text, reply=True)
        if self.phase != "interview":
            return []
        if self.code.get("accepted"):
            return [self._say(self._pick("code_accepted", code_notes.ACCEPTED))]
        return [self._say(line)] if line else []

    def _continue(self, then: str | None) -> list[Action]:
        if then == "greet":
            return self._greet()
        if then == "question":
            return self._present_question()
        if then == "ask_questions":
            return self._ask_questions()
        return []

    # ---- helpers ------------------------------------------------------------------------

    def _phase_call(self, phase: str, reason: str, *, then: str | None) -> CallTool | None:
        """A function call that moves to `phase`, or None when no such tool is declared."""
        self.calls += 1
        call_id = f"fc-{self.seed & 0xFFFFFF:06x}-{self.calls}"
        if PHASE_TOOL in self.tool_names:
            call = CallTool(call_id, PHASE_TOOL, {"phase": phase, "reason": reason})
        elif TRANSFER_TOOL in self.tool_names:
            agent = next((a for a in self.agent_names if phase in a.lower()), None)
            if agent is None:
                return None
            call = CallTool(call_id, TRANSFER_TOOL, {"agent_name": agent})
            then = None  # the next agent carries on over a new connection
        else:
            return None
        self.pending = {"id": call_id, "then": then, "from": self.phase}
        self.phase = phase
        return call

    def _say(self, text: str) -> Say:
        self.transcript.append({"role": "model", "text": text})
        return Say(text)

    def _pick(self, key: str, bank: Sequence[str]) -> str:
        count = self.picks.get(key, 0)
        self.picks[key] = count + 1
        rng = random.Random(f"{self.seed}:{key}:{count}")
        index = rng.randrange(len(bank))
        last = self.picks.get(f"{key}#last")
        if last is not None and len(bank) > 1 and index == last:
            index = (index + 1 + rng.randrange(len(bank) - 1)) % len(bank)
        self.picks[f"{key}#last"] = index
        return bank[index]

    def _name_suffix(self) -> str:
        return f", {self.memory.candidate_name}" if self.memory.candidate_name else ""
