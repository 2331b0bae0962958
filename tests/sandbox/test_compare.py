"""The trusted comparator: exact deep equality with float tolerance, unordered multisets."""

from __future__ import annotations

import pytest

from sandbox.compare import matches


@pytest.mark.parametrize(
    ("actual", "expected", "mode", "ok"),
    [
        ([0, 1], [0, 1], "exact", True),
        ([1, 0], [0, 1], "exact", False),
        (0.1 + 0.2, 0.3, "exact", True),
        (2.0, 2, "exact", True),
        (1.001, 1.0, "exact", False),
        (1e-12, 0.0, "exact", True),
        (True, 1, "exact", False),
        (1, True, "exact", False),
        (None, 0, "exact", False),
        (None, None, "exact", True),
        ("a", "a", "exact", True),
        ({"a": 1}, {"a": 1, "b": 2}, "exact", False),
        ({"a": [1.0, {"b": None}]}, {"a": [1, {"b": None}]}, "exact", True),
        ([[1], [2, 3]], [[2, 3], [1]], "unordered", True),
        ([[1], [3, 2]], [[2, 3], [1]], "unordered", False),
        ([1, 1, 2], [1, 2, 2], "unordered", False),
        ([1, 2], [1, 2, 2], "unordered", False),
        ([[0.5, 1]], [[0.5000000001, 1]], "unordered", True),
        ([0.30000000001, 0.1], [0.1, 0.3], "unordered", True),
        ("x", ["x"], "unordered", False),
    ],
)
def test_matches(actual, expected, mode, ok) -> None:
    assert matches(actual, expected, mode) is ok


def test_deep_values_do_not_raise() -> None:
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert matches(deep, [], "exact") is False
