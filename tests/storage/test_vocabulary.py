"""One interview vocabulary: storage/vocabulary.py is the only list of the words, it imports
nothing, agents reach storage only through it, and every per-word table covers every word."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

from agents import instructions, questions
from agents.offline import brief
from server.http import schemas
from storage import lifecycle, vocabulary

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "media", "agents", "storage", "sandbox", "evals")
VOCABULARY_FILE = ROOT / "storage" / "vocabulary.py"

WORDS: dict[str, frozenset[str]] = {
    "INTERVIEW_TYPES": frozenset(vocabulary.INTERVIEW_TYPES),
    "LEVELS": frozenset(vocabulary.LEVELS),
    "COMPANIES": frozenset(vocabulary.COMPANIES),
    "PREMIUM_COMPANIES": vocabulary.PREMIUM_COMPANIES,
    "PHASES": frozenset(vocabulary.PHASES),
    "STATUSES": frozenset(vocabulary.STATUSES),
    "TERMINAL_STATUSES": vocabulary.TERMINAL_STATUSES,
}


def _sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from (ROOT / package).rglob("*.py")


def _string_collections(tree: ast.AST) -> Iterator[tuple[int, frozenset[str]]]:
    """Every tuple, list or set written out of string constants (`Literal["a", "b"]` too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and node.elts and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ):
            yield node.lineno, frozenset(e.value for e in node.elts)  # type: ignore[attr-defined]


def test_no_second_list_of_the_vocabulary_in_the_code() -> None:
    found = []
    for path in _sources():
        if path == VOCABULARY_FILE:
            continue
        for line, words in _string_collections(ast.parse(path.read_text(), str(path))):
            found += [f"{path.relative_to(ROOT)}:{line} repeats vocabulary.{name}"
                      for name, vocab in WORDS.items() if words == vocab]
    assert found == []


def test_the_scan_finds_a_repeated_list() -> None:
    """The check above is not blind: the old ways of writing the words are caught."""
    old = ('Phase = Literal["routing", "intro", "interview", "closing", "done"]\n'
           'LEVELS = ("junior", "mid", "senior", "staff")\n'
           'PREMIUM = frozenset({"google", "meta", "amazon", "netflix"})\n')
    words = [w for _, w in _string_collections(ast.parse(old))]
    assert WORDS["PHASES"] in words and WORDS["LEVELS"] in words
    assert WORDS["PREMIUM_COMPANIES"] in words


def test_the_vocabulary_imports_nothing() -> None:
    tree = ast.parse(VOCABULARY_FILE.read_text())
    assert [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)] == []


def test_agents_see_storage_only_through_the_vocabulary() -> None:
    reached = set()
    for path in (ROOT / "agents").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            reached |= {n for n in names if n == "storage" or n.startswith("storage.")}
    assert reached <= {"storage.vocabulary"}


def test_derived_types_and_tables_cover_exactly_the_vocabulary() -> None:
    assert get_args(schemas.InterviewType) == vocabulary.INTERVIEW_TYPES
    assert get_args(schemas.Level) == vocabulary.LEVELS
    assert get_args(schemas.Company) == vocabulary.COMPANIES
    assert get_args(lifecycle.Status) == vocabulary.STATUSES
    assert get_args(lifecycle.Phase) == vocabulary.PHASES
    assert set(lifecycle.TRANSITIONS) == set(vocabulary.STATUSES)
    assert vocabulary.PREMIUM_COMPANIES < set(vocabulary.COMPANIES)
    assert vocabulary.TERMINAL_STATUSES < set(vocabulary.STATUSES)
    assert set(vocabulary.COMPANY_NAMES) == set(vocabulary.COMPANIES)
    for table in (instructions.COMPANY_STYLE,):
        assert set(table) == set(vocabulary.COMPANIES)
    for table in (instructions.LEVEL_EXPECTATIONS, questions._LEVEL_DIFFICULTY):
        assert set(table) == set(vocabulary.LEVELS)
    for table in (instructions.FLOW, brief.DEFAULT_QUESTIONS, brief.DEFAULT_TOPICS):
        assert set(table) == set(vocabulary.INTERVIEW_TYPES)
