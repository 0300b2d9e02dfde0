"""Running one Logs Insights query as a good citizen of the account's shared quotas.

- At most `max_concurrent` queries in flight per Region (the account's 30–100 slots are shared
  with dashboards and other tools).
- GetQueryResults is polled with a growing delay, not in a tight loop.
- A query lambdatop started is stopped (`StopQuery`) if it is left before a terminal status:
  on error, cancel or timeout. An abandoned query keeps its slot and bills until it ends.
- Bytes scanned are counted (in the cost meter) on every terminal status, not only Complete:
  a failed or cancelled query has billed what it scanned.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from lambdatop.aws.session import ClientPool

TERMINAL = frozenset({"Complete", "Failed", "Cancelled", "Timeout", "Unknown"})


class QueryEnded(Exception):
    """The query reached a terminal status other than Complete."""

    def __init__(self, status: str) -> None:
        super().__init__(f"Logs Insights query {status}")
        self.status = status


class QueryTimedOut(TimeoutError):
    def __init__(self, timeout_s: float) -> None:
        super().__init__(f"Logs Insights query not finished in {timeout_s:.0f} s (stopped)")


class InsightsRunner:
    def __init__(
        self,
        pool: ClientPool,
        region: str,
        *,
        max_concurrent: int = 4,
        poll_initial_s: float = 0.5,
        poll_max_s: float = 5.0,
        timeout_s: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_concurrent < 1:
            raise ValueError("at least one concurrent Insights query is needed")
        self.pool = pool
        self.region = region
        self.slots = asyncio.Semaphore(max_concurrent)
        self.max_concurrent = max_concurrent
        self.poll_initial_s = poll_initial_s
        self.poll_max_s = poll_max_s
        self.timeout_s = timeout_s
        self._monotonic = monotonic
        self.in_flight = 0
        self.peak_in_flight = 0

    async def run(
        self, names: list[str], start_s: int, end_s: int, query: str, limit: int
    ) -> tuple[list[dict[str, str]], int]:
        """Rows (field -> value) and bytes scanned of `query` over [start_s, end_s] (inclusive
        epoch seconds, as StartQuery takes them)."""
        async with self.slots:
            logs = await self.pool.client("logs", self.region)
            started = await logs.start_query(
                logGroupNames=names, startTime=start_s, endTime=end_s, queryString=query, limit=limit
            )
            query_id = str(started["queryId"])
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            finished = False
            try:
                answer = await self._poll(logs, query_id)
                finished = True
            finally:
                self.in_flight -= 1
                if not finished:
                    # Shielded: a second cancel must not abandon the query holding its slot.
                    with contextlib.suppress(Exception, asyncio.CancelledError):
                        await asyncio.shield(self._stop(logs, query_id))
        scanned = int(float((answer.get("statistics") or {}).get("bytesScanned") or 0))
        status = str(answer.get("status"))
        if status != "Complete":
            raise QueryEnded(status)
        rows = [
            {str(cell.get("field")): str(cell.get("value", "")) for cell in row} for row in answer.get("results") or []
        ]
        return rows, scanned

    async def _stop(self, logs: Any, query_id: str) -> None:
        """Stop a query left early, then count what it billed (Cancelled, or ended meanwhile:
        StopQuery refuses a query that is no longer running)."""
        try:
            await logs.stop_query(queryId=query_id)
        finally:
            answer: dict[str, Any] = await logs.get_query_results(queryId=query_id)
            self._count_bytes(answer)

    def _count_bytes(self, answer: dict[str, Any]) -> None:
        if answer.get("status") in TERMINAL:
            scanned = (answer.get("statistics") or {}).get("bytesScanned")
            if scanned:
                self.pool.accountant.add_bytes_scanned(int(float(scanned)))

    async def _poll(self, logs: Any, query_id: str) -> dict[str, Any]:
        deadline = self._monotonic() + self.timeout_s
        delay = self.poll_initial_s
        while True:
            # The first look is at once (a small query may be done); then ever less often.
            answer: dict[str, Any] = await logs.get_query_results(queryId=query_id)
            if answer.get("status") in TERMINAL:
                self._count_bytes(answer)
                return answer
            if self._monotonic() >= deadline:
                raise QueryTimedOut(self.timeout_s)
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, self.poll_max_s)
