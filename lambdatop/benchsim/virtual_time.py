"""Virtual time for asyncio code that sleeps through an injected `sleep`.

Timers wait in a heap; `drive` lets every runnable task run, and only when nothing can run
any more does it jump the clock to the earliest timer. Code under test must take its time
from `monotonic()` / the Clock and sleep through `sleep()` (the budget and the simulation do).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")
START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


class VirtualTime:
    def __init__(self) -> None:
        self.now_s = 0.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now_s

    def now(self) -> datetime:
        return START + timedelta(seconds=self.now_s)

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now_s + max(0.0, seconds), next(self._order), future))
        await future

    async def _settle(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            for _ in range(3):
                await asyncio.sleep(0)
            if not loop._ready:  # type: ignore[attr-defined]  # nothing runnable: all wait
                return

    async def drive(self, main: Coroutine[Any, Any, T]) -> T:
        """Run `main` to completion in virtual time."""
        task = asyncio.ensure_future(main)
        while not task.done():
            await self._settle()
            if task.done():
                break
            while self._timers and self._timers[0][2].done():
                heapq.heappop(self._timers)  # cancelled sleepers
            if not self._timers:
                raise RuntimeError("every task waits and no timer is set: the simulation is stuck")
            at, _, future = heapq.heappop(self._timers)
            self.now_s = max(self.now_s, at)
            future.set_result(None)
        return task.result()
