"""The limiter tables: growing delays, sliding windows, and their bounds."""

from __future__ import annotations

from server.http.ratelimit import Backoff, SlidingWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_after_the_free_failures_up_to_the_cap_then_forgets() -> None:
    clock = Clock()
    b = Backoff(free=3, base_s=1.0, max_s=8.0, forget_s=900, clock=clock)
    for _ in range(3):
        assert b.retry_after("k") == 0
        b.failed("k")
    waits = []
    for _ in range(6):
        wait = b.retry_after("k")
        waits.append(wait)
        clock.now += wait
        b.failed("k")
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    clock.now += 900
    assert b.retry_after("k") == 0 and len(b) == 0


def test_sliding_window_limits_and_slides() -> None:
    clock = Clock()
    w = SlidingWindow(limit=2, window_s=10, clock=clock)
    w.hit("a")
    clock.now += 4
    w.hit("a")
    assert w.retry_after("a") == 6
    assert w.retry_after("b") == 0 and len(w) == 1  # asking creates nothing
    clock.now += 6
    assert w.retry_after("a") == 0


def test_tables_stay_at_their_bound_evicting_the_oldest() -> None:
    clock = Clock()
    w = SlidingWindow(limit=1, window_s=60, max_keys=100, clock=clock)
    b = Backoff(free=0, base_s=60, max_s=60, forget_s=600, max_keys=100, clock=clock)
    for i in range(150):
        w.hit(f"ip{i}")
        b.failed(f"key{i}")
    assert len(w) == 100 and len(b) == 100
    assert w.retry_after("ip49") == 0 and w.retry_after("ip50") > 0
    assert b.retry_after("key49") == 0 and b.retry_after("key50") > 0
    w.hit("ip50")  # a touched key becomes the newest
    w.hit("new")
    assert w.retry_after("ip50") > 0 and w.retry_after("ip51") == 0
