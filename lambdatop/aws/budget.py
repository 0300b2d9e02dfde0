"""One control-plane budget per account+Region, shared by the collector and the operator.

Lambda's control plane has one 15 rps pool per account and Region for every API except
GetFunction and Invoke (ListFunctions, ListAliases, ListFunctionEventInvokeConfigs,
ListProvisionedConcurrencyConfigs, GetAccountSettings, PutFunctionConcurrency, UpdateAlias...),
and it cannot be raised. The account's deploys and other engineers' tools draw on it too, so a
dashboard left open takes at most `shared_rps` of it (3 by default, bursts of `shared_burst`).
GetFunction has its own pool (100 rps): it gets its own, gentler bucket.

Reads wait their turn by priority (0 = a row on screen or the open function, 1 = background),
first come first served within one priority. Writes, the operator's keystrokes, never wait
behind reads: they pass at once, counted, and the reads' next token is still paced.

The function list itself (ListFunctions / ListEventSourceMappings pages, some 40 requests at
2,000 functions, every 5 minutes, and the one GetAccountSettings) goes faster: pages follow
one another (each needs the previous page's marker), so up to `LISTING_BURST` of them go as
fast as the endpoint answers (the AWS CLI's `list-functions` does the same), and beyond that
at `LISTING_RPS`. The whole fleet is on screen in seconds, not a quarter of a minute. Each
page is still taken from the shared bucket, which goes into debt, so the reads after it wait
and the average stays at `shared_rps`.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

Sleep = Callable[[float], Awaitable[None]]

# Refill arithmetic in floats: a token due "now" may be 0.9999999 of one.
EPSILON = 1e-9
LISTING_RPS = 10.0  # of the 15 rps pool, for the few seconds a listing takes
LISTING_BURST = 40  # pages of 50: a 2,000-function account's whole list
SHARED = "shared"
GET_FUNCTION = "get_function"
WRITE = "write"


class PriorityBucket:
    """A token bucket whose waiters are served lowest priority number first."""

    def __init__(self, rate_per_s: float, burst: int, monotonic: Callable[[], float], sleep: Sleep) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate_per_s = rate_per_s
        self.capacity = float(burst)
        self._monotonic = monotonic
        self._sleep = sleep
        self._tokens = self.capacity
        self._updated = monotonic()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None

    @property
    def queued(self) -> int:
        return sum(1 for _, _, future in self._waiters if not future.done())

    def _refill(self) -> None:
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate_per_s)
        self._updated = now

    async def acquire(self, priority: int) -> None:
        self._refill()
        if not self._waiters and self._tokens >= 1.0 - EPSILON:
            self._tokens -= 1.0
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch())
        await future

    def debit(self) -> None:
        """Take a token now, into debt if need be: waiters are served once it is paid back."""
        self._refill()
        self._tokens -= 1.0

    async def _dispatch(self) -> None:
        # One task hands out tokens, so a fake clock's sleep advances time once, not per waiter.
        while self._waiters:
            self._refill()
            if self._tokens >= 1.0 - EPSILON:
                _, _, future = heapq.heappop(self._waiters)
                if future.done():  # its caller was cancelled: the token stays
                    continue
                self._tokens -= 1.0
                future.set_result(None)
                await asyncio.sleep(0)  # let the woken caller run before the next decision
            else:
                await self._sleep((1.0 - self._tokens) / self.rate_per_s)


class ControlPlaneBudget:
    """The Lambda control-plane budget of one account+Region (see the module docstring)."""

    def __init__(
        self,
        shared_rps: float = 3.0,
        shared_burst: int = 5,
        get_function_rps: float = 20.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.shared = PriorityBucket(shared_rps, shared_burst, monotonic, sleep)
        self.get_function_pool = PriorityBucket(get_function_rps, max(1, int(get_function_rps)), monotonic, sleep)
        self.listing_pace = PriorityBucket(max(LISTING_RPS, shared_rps), LISTING_BURST, monotonic, sleep)
        # Requests let through per pool ("shared", "get_function", "write"): what the bench reads.
        self.requests: Counter[str] = Counter()

    def read(self, priority: int = 1) -> AbstractAsyncContextManager[None]:
        """A read on the shared 15 rps pool; 0 = on screen or the open function, first.
        A negative priority is the operator's own re-read just before a write (the live value
        a plan is validated against): like a write, it never waits behind background reads."""
        if priority < 0:
            return self._operator_read()
        return self._through(self.shared, SHARED, priority)

    @asynccontextmanager
    async def _operator_read(self) -> AsyncIterator[None]:
        self.shared.debit()  # paid back by the background reads after it
        self.requests[SHARED] += 1
        yield

    def get_function(self, priority: int = 1) -> AbstractAsyncContextManager[None]:
        """GetFunction, on its own pool."""
        return self._through(self.get_function_pool, GET_FUNCTION, priority)

    @asynccontextmanager
    async def listing(self) -> AsyncIterator[None]:
        """A page of the function list: faster than other reads, paid for by the reads after it."""
        await self.listing_pace.acquire(0)
        self.shared.debit()
        self.requests[SHARED] += 1
        yield

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        """An operator's write: goes ahead of every queued read and never waits behind them."""
        self.requests[WRITE] += 1
        yield

    @asynccontextmanager
    async def _through(self, bucket: PriorityBucket, pool: str, priority: int) -> AsyncIterator[None]:
        await bucket.acquire(priority)
        self.requests[pool] += 1
        yield


class ControlPlaneBudgets:
    """One budget per Region of the account a collector watches, made on first use."""

    def __init__(
        self,
        shared_rps: float = 3.0,
        shared_burst: int = 5,
        get_function_rps: float = 20.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._args = (shared_rps, shared_burst, get_function_rps, monotonic, sleep)
        self._budgets: dict[str, ControlPlaneBudget] = {}

    def for_region(self, region: str) -> ControlPlaneBudget:
        budget = self._budgets.get(region)
        if budget is None:
            budget = self._budgets[region] = ControlPlaneBudget(*self._args)
        return budget
