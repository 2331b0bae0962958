"""The offline interviewer's follow-up questions: build on what the candidate just said
(a technology, a decision), steer to an expected topic not yet covered, or, as time moves the
interview through its stages, ask that stage's questions; when time remains and every bank
is spent, dig deeper into what they brought up. A mixin of `Brain` (agents/offline/brain.py),
whose state it reads: the brief, memory, pace and what was already asked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from agents.memory import ConversationMemory, Extraction
from agents.offline import lines
from agents.offline.cues import as_spoken

if TYPE_CHECKING:
    from agents.offline.brief import Brief
    from agents.offline.pace import Pace


class FollowUps:
    brief: Brief
    memory: ConversationMemory
    pace: Pace
    asked: list[str]
    last_follow_up: str

    def _pick(self, key: str, bank: Sequence[str]) -> str:
        raise NotImplementedError

    def _board_follow_up(self) -> tuple[str, str] | None:
        """A question about the whiteboard or an expert's review (the brain knows the board)."""
        return None

    def _stage_question(self) -> tuple[str, str] | None:
        for question in lines.STAGE_QUESTIONS.get(self.pace.stage, ()):
            key = f"stage:{question[:40]}"
            if key not in self.asked:
                return key, question
        return None

    def _follow_up(self, latest: Extraction) -> str:
        ack = self._pick("ack", lines.ACKS)
        board = None if self.brief.coding else self._board_follow_up()
        if board is not None:  # what is on the board first: it is what they are explaining
            key, text = board
            self.asked.append(key)
            self.last_follow_up = "board"
            return f"{ack} {text}"
        moved = self.pace.stage_move(self.brief.type)
        if moved is not None:
            lead = self._pick(f"enter:{moved}", lines.STAGE_TRANSITIONS.get(moved, ("",)))
            question = self._stage_question()
            if question is not None:
                self.asked.append(question[0])
                self.last_follow_up = "stage"
                return " ".join(p for p in (ack, lead, question[1]) if p)
        reference = self._reference(latest)
        steer = self._steer()
        if reference and (self.last_follow_up != "reference" or steer is None):
            key, text = reference
            self.last_follow_up = "reference"
        elif steer:
            key, text = steer
            self.last_follow_up = "steer"
            if latest.technologies:
                ack = f"{ack} Using {latest.technologies[0]} there makes sense."
            elif latest.decisions:
                ack = f"{ack} I follow your plan to {as_spoken(latest.decisions[0])}."
        else:
            key, text = self._stage_question() or self._probe()
            self.last_follow_up = "probe"
        self.asked.append(key)
        return f"{ack} {text}"

    def _reference(self, latest: Extraction) -> tuple[str, str] | None:
        tech_bank = lines.CODING_TECH_QUESTIONS if self.brief.coding else lines.TECH_QUESTIONS
        for tech in latest.technologies:
            key = f"tech:{tech}"
            if key in self.asked:
                continue
            questions = tech_bank.get(tech) or lines.TECH_QUESTIONS.get(tech)
            question = self._pick(key, questions) if questions else lines.GENERIC_TECH_QUESTION
            form = self._pick("reference_tech", lines.REFERENCE_TECH)
            return key, form.format(x=tech, q=question[0].upper() + question[1:]
                                    if form.startswith("You") else question)
        if self.brief.coding:
            for topic in latest.topics:
                key = f"topic:{topic}"
                if key not in self.asked and topic in lines.TOPIC_QUESTIONS_CODING:
                    return key, lines.TOPIC_QUESTIONS_CODING[topic]
        for decision in latest.decisions:
            key = f"decision:{decision}"
            if key not in self.asked:
                form = self._pick("reference_decision", lines.REFERENCE_DECISION)
                return key, form.format(d=as_spoken(decision))
        return None

    def _steer(self) -> tuple[str, str] | None:
        for topic in self.brief.expected_topics:
            key = f"topic:{topic}"
            if key in self.asked or self.memory.covers(topic):
                continue
            low = topic.lower()
            question = next((q for k, q in lines.STEER_QUESTIONS if k in low), lines.GENERIC_STEER)
            form = self._pick("steer", lines.STEER)
            return key, form.format(t=topic.strip().rstrip("."), q=question)
        return None

    def _probe(self) -> tuple[str, str]:
        bank = lines.PROBES_CODING if self.brief.coding else lines.PROBES_SYSTEM_DESIGN
        for probe in bank:
            key = f"probe:{probe}"
            if key not in self.asked:
                return key, probe
        if not self.pace.timed:
            return "probe:final", "Is there anything you'd add or change in your design?"
        return self._deeper()

    def _deeper(self) -> tuple[str, str]:
        """Time remains and the banks are spent: dig into what the candidate brought up."""
        subjects = [*self.memory.technologies, *self.brief.expected_topics] or ["the design"]
        count = self.picks.get("deeper", 0)
        subject = subjects[count % len(subjects)]
        form = self._pick("deeper", lines.DEEPER)
        return f"deeper:{count}", form.format(x=subject.strip().rstrip("."))
