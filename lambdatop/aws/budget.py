"""The control-plane budget of one account+Region, shared by the collector and the operator.

Lambda's control plane has one 15 rps pool per account and Region (GetFunction has its own
100 rps). Background reads stay at a few rps of it; an operator's write never queues behind
them: `write()` takes its token at once, borrowing from the future if the bucket is empty, so
the reads queued at that moment wait a little longer instead.

Minimal version for the operator; the collector's scheduler keeps the same interface.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

WRITE_PRIORITY = 0


class _Bucket:
    def __init__(self, rate_per_s: float, burst: int, monotonic: Callable[[], float]) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        self.rate_per_s = rate_per_s
        self.capacity = float(max(1, burst))
        self.tokens = self.capacity
        self._monotonic = monotonic
        self._updated = monotonic()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None
        self.acquired = 0

    def _refill(self) -> None:
        now = self._monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate_per_s)
        self._updated = now

    def take_now(self) -> None:
        """A write: one token now, even into debt (reads queued behind wait for it)."""
        self._refill()
        self.tokens -= 1.0
        self.acquired += 1

    async def take(self, priority: int) -> None:
        self._refill()
        if not self._waiters and self.tokens >= 1.0:
            self.tokens -= 1.0
            self.acquired += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._seq), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._serve())
        try:
            await future
        except asyncio.CancelledError:
            self._waiters = [w for w in self._waiters if w[2] is not future]
            heapq.heapify(self._waiters)
            raise

    async def _serve(self) -> None:
        while self._waiters:
            self._refill()
            if self.tokens >= 1.0:
                _, _, future = heapq.heappop(self._waiters)
                if not future.done():
                    self.tokens -= 1.0
                    self.acquired += 1
                    future.set_result(None)
                continue
            await asyncio.sleep((1.0 - self.tokens) / self.rate_per_s)


class ControlPlaneBudget:
    """Token buckets for one account+Region: `read()`, `get_function()`, and `write()`."""

    def __init__(
        self,
        read_rps: float = 3.0,
        get_function_rps: float = 50.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._shared = _Bucket(read_rps, max(1, int(read_rps)), monotonic)
        self._get_function = _Bucket(get_function_rps, max(1, int(get_function_rps)), monotonic)
        self.writes = 0

    @asynccontextmanager
    async def read(self, priority: int = 1) -> AsyncIterator[None]:
        """One call on the shared pool; lower `priority` numbers are served first (the operator's
        own pre-write reads use 0)."""
        await self._shared.take(priority)
        yield

    @asynccontextmanager
    async def get_function(self, priority: int = 1) -> AsyncIterator[None]:
        await self._get_function.take(priority)
        yield

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        """A mutating call: never waits behind reads."""
        self._shared.take_now()
        self.writes += 1
        yield
