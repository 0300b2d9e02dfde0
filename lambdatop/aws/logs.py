"""Cold starts, init durations and SnapStart restores from Lambda REPORT lines, read incrementally.

The collector calls `LogsReader.read` once per pass and stores what it returns. The reader keeps,
per log group, the figures of every minute of the window it has read (model.report_buckets), and
each pass asks only for what is missing: the minutes since the last read, plus the provisional
ones (see PROVISIONAL_S), plus the older minutes a longer window now needs.

Path: Logs Insights (one query per ≤ 50 groups sharing a time range, at most
`max_concurrent_queries` in flight). When Insights is unavailable (denied, not offered, or it
answers without statistics) the FilterLogEvents fallback reads the same minutes client-side,
within the 5 TPS limiter and a time budget per pass. A throttled Insights is retried after a
backoff; it never sends the fleet to FilterLogEvents. An unavailable Insights is retried too,
after a longer backoff, instead of being given up for as long as lambdatop runs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from lambdatop.aws.errors import Failure, classify, error_code
from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.logs_filter import read_group
from lambdatop.aws.logs_insights import InsightsRunner, QueryEnded, QueryTimedOut
from lambdatop.aws.logs_query import (
    COLD_START_QUERY,
    MAX_ROWS,
    InsightsUnusable,
    groups_per_query,
    minutes_from_rows,
)
from lambdatop.aws.session import ClientPool
from lambdatop.model.report_buckets import GroupReports, MinuteReports, Range, minute_of, settled_until
from lambdatop.model.reports import ColdStartStats

LogsPath = Literal["insights", "filter"]
# A minute is trusted once it was read at least this long after it ended (Lambda ships logs
# asynchronously and Insights indexes them after ingestion); until then the next pass reads it
# again and replaces it. At the default 120 s cadence each pass reads its 2 new minutes plus
# about 1 provisional one: 1.5 times the bytes written, and a line up to ~1 min late counted.
PROVISIONAL_S = 60.0
THROTTLE_BACKOFF_S = (30.0, 600.0)  # first and longest wait after a throttled query
UNAVAILABLE_BACKOFF_S = (300.0, 1800.0)  # before trying Insights again after it was unusable
EXISTENCE_TTL_S = 300.0  # how long a log group known missing is not asked for
_THROTTLE_CODES = frozenset({"LimitExceededException", "ThrottlingException", "Throttling", "TooManyRequestsException"})
_UNAVAILABLE_CODES = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "UnrecognizedOperation",
        "UnknownOperationException",
        "InvalidAction",
        "NotImplemented",
        "MalformedQueryException",
    }
)


@dataclass
class LogsPass:
    """What one pass learnt. Groups in neither `stats` nor `missing` keep their last figures."""

    stats: dict[str, ColdStartStats] = field(default_factory=dict)  # the whole window, exact
    missing: set[str] = field(default_factory=set)  # no such log group: no data, not zero
    unread: set[str] = field(default_factory=set)  # window not fully read this pass
    failure: Failure | None = None
    path: LogsPath | None = None  # where this pass's numbers came from
    bytes_scanned: int = 0
    group_minutes: int = 0  # log groups × minutes the Insights queries covered


@dataclass(frozen=True, slots=True)
class _Job:
    names: tuple[str, ...]
    start: int  # epoch minutes, [start, end)
    end: int


class _Backoff:
    """A doubling wait between a first and a longest delay, reset by a success."""

    def __init__(self, first_s: float, longest_s: float) -> None:
        self.first_s, self.longest_s = first_s, longest_s
        self.delay_s = 0.0
        self.until = 0.0
        self.reason = ""

    def trip(self, now: float, reason: str) -> None:
        self.delay_s = min(self.longest_s, self.delay_s * 2) if self.delay_s else self.first_s
        self.until, self.reason = now + self.delay_s, reason

    def active(self, now: float) -> bool:
        return now < self.until

    def reset(self) -> None:
        self.delay_s, self.until, self.reason = 0.0, 0.0, ""


class LogsReader:
    def __init__(
        self,
        pool: ClientPool,
        region: str,
        *,
        max_concurrent_queries: int = 4,
        filter_limiter: RateLimiter | None = None,
        poll_initial_s: float = 0.5,
        query_timeout_s: float = 60.0,
        fallback_budget_s: float = 30.0,
        provisional_s: float = PROVISIONAL_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool = pool
        self.region = region
        self.insights = InsightsRunner(
            pool,
            region,
            max_concurrent=max_concurrent_queries,
            poll_initial_s=poll_initial_s,
            timeout_s=query_timeout_s,
            monotonic=monotonic,
        )
        # FilterLogEvents and DescribeLogGroups: 5 TPS each per account and Region, shared.
        self.filter_limiter = filter_limiter or RateLimiter(4.0, burst=4)
        self.fallback_budget_s = fallback_budget_s
        self.provisional_s = provisional_s
        self._monotonic = monotonic
        self.throttled = _Backoff(*THROTTLE_BACKOFF_S)
        self.unavailable = _Backoff(*UNAVAILABLE_BACKOFF_S)
        self.groups: dict[str, GroupReports] = {}
        self._missing: dict[str, float] = {}  # log group -> when it was found missing
        self._last_read: dict[str, float] = {}
        self.path: LogsPath | None = None
        # Cost: bytes per log group and minute of logs, learnt from every query that answered.
        self._bytes_per_group_minute: float | None = None
        self._groups_read = 0

    # ---- the one call per pass -------------------------------------------------------------
    def never_read(self, groups: Sequence[str]) -> list[str]:
        """The groups this reader holds nothing about: neither minutes nor "missing"."""
        return [g for g in groups if g not in self.groups and g not in self._missing]

    async def read(
        self,
        groups: Sequence[str],
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        query_only: Sequence[str] | None = None,
    ) -> LogsPass:
        """Figures over [start, end) for each of `groups` (log groups of one function each).

        `groups` is every group the fleet has (what is not in it is forgotten); `query_only`
        limits this pass's queries to some of them (the pages just listed), the others answer
        from what is held.
        """
        result = LogsPass()
        mono = self._monotonic()
        first, last = minute_of(start), minute_of(end)
        settled = settled_until(now.timestamp(), self.provisional_s)
        wanted = list(dict.fromkeys(groups))
        for gone in set(self.groups) - set(wanted):
            del self.groups[gone]
            self._last_read.pop(gone, None)
        for name, found_at in list(self._missing.items()):
            if mono - found_at > EXISTENCE_TTL_S:
                del self._missing[name]
        result.missing.update(n for n in wanted if n in self._missing)
        needed: dict[tuple[Range, ...], list[str]] = {}
        asked = None if query_only is None else set(query_only)
        to_query = wanted if asked is None else [n for n in wanted if n in asked]
        for name in to_query:
            if name in self._missing:
                continue
            history = self.groups.setdefault(name, GroupReports())
            history.forget_before(first)
            ranges = tuple(history.missing_ranges(first, last))
            if ranges:
                needed.setdefault(ranges, []).append(name)
        jobs = [
            _Job(tuple(names[i : i + size]), lo, hi)
            for ranges, names in needed.items()
            for lo, hi in ranges
            for size in [groups_per_query(hi - lo)]
            for i in range(0, len(names), size)
        ]
        if jobs:
            await self._run(jobs, settled, result)
        for name in wanted:
            held = self.groups.get(name)
            if name in self._missing:
                result.missing.add(name)
            elif held is not None and held.covers(first, last):
                result.stats[name] = held.stats(first, last)
            else:
                result.unread.add(name)
        if result.path is not None:
            self.path = result.path
        else:
            result.path = self.path
        self._learn_cost(result, len(wanted) - len(result.missing))
        return result

    async def _run(self, jobs: list[_Job], settled: int, result: LogsPass) -> None:
        mono = self._monotonic()
        if self.throttled.active(mono):
            wait = self.throttled.until - mono
            result.failure = Failure("throttled", f"Logs Insights throttled; next try in {wait:.0f} s")
            return
        fallback: list[_Job] = []
        if self.unavailable.active(mono):
            fallback = jobs
        else:
            outcomes = await asyncio.gather(
                *(self._insights_job(job, settled, result) for job in jobs), return_exceptions=True
            )
            answered = throttled = False
            for job, outcome in zip(jobs, outcomes, strict=True):
                if isinstance(outcome, asyncio.CancelledError):
                    raise outcome
                if not isinstance(outcome, BaseException):
                    answered = True
                    continue
                code = error_code(outcome)
                if isinstance(outcome, InsightsUnusable) or code in _UNAVAILABLE_CODES:
                    fallback.append(job)
                elif code in _THROTTLE_CODES:
                    throttled = True
                elif isinstance(outcome, QueryEnded | QueryTimedOut):
                    kind = "timeout" if isinstance(outcome, QueryTimedOut) else "error"
                    result.failure = result.failure or Failure(kind, str(outcome))
                else:
                    result.failure = result.failure or classify(outcome)
            now = self._monotonic()
            if throttled:
                # Retry later, through Insights: the groups keep their figures, marked stale.
                self.throttled.trip(now, "throttled")
                result.failure = Failure(
                    "throttled", f"Logs Insights throttled; next try in {self.throttled.delay_s:.0f} s"
                )
            elif answered:
                self.throttled.reset()
            if fallback:
                self.unavailable.trip(now, "unusable")
            elif answered:
                self.unavailable.reset()
        if fallback:
            await self._fallback(fallback, settled, result)

    # ---- Insights ----------------------------------------------------------------------------
    async def _insights_job(self, job: _Job, settled: int, result: LogsPass) -> None:
        names = [n for n in job.names if n not in self._missing]
        if not names:
            return
        try:
            found = await self._query(names, job.start, job.end, result)
        except Exception as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
            # Some named group does not exist (a function that never ran): learn which.
            present = await self._existing(names)
            mono = self._monotonic()
            for name in names:
                if name not in present:
                    self._missing[name] = mono
            names = [n for n in names if n in present]
            if not names:
                return
            found = await self._query(names, job.start, job.end, result)
        self._store(names, job, found, settled)
        result.path = result.path or "insights"

    async def _query(
        self, names: list[str], start: int, end: int, result: LogsPass
    ) -> dict[str, dict[int, MinuteReports]]:
        rows, scanned = await self.insights.run(names, start * 60, end * 60 - 1, COLD_START_QUERY, MAX_ROWS)
        result.bytes_scanned += scanned
        if len(rows) < MAX_ROWS:
            result.group_minutes += len(names) * (end - start)
            return minutes_from_rows(rows)
        # Row limit reached: the answer may be cut. Split the groups, then the time range.
        if len(names) > 1:
            half = len(names) // 2
            parts = await asyncio.gather(
                self._query(names[:half], start, end, result), self._query(names[half:], start, end, result)
            )
        elif end - start > 1:
            middle = (start + end) // 2
            parts = await asyncio.gather(
                self._query(names, start, middle, result), self._query(names, middle, end, result)
            )
        else:
            raise InsightsUnusable("more than 10,000 distinct cold starts in one minute of one group")
        merged: dict[str, dict[int, MinuteReports]] = {}
        for part in parts:
            for group, minutes in part.items():
                merged.setdefault(group, {}).update(minutes)
        return merged

    def _store(self, names: Sequence[str], job: _Job, found: dict[str, dict[int, MinuteReports]], settled: int) -> None:
        mono = self._monotonic()
        for name in names:
            history = self.groups.get(name)
            if history is not None:
                history.store(job.start, job.end, found.get(name, {}), settled)
                self._last_read[name] = mono

    async def _existing(self, names: list[str]) -> set[str]:
        """Which of `names` exist, by exact name (custom LoggingConfig.LogGroup names too)."""
        logs = await self.pool.client("logs", self.region)
        standard = [n for n in names if n.startswith("/aws/lambda/")]
        listings = [n for n in names if n not in standard or len(standard) <= 10]
        if len(standard) > 10:
            listings.append("/aws/lambda/")  # one listing beats many exact look-ups
        present: set[str] = set()
        wanted = set(names)
        for prefix in listings:
            token: str | None = None
            while True:
                kwargs: dict[str, Any] = {"logGroupNamePrefix": prefix, "limit": 50}
                if token:
                    kwargs["nextToken"] = token
                async with self.filter_limiter:
                    page = await logs.describe_log_groups(**kwargs)
                present.update(g["logGroupName"] for g in page.get("logGroups", []) if g["logGroupName"] in wanted)
                new_token = page.get("nextToken")
                if not new_token or new_token == token or prefix != "/aws/lambda/":
                    break  # an exact name sorts first among the names it prefixes
                token = new_token
        return present

    # ---- FilterLogEvents fallback ------------------------------------------------------------
    async def _fallback(self, jobs: list[_Job], settled: int, result: LogsPass) -> None:
        work = [(name, job) for job in jobs for name in job.names if name not in self._missing]
        work.sort(key=lambda item: self._last_read.get(item[0], 0.0))  # longest unread first
        tasks = [asyncio.create_task(self._filter_one(name, job, settled)) for name, job in work]
        if not tasks:
            return
        result.path = "filter"
        done, pending = await asyncio.wait(tasks, timeout=self.fallback_budget_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        failures = [task.exception() for task in done if task.exception() is not None]
        for error in failures:
            assert error is not None
            result.failure = result.failure or classify(error)
        if pending and result.failure is None:
            result.failure = Failure(
                "throttled", f"FilterLogEvents fallback: {len(pending)} group reads left for the next pass"
            )

    async def _filter_one(self, name: str, job: _Job, settled: int) -> None:
        try:
            found = await read_group(self.pool, self.region, self.filter_limiter, name, job.start, job.end)
        except Exception as error:
            if error_code(error) == "ResourceNotFoundException":
                self._missing[name] = self._monotonic()
                return
            raise
        self._store([name], job, {name: found}, settled)

    # ---- cost --------------------------------------------------------------------------------
    def _learn_cost(self, result: LogsPass, groups_read: int) -> None:
        self._groups_read = groups_read
        if result.group_minutes and result.bytes_scanned:
            rate = result.bytes_scanned / result.group_minutes
            previous = self._bytes_per_group_minute
            self._bytes_per_group_minute = rate if previous is None else 0.7 * previous + 0.3 * rate

    def hourly_bytes_estimate(self, period_s: float) -> float | None:
        """Bytes Insights scans per hour in steady state with a pass every `period_s`: each group's
        new minutes plus the provisional ones re-read, at the bytes per group-minute measured.
        None before any query has answered."""
        if self._bytes_per_group_minute is None or period_s <= 0:
            return None
        minutes_per_hour = 60.0 * (period_s + self.provisional_s) / period_s
        return self._bytes_per_group_minute * self._groups_read * minutes_per_hour
