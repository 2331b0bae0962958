"""Session resumption handles: the conversation state behind each handle, kept in memory
until it expires (the real service keeps them for about two hours)."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

DEFAULT_TTL_S = 2 * 60 * 60


class HandleStore:
    def __init__(self, ttl_s: float = DEFAULT_TTL_S, *, max_handles: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_handles = max_handles
        self._clock = clock
        self._states: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def issue(self, state: dict[str, Any]) -> str:
        """A new handle for `state` (stored as given: pass a fresh snapshot)."""
        self.purge()
        handle = "offline-" + secrets.token_urlsafe(18)
        self._states[handle] = (self._clock() + self.ttl_s, state)
        while len(self._states) > self.max_handles:
            self._states.popitem(last=False)
        return handle

    def get(self, handle: str) -> dict[str, Any] | None:
        """The state behind a handle, or None if it is unknown or expired."""
        entry = self._states.get(handle)
        if entry is None:
            return None
        expires, state = entry
        if expires < self._clock():
            del self._states[handle]
            return None
        return state

    def purge(self) -> None:
        now = self._clock()
        for handle in [h for h, (exp, _) in self._states.items() if exp < now]:
            del self._states[handle]
