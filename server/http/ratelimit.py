"""A sliding-window counter per key, in process memory.

Used for log-in attempts. With several server processes each keeps its own
window, which still bounds guessing per process; a shared store can replace it.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def _window(self, key: str) -> deque[float]:
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again; 0 when it may try now."""
        hits = self._window(key)
        if len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.window_s - self._clock())

    def hit(self, key: str) -> None:
        self._window(key).append(self._clock())
        if len(self._hits) > 100_000:
            self._hits = {k: v for k, v in self._hits.items() if v}

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)


class LoginThrottle:
    """Failed log-ins counted per email and per client address, each with its own limit."""

    def __init__(self, per_email: RateLimiter, per_ip: RateLimiter) -> None:
        self.per_email = per_email
        self.per_ip = per_ip

    def retry_after(self, email: str, ip: str) -> float:
        return max(self.per_email.retry_after(email), self.per_ip.retry_after(ip))

    def failed(self, email: str, ip: str) -> None:
        self.per_email.hit(email)
        self.per_ip.hit(ip)

    def succeeded(self, email: str) -> None:
        self.per_email.reset(email)
