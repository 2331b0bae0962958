"""At most `cap` concurrent live interviews per user (SDP answers are the costly part)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class LiveQuota:
    """One start at a time per user, so the count of their live calls cannot race.

    The lock table holds only users with a start in flight (bounded by open requests).
    """

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._turns)

    @asynccontextmanager
    async def turn(self, user_id: str) -> AsyncIterator[None]:
        lock, waiting = self._turns.get(user_id, (asyncio.Lock(), 0))
        self._turns[user_id] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._turns[user_id]
            if waiting == 1:
                del self._turns[user_id]
            else:
                self._turns[user_id] = (lock, waiting - 1)
