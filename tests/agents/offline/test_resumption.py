"""agents/offline/resumption.py: handles keep state until they expire."""

from __future__ import annotations

from agents.offline.resumption import HandleStore


def test_handles_expire_and_are_bounded() -> None:
    now = [0.0]
    store = HandleStore(ttl_s=10, max_handles=3, clock=lambda: now[0])
    first = store.issue({"n": 1})
    assert store.get(first) == {"n": 1} and store.get("nope") is None
    now[0] = 11
    assert store.get(first) is None
    handles = [store.issue({"n": i}) for i in range(5)]
    assert len(store) == 3 and store.get(handles[0]) is None and store.get(handles[-1])
    assert len(set(handles)) == 5
