"""System design: requirement gathering, high-level design, deep dive, scalability (and the
shared communication criterion)."""

from __future__ import annotations

from agents.feedback.scoring.facts import Facts, quote, saturate
from agents.feedback.scoring.judgement import Judgement, communication, lines_ref, points


def requirement_gathering(f: Facts) -> Judgement:
    questions = [s for s in f.early if s.question]
    req = [s for s in f.early if s.has("requirements")]
    estimates = [s for s in f.early if s.number]
    score = points([(0.45, saturate(len(questions), 3)), (0.35, saturate(len(req), 3)),
                    (0.2, saturate(len(estimates), 2))])
    why = (f"{len(questions)} clarifying question(s) and {len(req)} requirement statement(s) "
           f"before designing; {len(estimates)} early estimate(s).")
    j = Judgement("requirement_gathering", score, why, lines_ref(questions + req))
    if questions:
        j.strengths.append((score, f"Clarified the problem before designing, asking "
                                   f"“{quote(questions[0])}”."))
    if len(questions) < 2:
        j.improvements.append((5 - score, "Start by asking about scope and scale (users, "
                               "read/write ratio, latency and availability targets) before "
                               "drawing anything; you asked few clarifying questions."))
    elif not estimates:
        j.improvements.append((4 - score, "Turn the requirements into numbers early (requests "
                               "per second, storage per year) to size the design."))
    return j


def high_level_design(f: Facts) -> Judgement:
    comps = f.distinct("components")
    flow = f.with_signal("flow")
    named = [s for s in f.lines if s.has("components")]
    b = f.board
    talk = [(0.45, saturate(len(comps), 7)), (0.3, f.coverage_share),
            (0.25, saturate(len(flow), 4))]
    if b.snapshots:
        board = 0.5 * saturate(b.components or b.labelled, 5) + 0.5 * saturate(b.connections, 4)
        score = points([(w * 0.75, x) for w, x in talk] + [(0.25, board)])
        board_note = (f" The whiteboard shows {b.labelled} labelled shape(s) and "
                      f"{b.connections} connection(s).")
    else:
        score, board_note = points(talk), ""
    why = (f"Named {len(comps)} distinct component(s) and described data flow in "
           f"{len(flow)} answer(s).{board_note}")
    evidence = lines_ref(named, 2) + [{"kind": "snapshot", "ref": str(i)}
                                      for i in b.snapshot_ids[-2:]]
    j = Judgement("high_level_design", score, why, evidence)
    if len(comps) >= 5:
        j.strengths.append((score, "Laid out a complete high-level design: "
                            + ", ".join(sorted(comps)[:6]) + "."))
    if b.connections >= 3:
        j.strengths.append((score - 0.5, f"Drew the architecture with {b.connections} "
                            "connected components on the whiteboard."))
    if len(comps) < 4:
        j.improvements.append((5 - score, "Sketch the end-to-end architecture (clients, API "
                               "layer, services, storage, cache, async workers) and walk one "
                               "request through it."))
    if b.snapshots and b.connections < 2:
        j.improvements.append((3.5 - score / 2, "Connect the boxes on the whiteboard with "
                               "arrows that show how requests and data move."))
    return j


def deep_dive(f: Facts) -> Judgement:
    trade = f.with_signal("trade-offs")
    fails = f.with_signal("failure handling")
    model = f.with_signal("data model")
    score = points([(0.4, f.coverage_share), (0.2, saturate(len(trade), 4)),
                    (0.2, saturate(len(fails), 3)), (0.2, saturate(len(model), 2))])
    covered = [t.topic for t in f.covered]
    why = (f"Covered {len(covered)} of {len(f.topics)} expected topics; {len(trade)} answer(s) "
           f"weigh trade-offs, {len(fails)} handle failures.")
    seqs = [seq for t in f.covered for seq in t.lines[:1]]
    evidence = [{"kind": "transcript", "ref": str(s)} for s in seqs[:3]] or lines_ref(trade)
    j = Judgement("deep_dive", score, why, evidence)
    if covered:
        j.strengths.append((score + 0.2 * len(covered), "Went into the key topics: "
                            + "; ".join(covered[:3]) + "."))
    if len(trade) >= 2:
        j.strengths.append((score - 0.3, f"Weighed alternatives, e.g. “{quote(trade[0])}”."))
    for rank, t in enumerate(f.missed):
        j.improvements.append((6 - rank * 0.4, f"Cover {t.topic}: the question expects it and "
                               "it never came up."))
    if len(fails) < 2:
        j.improvements.append((4 - score / 2, "Say what happens when parts fail (a node, the "
                               "cache, the queue) and how the design recovers."))
    if not trade:
        j.improvements.append((3.8 - score / 2, "Compare at least one alternative for each big "
                               "choice and say why you picked yours."))
    return j


def scalability(f: Facts) -> Judgement:
    terms = f.distinct("scalability")
    numbers = [s for s in f.lines if s.number]
    scale_lines = f.with_signal("scalability")
    fails = f.with_signal("failure handling")
    bottleneck = [s for s in scale_lines if {"bottleneck", "hot key", "hot spot", "hotspot"}
                  & set(s.hits["scalability"])]
    score = points([(0.35, saturate(len(terms), 6)), (0.3, saturate(len(numbers), 4)),
                    (0.2, saturate(len(fails), 2)), (0.15, saturate(len(bottleneck), 1))])
    why = (f"{len(terms)} scaling technique(s) named and {len(numbers)} answer(s) with "
           "concrete numbers.")
    j = Judgement("scalability", score, why, lines_ref(numbers[:2] + scale_lines[:1]))
    if len(numbers) >= 2:
        j.strengths.append((score, f"Backed the design with numbers, e.g. “{quote(numbers[0])}”."))
    if len(terms) >= 4:
        j.strengths.append((score - 0.2, "Knew the scaling toolbox: "
                            + ", ".join(sorted(terms)[:5]) + "."))
    if not numbers:
        j.improvements.append((5 - score / 2, "Quantify load and data size (requests per second, "
                               "storage growth) and use the numbers to justify sharding and "
                               "caching; no answer gave a number."))
    if len(terms) < 3:
        j.improvements.append((4.5 - score / 2, "Explain how the design grows 10×: partitioning,"
                               " replication, caching and where the first bottleneck appears."))
    return j


CRITERIA = (requirement_gathering, high_level_design, deep_dive, scalability, communication)


def judge(f: Facts) -> list[Judgement]:
    return [c(f) for c in CRITERIA]
