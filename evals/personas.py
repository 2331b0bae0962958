"""Simulated candidates: what a persona says next, given the interviewer's last line.

Offline a persona answers from scripted material (evals/material.py), choosing the subject
by the interviewer's words and speaking it at the persona's depth; its traits shape the
rest: strong covers the question's topics with numbers and trade-offs, weak is vague,
terse says a few words, rambling drifts, off-topic ignores the question, interrupter
answers while the interviewer is still speaking. After `max_answers` technical answers the
candidate asks to wrap up, so an interview of a few minutes still runs to its end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from evals import material
from evals.material import Family

GOODBYE = re.compile(r"take care|good luck|have a great|feedback (?:will|shortly|is)|"
                     r"that's all from me|all done for today|that's everything from me",
                     re.IGNORECASE)
ASKS_FOR_QUESTIONS = re.compile(r"questions for me|like to ask me|anything you'd like to ask|"
                                r"questions before we", re.IGNORECASE)
ASKS_INTRO = re.compile(r"introduc|about yourself|your background|working on lately",
                        re.IGNORECASE)
NOT_HEARD = re.compile(r"didn't catch|could you repeat|say it again", re.IGNORECASE)

DEPTH = {"strong": "strong", "average": "plain", "weak": "vague", "terse": "plain",
         "rambling": "plain", "off_topic": "plain", "interrupter": "plain"}


@dataclass
class Reply:
    text: str
    kind: str  # intro | answer | wrap_up | closing | repeat
    barge_in: bool = False  # the persona would cut in here (the runner cuts in on every
    # other turn of a spoken interview, where the moment to do it exists)


@dataclass
class ScriptedPersona:
    name: str
    kind: str  # system_design | coding
    topics: tuple[str, ...]
    max_answers: int = 4
    answers: int = 0
    wrapped: bool = False
    introduced: bool = False
    covered: list[str] = field(default_factory=list)
    last: str = ""

    def reply(self, line: str) -> Reply | None:
        """The candidate's next turn after the interviewer said `line`, or None (goodbye)."""
        asked = last_question(line)  # what to answer: the question the turn ended on
        if GOODBYE.search(line) and not ASKS_FOR_QUESTIONS.search(asked):
            return None
        if ASKS_FOR_QUESTIONS.search(asked):
            text = material.CLOSING_QUESTION if self.name == "strong" else material.NO_QUESTIONS
            return self._out(text, "closing")
        if NOT_HEARD.search(asked) and self.last:
            return self._out(self.last, "repeat")
        if ASKS_INTRO.search(asked) and not self.introduced:
            self.introduced = True
            return self._out(self._intro(), "intro")
        if self.wrapped or self.answers >= self.max_answers:
            self.wrapped = True
            return self._out(self._wrap_up(), "wrap_up")
        self.answers += 1
        return self._out(self._answer(line), "answer",
                         barge_in=self.name == "interrupter" and self.answers % 2 == 0)

    # -- traits --------------------------------------------------------------------------

    def _intro(self) -> str:
        depth = DEPTH[self.name]
        text = material.INTRO["strong" if depth == "strong" else
                               "vague" if depth == "vague" else "plain"]
        return _terse(text) if self.name == "terse" else text

    def _wrap_up(self) -> str:
        if self.name == "terse":
            return "I'm done."
        if self.name == "weak":
            return "I'm not sure what else to add. " + material.WRAP_UP
        return material.WRAP_UP

    def _answer(self, line: str) -> str:
        n = self.answers
        if self.name == "off_topic":
            return material.OFF_TOPIC[(n - 1) % len(material.OFF_TOPIC)]
        family = material.family_for(self.kind, line)
        topic = self._next_topic(line)
        if family is None and topic is not None:
            family = material.family_for(self.kind, topic)
        family = family or material.generic(self.kind)
        text = getattr(family, DEPTH[self.name])
        if self.name == "strong" and topic is not None:
            self.covered.append(topic)
            text = f"{text} Related to that, {topic} matters here: {_topic_line(topic, family)}"
        elif self.name == "terse":
            text = _terse(text)
        elif self.name == "rambling":
            other = material.family_for(self.kind, material.DRIFT[n % 3]) or family
            text = " ".join((material.DRIFT[(n - 1) % 3], text, material.DRIFT[n % 3],
                             other.plain))
        return text

    def _next_topic(self, line: str) -> str | None:
        """The topic the interviewer names, else the first one the candidate has not yet
        spoken about."""
        said = line.lower()
        for topic in self.topics:
            if topic.lower() in said:
                return topic
        for topic in self.topics:
            if topic not in self.covered:
                return topic
        return None

    def _out(self, text: str, kind: str, *, barge_in: bool = False) -> Reply:
        self.last = text
        return Reply(text, kind, barge_in)


def last_question(line: str) -> str:
    """The last sentence that asks something (the whole line when none does)."""
    asks = [s for s in re.split(r"(?<=[.?!])\s+", line) if s.strip().endswith("?")]
    return asks[-1] if asks else line


def _terse(text: str, words: int = 7) -> str:
    first = re.split(r"[.,;:]", text)[0].split()[:words]
    while len(first) > 2 and first[-1].lower() in ("and", "or", "the", "a", "to", "of", "in"):
        first.pop()
    return " ".join(first) + "."


def _topic_line(topic: str, family: Family) -> str:
    specific = material.family_for("system_design", topic)
    chosen = specific if specific is not None and specific is not family else None
    if chosen is not None:
        return chosen.plain
    return "I'd measure it first and pick the simplest design that meets the numbers."


def make_persona(name: str, kind: str, topics: tuple[str, ...], max_answers: int,
                 *, llm: bool = False, question: str = "") -> ScriptedPersona:
    """The persona for a case: scripted, or an LLM playing it when asked and a key is set."""
    if llm:
        from evals.llm_persona import LlmPersona, available

        if available():
            return LlmPersona(name=name, kind=kind, topics=topics, max_answers=max_answers,
                              question=question)
    return ScriptedPersona(name=name, kind=kind, topics=topics, max_answers=max_answers)
