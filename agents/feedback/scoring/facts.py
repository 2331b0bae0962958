"""The facts both rubrics are scored from, computed once per evidence."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from agents.feedback.evidence import Evidence, Line
from agents.feedback.scoring.signals import COMPONENTS, LineSignals, analyse
from agents.feedback.scoring.text import stem, stems
from agents.feedback.scoring.topics import TopicHit, coverage

EARLY_SHARE = 0.4  # requirement questions count in the first 40 % of the candidate's turns


def saturate(x: float, full_at: float) -> float:
    """0 at 0, 1 at `full_at` and beyond: one more example matters less once there are many."""
    return 0.0 if full_at <= 0 else max(0.0, min(1.0, x / full_at))


@dataclass
class Board:
    snapshots: int = 0
    shapes: int = 0
    labelled: int = 0
    components: int = 0  # labels that name a system component
    connections: int = 0  # arrows bound at both ends
    snapshot_ids: list[int] = field(default_factory=list)


@dataclass
class Facts:
    evidence: Evidence
    lines: list[LineSignals]
    early: list[LineSignals]
    topics: list[TopicHit]
    board: Board
    median_words: float
    candidate_words: int
    agent_words: int

    def with_signal(self, lexicon: str) -> list[LineSignals]:
        return [s for s in self.lines if s.has(lexicon)]

    def distinct(self, lexicon: str) -> set[str]:
        return {h for s in self.lines for h in s.hits.get(lexicon, ())}

    @property
    def covered(self) -> list[TopicHit]:
        return [t for t in self.topics if t.covered]

    @property
    def missed(self) -> list[TopicHit]:
        return [t for t in self.topics if not t.covered]

    @property
    def coverage_share(self) -> float:
        return len(self.covered) / len(self.topics) if self.topics else 0.0


def board_facts(evidence: Evidence) -> Board:
    board = Board(snapshots=len(evidence.snapshots),
                  snapshot_ids=[s.id for s in evidence.snapshots])
    if not evidence.snapshots:
        return board
    last = max(evidence.snapshots, key=lambda s: (len(s.elements), s.at_s))
    ids = {e.id for e in last.elements}
    for e in last.elements:
        if e.type in ("arrow", "line"):
            if e.start in ids and e.end in ids:
                board.connections += 1
            continue
        if e.type in ("rectangle", "ellipse", "diamond", "text", "frame", "image"):
            board.shapes += 1
            if e.label.strip():
                board.labelled += 1
                if COMPONENTS.hits(stems(e.label)):
                    board.components += 1
    return board


# Topics about a skill rather than a subject ("complexity analysis", "testing edge cases")
# are covered by the lines that show the skill.
SKILL_TOPICS = {stem("complexity"): "complexity", stem("edge"): "edge cases"}


def _skills(topics: list[TopicHit], sigs: list[LineSignals]) -> list[TopicHit]:
    out = []
    for hit in topics:
        if not hit.covered:
            for idea, lexicon in SKILL_TOPICS.items():
                shown = [s.line.seq for s in sigs if s.has(lexicon)]
                if idea in stems(hit.topic) and shown:
                    hit = TopicHit(hit.topic, True, tuple(shown[:3]))
                    break
        out.append(hit)
    return out


def gather(evidence: Evidence) -> Facts:
    cand: list[Line] = evidence.candidate_lines()
    sigs = [analyse(ln) for ln in cand]
    n_early = max(1, round(len(sigs) * EARLY_SHARE)) if sigs else 0
    counts = [s.word_count for s in sigs]
    return Facts(
        evidence=evidence,
        lines=sigs,
        early=sigs[:n_early],
        topics=_skills(coverage(evidence.question.topics, sigs), sigs),
        board=board_facts(evidence),
        median_words=statistics.median(counts) if counts else 0.0,
        candidate_words=sum(counts),
        agent_words=sum(len(ln.text.split()) for ln in evidence.lines
                        if ln.speaker != "candidate"),
    )


def quote(sig: LineSignals, limit: int = 90) -> str:
    text = " ".join(sig.line.text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
