"""Coverage of the question's expected topics: which the candidate discussed, where, and
which they never touched (named in the improvements).

A topic is covered when one candidate line, or two consecutive ones, contains enough of the
topic's ideas (stems folded through the synonym table): all of a one- or two-idea topic's
about half of longer ones (never fewer than two).
Co-occurrence in one stretch of speech is what separates "we shard the click counters by
link id" from a stray "click" here and "shard" there.
"""

from __future__ import annotations

from dataclasses import dataclass

from agents.feedback.scoring.signals import LineSignals
from agents.feedback.scoring.text import concepts, stems

# Words in topic names that carry no idea of their own.
_GENERIC = frozenset(
    stems("such as and or versus the of a for with its their path design handling choice "
          "layout at scale large pipeline service system strategy approach analysis")
)


@dataclass(frozen=True)
class TopicHit:
    topic: str
    covered: bool
    lines: tuple[int, ...]  # seqs of the lines that covered it


def topic_ideas(topic: str) -> frozenset[str]:
    ideas = concepts(s for s in stems(topic) if s not in _GENERIC)
    return ideas or concepts(stems(topic))


def needed(n_ideas: int) -> int:
    """Ideas of a topic that must appear together: all of one or two, about half of more."""
    return n_ideas if n_ideas <= 2 else max(2, (n_ideas + 1) // 2)


def coverage(topics: tuple[str, ...], lines: list[LineSignals]) -> list[TopicHit]:
    line_ideas = [concepts(sig.tokens) for sig in lines]
    out: list[TopicHit] = []
    for topic in topics:
        ideas = topic_ideas(topic)
        need = needed(len(ideas))
        found: list[int] = []
        for i, own in enumerate(line_ideas):
            following = line_ideas[i + 1] if i + 1 < len(line_ideas) else frozenset()
            if ideas & own and len(ideas & (own | following)) >= need:
                found.append(lines[i].line.seq)
        out.append(TopicHit(topic, bool(found), tuple(found[:3])))
    return out
