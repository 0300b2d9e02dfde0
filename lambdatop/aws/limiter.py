"""A client-side token bucket, so background reads never starve operator actions.

Lambda's control plane shares one 15 rps pool per account and Region between ListAliases,
GetFunctionConcurrency, PutFunctionConcurrency, UpdateAlias... lambdatop keeps its own
background reads at or under 10 rps so an operator's action always finds room.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        rate_per_s: float,
        burst: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        self.rate_per_s = rate_per_s
        self.capacity = float(burst if burst is not None else max(1, int(rate_per_s)))
        self._tokens = self.capacity
        self._monotonic = monotonic
        self._updated = monotonic()
        self._lock = asyncio.Lock()
        self.acquired = 0

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate_per_s)
        self._updated = now

    async def acquire(self) -> None:
        # The lock makes waiters queue in order: first come, first served.
        async with self._lock:
            while True:
                self._refill()
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    self.acquired += 1
                    return
                await asyncio.sleep((1.0 - self._tokens) / self.rate_per_s)

    async def __aenter__(self) -> RateLimiter:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None
