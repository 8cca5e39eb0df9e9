"""A per-user limit on questions: at most ``count`` in any ``seconds``."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable

from bot.config import RateLimit


class RateLimiter:
    """Sliding-window counter per user; the bot checks it before answering."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._seen: dict[int, deque[float]] = defaultdict(deque)
        self._told: dict[int, float] = {}  # user -> the window start they were last told about

    def first_refusal(self, user_id: int) -> bool:
        """Whether this is the first refusal of the user's current window (call after ``check``)."""
        seen = self._seen.get(user_id)
        if not seen:
            return True
        if self._told.get(user_id) == seen[0]:
            return False
        if len(self._told) > 10_000:
            self._told.clear()
        self._told[user_id] = seen[0]
        return True

    def __len__(self) -> int:
        """How many people the limiter is keeping track of."""
        return len(self._seen)

    def check(self, user_id: int) -> float:
        """Count one question; 0 when it may be answered, else the seconds until the next one may."""
        wait = self.wait(user_id)
        if not wait:
            self.count(user_id)
        return wait

    def wait(self, user_id: int) -> float:
        """The seconds until the user may ask again (0: now), counting nothing."""
        if not self.limit.enabled:
            return 0.0
        now = self._clock()
        seen = self._seen.get(user_id)
        if not seen:
            return 0.0
        while seen and now - seen[0] >= self.limit.seconds:
            seen.popleft()
        if len(seen) >= self.limit.count:
            return max(0.1, self.limit.seconds - (now - seen[0]))
        return 0.0

    def count(self, user_id: int) -> None:
        """Count one question of the user's."""
        if not self.limit.enabled:
            return
        now = self._clock()
        if len(self._seen) > 10_000:  # forget people whose window has passed
            self._seen = defaultdict(
                deque,
                {
                    u: q
                    for u, q in self._seen.items()
                    if u == user_id or (q and now - q[-1] < self.limit.seconds)
                },
            )
        self._seen[user_id].append(now)
