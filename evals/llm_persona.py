"""An LLM playing the persona (with GOOGLE_API_KEY): the same interface as the scripted one,
the answer text written by Gemini from the persona's description and the conversation so far.
Optional and not exercised offline; any failure falls back to the scripted line."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from evals.personas import Reply, ScriptedPersona

log = logging.getLogger(__name__)
MODEL = os.environ.get("EVAL_PERSONA_MODEL", "gemini-2.5-flash")

TRAITS = {
    "strong": "an excellent senior engineer: precise, covers requirements, numbers and "
              "trade-offs, two to four sentences",
    "average": "a competent engineer: right ideas, little detail, two sentences",
    "weak": "a struggling candidate: vague, unsure, misses the main points, one or two sentences",
    "terse": "a candidate who answers in at most eight words",
    "rambling": "a candidate who drifts into unrelated anecdotes and talks at length",
    "off_topic": "a candidate who keeps talking about unrelated personal things",
    "interrupter": "a competent engineer who jumps in before the interviewer finishes",
}


def available() -> bool:
    return bool(os.environ.get("GOOGLE_API_KEY"))


@dataclass
class LlmPersona(ScriptedPersona):
    question: str = ""
    history: list[str] = field(default_factory=list)

    async def areply(self, line: str) -> Reply | None:
        scripted = self.reply(line)
        if scripted is None or scripted.kind in ("closing", "wrap_up"):
            return scripted
        self.history.append(f"Interviewer: {line}")
        prompt = (
            f"You are role-playing a job candidate in a mock {self.kind.replace('_', ' ')} "
            f"interview. You are {TRAITS[self.name]}. The question: {self.question}\n"
            + "\n".join(self.history[-12:])
            + "\nReply with the candidate's next spoken words only."
        )
        try:
            from google import genai

            client = genai.Client(api_key=os.environ["GOOGLE_API_KEY"])
            result = await client.aio.models.generate_content(model=MODEL, contents=prompt)
            text = (result.text or "").strip() or scripted.text
        except Exception as exc:  # the network or the model: keep the interview going
            log.warning("LLM persona failed (%s); using the scripted line", exc)
            text = scripted.text
        self.history.append(f"Candidate: {text}")
        return Reply(text, scripted.kind, scripted.barge_in)
