"""Everything the evaluator judges an interview on, as plain data (agents see no database).

The server builds an `Evidence` from its tables; the evaluator sends it to the model as JSON
(`to_payload`) with the whiteboard images as separate parts. Times are seconds since the
interview started, the same clock the replay page seeks on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LINE_CHARS = 2000
MAX_CODE_CHARS = 8000
MAX_ELEMENTS = 300


@dataclass(frozen=True)
class QuestionInfo:
    id: str
    title: str
    text: str
    topics: tuple[str, ...] = ()
    level_hint: str = ""


@dataclass(frozen=True)
class Line:
    seq: int
    speaker: str  # candidate | agent
    text: str
    at_s: float


@dataclass(frozen=True)
class BoardElement:
    """One whiteboard element, reduced to what judging needs."""

    id: str
    type: str  # rectangle, ellipse, diamond, arrow, line, text, ...
    label: str = ""
    start: str | None = None  # for arrows: the element ids it connects
    end: str | None = None


@dataclass(frozen=True)
class Snapshot:
    id: int  # the snapshot's seq within the interview
    at_s: float
    elements: tuple[BoardElement, ...] = ()
    png: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class TestOutcome:
    passed: bool
    input: str = ""
    expected: str = ""
    actual: str = ""
    error: str = ""


@dataclass(frozen=True)
class Submission:
    id: str
    at_s: float
    language: str
    code: str
    passed: int
    total: int
    status: str
    failures: tuple[TestOutcome, ...] = ()  # visible tests only: hidden inputs stay secret


@dataclass(frozen=True)
class CodeSnapshot:
    id: int
    at_s: float
    language: str
    code: str


@dataclass(frozen=True)
class Evidence:
    interview_id: str
    type: str  # system_design | coding
    level: str
    company: str
    role: str
    question: QuestionInfo
    lines: tuple[Line, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    submissions: tuple[Submission, ...] = ()
    code_snapshots: tuple[CodeSnapshot, ...] = ()
    phases: tuple[tuple[str, float], ...] = ()  # (phase, at_s) in order
    status: str = "completed"
    duration_s: float = 0.0

    def candidate_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.speaker == "candidate"]

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready, without image bytes (those travel as their own parts)."""
        data = asdict(self)
        for snap in data["snapshots"]:
            snap.pop("png", None)
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Evidence:
        q = data["question"]
        return cls(
            interview_id=str(data["interview_id"]),
            type=str(data["type"]),
            level=str(data.get("level", "")),
            company=str(data.get("company", "")),
            role=str(data.get("role", "")),
            question=QuestionInfo(q["id"], q["title"], q["text"], tuple(q.get("topics") or ()),
                                  q.get("level_hint", "")),
            lines=tuple(Line(int(x["seq"]), x["speaker"], str(x["text"]), float(x["at_s"]))
                        for x in data.get("lines") or ()),
            snapshots=tuple(
                Snapshot(int(s["id"]), float(s["at_s"]),
                         tuple(BoardElement(**e) for e in s.get("elements") or ()))
                for s in data.get("snapshots") or ()
            ),
            submissions=tuple(
                Submission(str(s["id"]), float(s["at_s"]), s["language"], s["code"],
                           int(s["passed"]), int(s["total"]), s["status"],
                           tuple(TestOutcome(**f) for f in s.get("failures") or ()))
                for s in data.get("submissions") or ()
            ),
            code_snapshots=tuple(CodeSnapshot(int(c["id"]), float(c["at_s"]), c["language"],
                                              c["code"])
                                 for c in data.get("code_snapshots") or ()),
            phases=tuple((str(p), float(t)) for p, t in data.get("phases") or ()),
            status=str(data.get("status", "completed")),
            duration_s=float(data.get("duration_s") or 0.0),
        )


def board_elements(raw: list[Any] | None) -> tuple[BoardElement, ...]:
    """Excalidraw elements → shapes with their labels and arrows with what they connect.

    A shape's label is its bound text element (`containerId`), or free text inside it."""
    if not raw:
        return ()
    live = [e for e in raw[:MAX_ELEMENTS * 2] if isinstance(e, dict) and not e.get("isDeleted")]
    labels: dict[str, str] = {}
    for e in live:
        if e.get("type") == "text" and e.get("containerId"):
            labels[str(e["containerId"])] = str(e.get("text") or "")[:200]
    out: list[BoardElement] = []
    for e in live:
        kind = str(e.get("type") or "")
        eid = str(e.get("id") or len(out))
        if kind == "text" and e.get("containerId"):
            continue
        if kind in ("arrow", "line"):
            start = (e.get("startBinding") or {}).get("elementId")
            end = (e.get("endBinding") or {}).get("elementId")
            out.append(BoardElement(eid, kind, labels.get(eid, ""), start, end))
        else:
            label = labels.get(eid) or (str(e.get("text") or "") if kind == "text" else "")
            out.append(BoardElement(eid, kind, label[:200]))
        if len(out) >= MAX_ELEMENTS:
            break
    return tuple(out)
