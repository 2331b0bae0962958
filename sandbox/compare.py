"""The trusted comparison of a test's actual value with its expected value (runs in the parent).

`exact`: deep equality of JSON values, booleans distinct from numbers, floats within a relative
tolerance. `unordered`: the top-level lists are compared as multisets of such values.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from sandbox.models import CompareMode

REL_TOL = 1e-6
ABS_TOL = 1e-9  # so that 0.0 and 1e-12 agree; relative tolerance alone never matches zero
_MAX_GREEDY = 4000


def equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, int | float) and isinstance(expected, int | float):
        if isinstance(actual, int) and isinstance(expected, int):
            return actual == expected
        return math.isclose(actual, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(actual, list) and isinstance(expected, list):
        return len(actual) == len(expected) and all(map(equal, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            equal(actual[k], expected[k]) for k in actual
        )
    if actual is None or expected is None:
        return actual is expected
    if isinstance(actual, str) and isinstance(expected, str):
        return actual == expected
    return False


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def unordered_equal(actual: Any, expected: Any) -> bool:
    if not (isinstance(actual, list) and isinstance(expected, list)):
        return equal(actual, expected)
    if len(actual) != len(expected):
        return False
    # Fast path: identical canonical texts cancel out; only the rest needs tolerant matching.
    left = Counter(_canonical(a) for a in actual)
    right = Counter(_canonical(e) for e in expected)
    common = left & right
    if sum(common.values()) == len(actual):
        return True
    rest_a = _leftovers(actual, common)
    rest_e = _leftovers(expected, common)
    if len(rest_a) > _MAX_GREEDY:
        return False
    for a in rest_a:
        for j, e in enumerate(rest_e):
            if equal(a, e):
                del rest_e[j]
                break
        else:
            return False
    return True


def _leftovers(values: list[Any], common: Counter[str]) -> list[Any]:
    budget = Counter(common)
    rest = []
    for v in values:
        key = _canonical(v)
        if budget[key] > 0:
            budget[key] -= 1
        else:
            rest.append(v)
    return rest


def matches(actual: Any, expected: Any, mode: CompareMode = "exact") -> bool:
    """Whether a test passes; never raises on odd values (they simply do not match)."""
    try:
        if mode == "unordered":
            return unordered_equal(actual, expected)
        return equal(actual, expected)
    except (RecursionError, ValueError, TypeError, OverflowError):
        return False
