"""Attempt limits kept in process memory, each table bounded (oldest key evicted at the cap).

Used for log-in and sign-up. With several server processes each keeps its own tables, which
still bounds guessing per process; a shared store can replace them. A refused attempt never
creates or grows an entry: callers ask `retry_after` first and record only admitted attempts.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

DEFAULT_MAX_KEYS = 50_000


class SlidingWindow:
    """At most `limit` events per `window_s` per key."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._hits)

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may try now. Creates no entry."""
        hits = self._hits.get(key)
        if hits is None:
            return 0.0
        now = self._clock()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return 0.0
        if len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window_s - now)

    def hit(self, key: str) -> None:
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque(maxlen=self.limit)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        else:
            self._hits.move_to_end(key)
        hits.append(self._clock())

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)


class Backoff:
    """Failures per key: `free` of them cost nothing, then each doubles the wait (to `max_s`).

    An entry is forgotten `forget_s` after its last failure.
    """

    def __init__(
        self,
        free: int,
        base_s: float,
        max_s: float,
        forget_s: float,
        max_keys: int = DEFAULT_MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.base_s = base_s
        self.max_s = max_s
        self.forget_s = forget_s
        self.max_keys = max_keys
        self._clock = clock
        self._fails: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._fails)

    def _current(self, key: str) -> tuple[int, float] | None:
        entry = self._fails.get(key)
        if entry is not None and self._clock() - entry[1] >= self.forget_s:
            del self._fails[key]
            return None
        return entry

    def retry_after(self, key: str) -> float:
        entry = self._current(key)
        if entry is None or entry[0] < self.free:
            return 0.0
        fails, last = entry
        delay = min(self.max_s, self.base_s * 2 ** (fails - self.free))
        return max(0.0, last + delay - self._clock())

    def failed(self, key: str) -> None:
        entry = self._current(key)
        self._fails[key] = ((entry[0] if entry else 0) + 1, self._clock())
        self._fails.move_to_end(key)
        while len(self._fails) > self.max_keys:
            self._fails.popitem(last=False)

    def reset(self, key: str) -> None:
        self._fails.pop(key, None)


class LoginThrottle:
    """Failed log-ins: a growing delay per (email, address), and a cap per address.

    Keyed by the pair, an attacker's failures slow only the attacker: the account's owner,
    logging in from another address, is never locked out by them.
    """

    def __init__(self, per_account: Backoff, per_ip: SlidingWindow) -> None:
        self.per_account = per_account
        self.per_ip = per_ip

    @staticmethod
    def _key(email: str, ip: str) -> str:
        return f"{email}\x00{ip}"

    def retry_after(self, email: str, ip: str) -> float:
        return max(self.per_account.retry_after(self._key(email, ip)), self.per_ip.retry_after(ip))

    def failed(self, email: str, ip: str) -> None:
        self.per_account.failed(self._key(email, ip))
        self.per_ip.hit(ip)

    def succeeded(self, email: str, ip: str) -> None:
        self.per_account.reset(self._key(email, ip))
