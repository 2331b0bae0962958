"""The offline interviewer's eye on the whiteboard: follow-up questions about what is drawn
(and what is missing against the question's expected topics), and the `ask_expert` call.

The brain gets the board as the `[Whiteboard now: ...]` line the live bridge sends as
context (agents/scene.py writes it, `parse_description` reads it back), exactly as Gemini
gets it, and the expert's review as the tool response or a later `[Expert review: ...]` note.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from agents.components import NAMES, kind_of, needed_kinds, spoken_count
from agents.scene import Scene, parse_description

EXPERT_TOOL = "ask_expert"
EXPERT_NOTE = "[Expert review"
EXPERT_AFTER_TURNS = 2  # answers into the question before the expert is asked
EXPERT_LEAD = "Let me get a second opinion on your diagram for a moment."


def board_question(description: str, topics: Sequence[str],
                   asked: Collection[str]) -> tuple[str, str] | None:
    """(key, question) about the drawing that was not asked yet; each names a box."""
    scene = parse_description(description)
    if not scene.boxes:
        return None
    for key, text in _candidates(scene, topics):
        if key not in asked:
            return key, text
    return None


def _candidates(scene: Scene, topics: Sequence[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    kinds = {label: kind_of(label) for label in scene.boxes}
    dbs = [b for b, k in kinds.items() if k == "database"]
    busy = [(b, n) for b, n in scene.boxes.items() if n > 1 and kinds[b] != "database"]
    if len(dbs) == 1 and scene.boxes[dbs[0]] == 1:
        db = dbs[0]
        if busy:
            svc, n = busy[0]
            out.append((f"board:spof:{db}",
                        f"You have one {db} box behind {spoken_count(n)} {svc} servers: "
                        "what happens when it fails?"))
        else:
            out.append((f"board:spof:{db}",
                        f"Your {db} is a single box on the board. What happens to requests "
                        "when it goes down, and how would you replicate it?"))
    present = {k for k in kinds.values() if k}
    first, last = _ends(scene)
    for kind, topic in needed_kinds(topics).items():
        if kind in present:
            continue
        where = f", say between {first} and {last}" if first != last else f" next to {first}"
        out.append((f"board:missing:{kind}",
                    f"I don't see a {NAMES[kind]} on your board yet, and "
                    f"{topic.strip().rstrip('.')} matters here. Where would one go{where}?"))
    for box in scene.unconnected() if scene.arrows else []:
        out.append((f"board:alone:{box}",
                    f"{box} isn't connected to anything on your board yet. What talks to it, "
                    "and when?"))
    if scene.loose_arrows:
        out.append(("board:loose",
                    f"One of the arrows near {first} doesn't end on anything. Where does that "
                    "call go?"))
    out.append((f"board:walk:{first}:{last}",
                f"Walk me through one request on your board, from {first} to {last}. What "
                "happens at each hop?"))
    return out


def _ends(scene: Scene) -> tuple[str, str]:
    if scene.arrows:
        return scene.arrows[0][0], scene.arrows[-1][1]
    boxes = list(scene.boxes)
    return boxes[0], boxes[-1]


def expert_question(description: str, question: str) -> str:
    scene = parse_description(description)
    boxes = ", ".join(list(scene.boxes)[:6]) or "the diagram"
    return (f"Review this whiteboard for the interview question '{question[:200]}'. "
            f"It shows {boxes}. What are its main risks, and what should I ask next?")


def expert_follow_up(response: Any) -> str | None:
    """A follow-up question from an `ask_expert` response, if the expert answered."""
    if not isinstance(response, dict):
        return None
    review = response.get("review") if isinstance(response.get("review"), dict) else response
    follow = review.get("follow_up_questions") if isinstance(review, dict) else None
    if isinstance(follow, list) and follow and isinstance(follow[0], str):
        return follow[0]
    return None


def follow_up_from_note(text: str) -> str | None:
    """The question in a late `[Expert review: ... Ask: <question>]` note."""
    _, sep, rest = text.partition("Ask: ")
    question = rest.split("]")[0].strip() if sep else ""
    return question or None
