"""Conversation-quality metrics of one simulated interview: pure functions of its record
(evals/interview.py writes it; tests build records by hand).

A record holds `transcript` ([{speaker: "agent"|"candidate", text, t}], t in seconds from
the call's start), `phases` ([{phase, t}]), `turns` (the candidate's: {mode, kind, t_start,
t_end, barge_in}), `voice_spans` ([[start, end]] of the interviewer's audio as heard),
`talk_s`, `question.topics`, `case` ({type, persona}), `submissions` and `feedback`.
Every metric says None when the record has nothing to measure it by.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from storage.vocabulary import PHASES as PHASE_ORDER

AGENT, CANDIDATE = "agent", "candidate"

STOP = frozenset("""
about above after again also always another anything around back because been before being
below between both could does doing done down during each either else even every first from
give good great have having here into just keep know last least less like little long look
lots made make many maybe mean might more most much must need never next nice only other our
over part pretty probably quite rather really right same says should since some something
sure than thank thanks that that's their them then there these they thing things think this
those though through time today too under until very want well were what when where which
while will with would yeah your you're you'd you'll let's it's i'd i'm i've we'd we'll okay
start going talk tell said walk would could where here's there's what's
""".split())

META = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\b(?:function|tool) calls?\b", r"\bcall(?:ing)? (?:the|a|my) (?:tool|function)\b",
    r"\badvance_phase\b|\btransfer_to_agent\b", r"\btransfer(?:ring)? (?:you|this|to)\b",
    r"\b(?:next|this|interview|closing|intro|routing) phase\b|\bphase (?:change|transition)",
    r"\b(?:as an ai|i am an ai|i'm an ai|language model|artificial intelligence|chatbot|"
    r"system prompt|my instructions)\b",
    r"\b(?:sub-?)?agents?\b", r"\[(?:time|code|the candidate)[^\]]*\]",
))
HINT = re.compile(r"\bhint\b|\bnudge\b|failing case|let's look at .* together|"
                  r"think about what makes", re.IGNORECASE)
ACCEPTED_SAID = re.compile(r"all (?:the )?tests pass|every test passes|all green",
                           re.IGNORECASE)
COMPLEXITY = re.compile(r"complexit|big.?o\b|time and space|how (?:fast|much memory)",
                        re.IGNORECASE)
WORD = re.compile(r"[a-z0-9][a-z0-9'+-]*")


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def content_words(text: str) -> set[str]:
    return {w.strip("'") for w in words(text) if len(w) >= 4 and w not in STOP}


def pct(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile, None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def merged_turns(transcript: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive rows of one speaker as one turn (a reply may be stored sentence by sentence)."""
    out: list[dict[str, Any]] = []
    for row in transcript:
        text = str(row.get("text", "")).strip()
        if not text:
            continue
        if out and out[-1]["speaker"] == row["speaker"]:
            out[-1]["text"] += " " + text
        else:
            out.append({"speaker": row["speaker"], "text": text, "t": row.get("t")})
    return out


def agent_lines(record: dict[str, Any]) -> list[str]:
    return [t["text"] for t in merged_turns(record.get("transcript", [])) if t["speaker"] == AGENT]


# -- phases ------------------------------------------------------------------------------


def phases(record: dict[str, Any]) -> dict[str, Any]:
    """Phases reached (repeats folded), whether they went forward only and reached `done`
    through intro → interview → closing, and the seconds spent in each."""
    seq: list[tuple[str, float]] = []
    for p in record.get("phases", []):
        if not seq or seq[-1][0] != p["phase"]:
            seq.append((p["phase"], float(p.get("t") or 0.0)))
    index = [PHASE_ORDER.index(p) if p in PHASE_ORDER else -1 for p, _ in seq]
    in_order = all(b > a for a, b in zip(index, index[1:], strict=False)) and -1 not in index
    end = float(record.get("call_s") or (seq[-1][1] if seq else 0.0))
    time_in: dict[str, float] = {}
    for i, (name, t) in enumerate(seq):
        stop = seq[i + 1][1] if i + 1 < len(seq) else max(end, t)
        time_in[name] = round(time_in.get(name, 0.0) + stop - t, 2)
    reached = [p for p, _ in seq]
    return {"reached": reached, "in_order": bool(seq) and in_order,
            "complete": in_order and all(p in reached for p in PHASE_ORDER[1:]),
            "time_in_s": time_in}


# -- what the interviewer asked ----------------------------------------------------------


def stem(word: str) -> str:
    """A crude stem, enough to match "caching" with "cache" and "collision" with "collisions"."""
    for suffix in ("ions", "ion", "ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


def topic_probed(topic: str, line: str) -> bool:
    """A topic is probed when a line names at least half of its content words (by stem)."""
    keys = {stem(w) for w in content_words(topic)}
    if not keys:
        return False
    said = {stem(w) for w in words(line) if len(w) >= 4}
    hits = sum(1 for k in keys if k in said)
    return hits >= max(1, math.ceil(len(keys) / 2))


def topic_coverage(record: dict[str, Any]) -> dict[str, Any]:
    topics = list((record.get("question") or {}).get("topics") or [])
    lines = agent_lines(record)
    probed = [t for t in topics if any(topic_probed(t, line) for line in lines)]
    return {"probed": probed, "missed": [t for t in topics if t not in probed],
            "coverage": round(len(probed) / len(topics), 3) if topics else None}


def questions_in(line: str) -> list[str]:
    sentences = re.split(r"(?<=[.?!])\s+", line)
    return [" ".join(words(s)) for s in sentences if s.strip().endswith("?") and words(s)]


def question_diversity(record: dict[str, Any]) -> dict[str, Any]:
    """Repeated questions (the same question asked twice, word for word) and distinct-2 (share
    of unique word pairs over all interviewer turns: 1.0 never repeats a phrase)."""
    lines = agent_lines(record)
    asked = [q for line in lines for q in questions_in(line)]
    seen: set[str] = set()
    repeats: list[str] = []
    for q in asked:
        if q in seen:
            repeats.append(q)
        seen.add(q)
    pairs = [p for line in lines for p in zip(words(line), words(line)[1:], strict=False)]
    return {"questions": len(asked), "repeated": len(repeats), "repeated_examples": repeats[:5],
            "distinct_2": round(len(set(pairs)) / len(pairs), 3) if pairs else None}


def memory(record: dict[str, Any]) -> dict[str, Any]:
    """Interviewer turns that use a word the candidate brought up first (not from the question,
    not something the interviewer had said before the candidate did)."""
    question = record.get("question") or {}
    excluded = content_words(" ".join([question.get("text") or "", *question.get("topics", [])]))
    candidate_terms: set[str] = set()
    interviewer_said: set[str] = set()
    refs: list[dict[str, Any]] = []
    eligible = 0
    for turn in merged_turns(record.get("transcript", [])):
        terms = content_words(turn["text"])
        if turn["speaker"] == CANDIDATE:
            candidate_terms |= terms - interviewer_said - excluded
            continue
        if candidate_terms:
            eligible += 1
            used = sorted(terms & candidate_terms)
            if used:
                refs.append({"terms": used[:5], "line": turn["text"][:200]})
        interviewer_said |= terms
    return {"references": len(refs), "eligible_turns": eligible,
            "rate": round(len(refs) / eligible, 3) if eligible else None,
            "examples": refs[:5]}


def meta_commentary(record: dict[str, Any]) -> dict[str, Any]:
    """Interviewer turns that talk about tools, phases, transfers or being an AI (must be 0)."""
    hits = [line for line in agent_lines(record) if any(p.search(line) for p in META)]
    return {"count": len(hits), "examples": [h[:200] for h in hits[:5]]}


# -- the candidate's side ----------------------------------------------------------------


def turn_balance(record: dict[str, Any]) -> dict[str, Any]:
    """The candidate's share of the words, and of the voiced seconds when they spoke."""
    counts = {AGENT: 0, CANDIDATE: 0}
    for row in record.get("transcript", []):
        if row.get("speaker") in counts:
            counts[row["speaker"]] += len(words(str(row.get("text", ""))))
    total = sum(counts.values())
    talk = record.get("talk_s") or {}
    spoken = float(talk.get("candidate") or 0.0)
    heard = float(talk.get("interviewer") or 0.0)
    return {"candidate_words": counts[CANDIDATE], "interviewer_words": counts[AGENT],
            "candidate_word_share": round(counts[CANDIDATE] / total, 3) if total else None,
            "candidate_time_share": round(spoken / (spoken + heard), 3)
            if spoken > 0 and heard > 0 else None}


def voice_timing(record: dict[str, Any], max_wait_s: float = 15.0,
                 missed_after_s: float = 3.0) -> dict[str, Any]:
    """Voice latency: end of the candidate's speech → the interviewer's voice (turns where the
    interviewer did not already cut in); typed latency: message sent → voice. Barge-in
    reaction: the candidate starts talking over the interviewer → the interviewer's voice
    stops (missed when it runs on past `missed_after_s`)."""
    spans = [(float(a), float(b)) for a, b in record.get("voice_spans", [])]
    voice: list[float] = []
    typed: list[float] = []
    barge: list[float] = []
    talked_over = missed = 0
    for turn in record.get("turns", []):
        start, end = turn.get("t_start"), turn.get("t_end")
        if start is None or end is None:
            continue
        if turn.get("barge_in"):
            during = [b for a, b in spans if a <= start <= b]
            if not during:
                continue  # the interviewer had already stopped: not a barge-in after all
            if during[0] - start > missed_after_s:
                missed += 1
            else:
                barge.append(round(during[0] - start, 3))
            continue
        if turn.get("mode") == "voice" and any(start + 0.3 < a < end for a, _ in spans):
            talked_over += 1
            continue
        nxt = next((a for a, _ in spans if a >= end), None)
        if nxt is not None and nxt - end <= max_wait_s:
            (voice if turn.get("mode") == "voice" else typed).append(round(nxt - end, 3))
    return {"voice_latency_s": voice, "voice_p50_s": pct(voice, 0.5),
            "voice_p95_s": pct(voice, 0.95), "typed_latency_s": typed,
            "typed_p50_s": pct(typed, 0.5), "interviewer_cut_in": talked_over,
            "barge_in_s": barge, "barge_in_p50_s": pct(barge, 0.5),
            "barge_in_p95_s": pct(barge, 0.95), "barge_in_missed": missed}


def coding(record: dict[str, Any]) -> dict[str, Any] | None:
    """Hints the interviewer gave, and whether it asked about complexity after the code was
    accepted (None when nothing was accepted)."""
    if (record.get("case") or {}).get("type") != "coding":
        return None
    turns = [t for t in merged_turns(record.get("transcript", [])) if t["speaker"] == AGENT]
    accepted = [s["t"] for s in record.get("submissions", []) if s.get("accepted")]
    said = [t["t"] for t in turns if ACCEPTED_SAID.search(t["text"]) and t.get("t") is not None]
    at = min([*accepted, *said], default=None)
    after = None
    if at is not None:
        after = any(COMPLEXITY.search(t["text"]) for t in turns
                    if t.get("t") is not None and t["t"] >= at - 0.5)
    return {"hints": sum(1 for t in turns if HINT.search(t["text"])),
            "accepted": at is not None, "complexity_after_accept": after}


def feedback(record: dict[str, Any]) -> dict[str, Any]:
    fb = record.get("feedback") or {}
    score = fb.get("overall_score")
    return {"status": fb.get("status", "absent"),
            "score": float(score) if score is not None else None}


def evaluate(record: dict[str, Any]) -> dict[str, Any]:
    """Every metric of one interview."""
    return {
        "phases": phases(record),
        "topics": topic_coverage(record),
        "diversity": question_diversity(record),
        "memory": memory(record),
        "meta": meta_commentary(record),
        "balance": turn_balance(record),
        "timing": voice_timing(record),
        "coding": coding(record),
        "feedback": feedback(record),
    }


def persona_order(results: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Mean feedback score per persona and whether strong > average > weak holds
    (None when a score is missing for one of the three)."""
    scores: dict[str, list[float]] = {}
    for persona, metrics in results:
        score = metrics["feedback"]["score"]
        if score is not None:
            scores.setdefault(persona, []).append(score)
    means = {p: round(statistics.fmean(v), 2) for p, v in scores.items()}
    needed = ("strong", "average", "weak")
    ordered = (means["strong"] > means["average"] > means["weak"]
               if all(p in means for p in needed) else None)
    return {"mean_score": means, "strong_gt_average_gt_weak": ordered}
