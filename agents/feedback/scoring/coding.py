"""Coding: problem understanding, approach, correctness (from the tests), code quality,
complexity analysis, communication."""

from __future__ import annotations

import re

from agents.feedback.evidence import Submission
from agents.feedback.scoring.facts import Facts, quote, saturate
from agents.feedback.scoring.judgement import Judgement, communication, lines_ref, points

PLACEHOLDER = re.compile(r"write your (?:solution|code) here|^\s*pass\s*$|todo", re.I | re.M)
IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
KEYWORDS = frozenset("""def return for in if else elif while and or not is none true false
class import from as with try except finally raise lambda yield function const let var new
this null undefined break continue of typeof public private static void int long boolean
string list dict set len range enumerate print self""".split())
SHORT_OK = frozenset("i j k n m x y a b c s t v w dp lo hi ok id".split())


def final_submission(f: Facts) -> Submission | None:
    subs = f.evidence.submissions
    return max(subs, key=lambda s: s.at_s) if subs else None


def problem_understanding(f: Facts) -> Judgement:
    questions = [s for s in f.early if s.question]
    edges = f.with_signal("edge cases")
    score = points([(0.45, saturate(len(questions), 2)), (0.4, saturate(len(edges), 3)),
                    (0.15, saturate(len([s for s in f.early if s.word_count >= 15]), 2))])
    why = f"{len(questions)} clarifying question(s) early; {len(edges)} answer(s) raise edge cases."
    j = Judgement("problem_understanding", score, why, lines_ref(questions + edges))
    if edges:
        j.strengths.append((score, f"Thought about edge cases: “{quote(edges[0])}”."))
    if not questions:
        j.improvements.append((4.8 - score / 2, "Before coding, confirm the input format, "
                               "constraints and expected output with the interviewer."))
    if len(edges) < 2:
        j.improvements.append((4.5 - score / 2, "List edge cases out loud (empty input, "
                               "duplicates, negatives, very large inputs) and test them."))
    return j


def approach(f: Facts) -> Judgement:
    algos = f.distinct("algorithms")
    explained = f.with_signal("algorithms")
    brute = any("brute force" in s.hits.get("algorithms", ()) for s in f.lines)
    better = [a for a in algos if a != "brute force"]
    score = points([(0.4, f.coverage_share), (0.35, saturate(len(better), 3)),
                    (0.15, saturate(len(explained), 3)), (0.1, 1.0 if brute and better else 0.0)])
    why = (f"Discussed {len(better)} technique(s) ({', '.join(sorted(better)[:4]) or 'none'}); "
           f"covered {len(f.covered)} of {len(f.topics)} expected topics.")
    j = Judgement("approach", score, why, lines_ref(explained))
    if better:
        j.strengths.append((score, "Chose and explained an approach: "
                            + ", ".join(sorted(better)[:3]) + "."))
    if brute and better:
        j.strengths.append((score - 0.3, "Started from brute force and improved on it."))
    for rank, t in enumerate(f.missed):
        j.improvements.append((5.5 - rank * 0.4, f"Bring in {t.topic}: the problem calls for it"
                               " and it never came up."))
    if not better:
        j.improvements.append((5 - score, "Name the data structure or algorithm you will use "
                               "and why it beats the obvious solution before writing code."))
    return j


def correctness(f: Facts) -> Judgement:
    final = final_submission(f)
    subs = f.evidence.submissions
    if final is None:
        has_code = bool(f.evidence.code_snapshots)
        j = Judgement("correctness", 0.5 if has_code else 0.0,
                      "No solution was submitted, so no test confirms it works.")
        j.improvements.append((6.0, "Submit a working solution, even a simple one, and run "
                               "the tests before time runs out."))
        return j
    rate = final.passed / final.total if final.total else 0.0
    best = max((s.passed / s.total if s.total else 0.0) for s in subs)
    score = points([(0.7, rate), (0.3, best)])
    why = f"The final submission passed {final.passed} of {final.total} tests."
    evidence = [{"kind": "submission", "ref": s.id} for s in subs[-3:]]
    j = Judgement("correctness", score, why, evidence)
    if final.total and final.passed == final.total:
        j.strengths.append((score + 0.5, f"All {final.total} tests pass on the final submission."))
    if final.failures:
        case = final.failures[0]
        detail = f"input {case.input}" if case.input else "a visible test"
        got = case.error or (f"returned {case.actual}" if case.actual else "failed")
        j.improvements.append((6.5, f"The failing case was never fixed: for {detail} the code "
                               f"{got} instead of {case.expected or 'the expected output'}."))
    elif final.total and final.passed < final.total:
        j.improvements.append((6.2, f"{final.total - final.passed} hidden test(s) still fail: "
                               "look for the edge case your code misses."))
    return j


def code_quality(f: Facts) -> Judgement:
    final = final_submission(f)
    code = final.code if final else (f.evidence.code_snapshots[-1].code
                                     if f.evidence.code_snapshots else "")
    body = [ln for ln in code.splitlines() if ln.strip()]
    if not body or PLACEHOLDER.search(code) and len(body) < 4:
        return Judgement("code_quality", 0.0, "There is no real code to assess.")
    names = [n for n in IDENT.findall(code) if n.lower() not in KEYWORDS]
    descriptive = [n for n in names if len(n) >= 3 or n.lower() in SHORT_OK]
    naming = len(descriptive) / len(names) if names else 0.0
    long_lines = sum(len(ln) > 100 for ln in body)
    size_ok = 1.0 if len(body) <= 40 else max(0.0, 1 - (len(body) - 40) / 60)
    comments = any(ln.strip().startswith(("#", "//")) or '"""' in ln for ln in body)
    works = (final.passed / final.total) if final and final.total else 0.0
    score = points([(0.35, naming), (0.2, size_ok), (0.1, 1 - saturate(long_lines, 3)),
                    (0.1, 1.0 if comments else 0.4), (0.25, works)])
    why = (f"{len(body)} lines; {naming:.0%} of names are descriptive"
           f"{', with comments' if comments else ''}.")
    ref = [{"kind": "submission", "ref": final.id}] if final else []
    j = Judgement("code_quality", score, why, ref)
    if naming >= 0.8 and size_ok >= 0.9:
        j.strengths.append((score - 0.5, "Wrote compact, readable code with clear names."))
    if naming < 0.7:
        j.improvements.append((3.5, "Use descriptive names for variables that carry meaning "
                               "(e.g. `seen` instead of `d`)."))
    return j


def complexity(f: Facts) -> Judgement:
    lines = f.with_signal("complexity")
    said = " ".join(s.line.text.lower() for s in lines)
    time_ = bool(re.search(r"\btime\b|o\s*\(|linear|log|quadratic|squared", said))
    space = bool(re.search(r"\bspace\b|memory|extra", said))
    score = points([(0.5, 1.0 if time_ else 0.0), (0.3, 1.0 if space else 0.0),
                    (0.2, saturate(len(lines), 3))])
    why = (f"Time complexity {'stated' if time_ else 'not stated'}, space complexity "
           f"{'stated' if space else 'not stated'} ({len(lines)} answer(s)).")
    j = Judgement("complexity", score, why, lines_ref(lines))
    if time_ and space:
        j.strengths.append((score, f"Analysed time and space: “{quote(lines[0])}”."))
    if not time_:
        j.improvements.append((5.5, "State the time complexity of your solution in big-O and "
                               "explain where it comes from."))
    elif not space:
        j.improvements.append((4.2, "Also give the space complexity (the extra memory your "
                               "data structures use)."))
    return j


CRITERIA = (problem_understanding, approach, correctness, code_quality, complexity,
            communication)


def judge(f: Facts) -> list[Judgement]:
    return [c(f) for c in CRITERIA]
