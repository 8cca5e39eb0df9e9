"""The per-user rate limit, on a clock the test controls."""

from __future__ import annotations

from bot.config import RateLimit
from bot.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_count_per_window_per_user():
    clock = Clock()
    limiter = RateLimiter(RateLimit(2, 60), clock)
    assert limiter.check(1) == 0 and limiter.check(1) == 0
    wait = limiter.check(1)
    assert 59 <= wait <= 60
    assert limiter.check(2) == 0  # someone else is not held back
    clock.now += 30
    assert 29 <= limiter.check(1) <= 30  # refusals do not extend the window
    clock.now += 30
    assert limiter.check(1) == 0


def test_zero_turns_it_off():
    limiter = RateLimiter(RateLimit(0, 0), Clock())
    assert all(limiter.check(1) == 0 for _ in range(100))


def test_quiet_users_are_forgotten():
    clock = Clock()
    limiter = RateLimiter(RateLimit(1, 1), clock)
    for user in range(10_001):
        limiter.check(user)
    clock.now += 2
    limiter.check(99_999)
    assert len(limiter) <= 2
