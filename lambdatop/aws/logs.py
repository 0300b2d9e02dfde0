"""Cold starts and init durations from Lambda REPORT lines.

Logs Insights computes the figures server-side (≤ 50 log groups per query). When Insights
is unavailable, denied, throttled, or answers without the stats fields asked for (moto
returns raw rows), the same figures are computed client-side from FilterLogEvents, exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdatop.aws.errors import Failure, classify, error_code
from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.session import ClientPool
from lambdatop.model.reports import ColdStartStats, cold_start_stats, parse_report_line

MAX_GROUPS_PER_QUERY = 50
STATS_FIELDS = ("reports", "cold_starts", "init_avg", "init_p50", "init_p99", "init_max")

_TEXT_QUERY = (
    'filter @type = "REPORT"\n'
    "| stats count(*) as reports, count(@initDuration) as cold_starts,"
    " avg(@initDuration) as init_avg, pct(@initDuration, 50) as init_p50,"
    " pct(@initDuration, 99) as init_p99, max(@initDuration) as init_max by @log"
)
_JSON_QUERY = (
    'filter type = "platform.report"\n'
    "| stats count(*) as reports, count(record.metrics.initDurationMs) as cold_starts,"
    " avg(record.metrics.initDurationMs) as init_avg,"
    " pct(record.metrics.initDurationMs, 50) as init_p50,"
    " pct(record.metrics.initDurationMs, 99) as init_p99,"
    " max(record.metrics.initDurationMs) as init_max by @log"
)
# What FilterLogEvents should pre-select; every event is re-checked client-side anyway.
_FILTER_PATTERN = {"Text": '"REPORT RequestId"', "JSON": '"platform.report"'}


class InsightsUnusable(Exception):
    """Insights answered, but not with the statistics asked for."""


@dataclass
class ColdStartResult:
    stats: dict[str, ColdStartStats] = field(default_factory=dict)  # log group -> stats
    missing_groups: set[str] = field(default_factory=set)  # no such log group: no data
    failure: Failure | None = None  # set when nothing could be read
    used_fallback: bool = False
    bytes_scanned: int = 0


class ColdStartReader:
    def __init__(
        self,
        pool: ClientPool,
        region: str,
        filter_limiter: RateLimiter | None = None,
        poll_interval_s: float = 0.5,
        query_timeout_s: float = 60.0,
    ) -> None:
        self.pool = pool
        self.region = region
        # FilterLogEvents is 5 TPS per account and Region.
        self.filter_limiter = filter_limiter or RateLimiter(4.0, burst=4)
        self.poll_interval_s = poll_interval_s
        self.query_timeout_s = query_timeout_s
        self.insights_usable: bool | None = None
        # Log groups known to exist, learnt only when a query named one that did not
        # (a function that never ran has no log group); refreshed after `groups_ttl_s`.
        self._existing: set[str] | None = None
        self._existing_at = 0.0
        self.groups_ttl_s = 300.0

    async def fetch(
        self, groups: Sequence[tuple[str, str]], start: datetime, end: datetime
    ) -> ColdStartResult:
        """`groups` are (log group name, "Text"|"JSON"). Window [start, end)."""
        result = ColdStartResult()
        wanted = dict(groups)
        if self._existing is not None and time.monotonic() - self._existing_at > self.groups_ttl_s:
            self._existing = None
        if self._existing is not None:
            for name in [n for n in wanted if n not in self._existing]:
                result.missing_groups.add(name)
                del wanted[name]
        by_format: dict[str, list[str]] = {}
        for name, fmt in wanted.items():
            by_format.setdefault("JSON" if fmt == "JSON" else "Text", []).append(name)
        fallback: list[tuple[str, str]] = []
        if self.insights_usable is not False:
            jobs = []
            for fmt, names in by_format.items():
                for i in range(0, len(names), MAX_GROUPS_PER_QUERY):
                    jobs.append((fmt, names[i : i + MAX_GROUPS_PER_QUERY]))
            outcomes = await asyncio.gather(
                *(self._insights(fmt, names, start, end, result) for fmt, names in jobs),
                return_exceptions=True,
            )
            missing_retry: list[tuple[str, list[str]]] = []
            for (fmt, names), outcome in zip(jobs, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    if isinstance(outcome, InsightsUnusable):
                        self.insights_usable = False
                    if error_code(outcome) == "ResourceNotFoundException" and self._existing is None:
                        missing_retry.append((fmt, names))
                    else:
                        fallback.extend((n, fmt) for n in names)
                else:
                    self.insights_usable = True
            if missing_retry:
                fallback.extend(await self._retry_without_missing(missing_retry, start, end, result))
        else:
            fallback = [(n, fmt) for fmt, names in by_format.items() for n in names]
        if fallback:
            result.used_fallback = True
            await self._fallback(fallback, start, end, result)
        return result

    async def _retry_without_missing(
        self, jobs: list[tuple[str, list[str]]], start: datetime, end: datetime, result: ColdStartResult
    ) -> list[tuple[str, str]]:
        """Some named group does not exist: learn which exist, query those, report the rest as no data."""
        try:
            self._existing = await self._existing_groups()
            self._existing_at = time.monotonic()
        except Exception:
            return [(n, fmt) for fmt, names in jobs for n in names]
        fallback: list[tuple[str, str]] = []
        for fmt, names in jobs:
            present = [n for n in names if n in self._existing]
            result.missing_groups.update(n for n in names if n not in self._existing)
            if not present:
                continue
            try:
                await self._insights(fmt, present, start, end, result)
            except Exception:
                fallback.extend((n, fmt) for n in present)
        return fallback

    async def _existing_groups(self) -> set[str]:
        logs = await self.pool.client("logs", self.region)
        names: set[str] = set()
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"logGroupNamePrefix": "/aws/lambda/", "limit": 50}
            if token:
                kwargs["nextToken"] = token
            async with self.filter_limiter:
                page = await logs.describe_log_groups(**kwargs)
            names.update(g["logGroupName"] for g in page.get("logGroups", []))
            new_token = page.get("nextToken")
            if not new_token or new_token == token:
                return names
            token = new_token

    async def _insights(
        self, fmt: str, names: list[str], start: datetime, end: datetime, result: ColdStartResult
    ) -> None:
        logs = await self.pool.client("logs", self.region)
        query = _JSON_QUERY if fmt == "JSON" else _TEXT_QUERY
        started = await logs.start_query(
            logGroupNames=names,
            startTime=int(start.timestamp()),
            # Insights' endTime is inclusive, in seconds; our window is [start, end).
            endTime=int(end.timestamp()) - 1,
            queryString=query,
            limit=10000,
        )
        query_id = started["queryId"]
        deadline = time.monotonic() + self.query_timeout_s
        while True:
            answer = await logs.get_query_results(queryId=query_id)
            status = answer.get("status")
            if status == "Complete":
                break
            if status in {"Failed", "Cancelled", "Timeout", "Unknown"}:
                raise InsightsUnusable(f"query {status}")
            if time.monotonic() > deadline:
                with contextlib.suppress(Exception):  # best effort: moto lacks StopQuery
                    await logs.stop_query(queryId=query_id)
                raise TimeoutError("Logs Insights query timed out")
            await asyncio.sleep(self.poll_interval_s)
        rows = [{cell["field"]: cell.get("value") for cell in row} for row in answer.get("results", [])]
        if rows and not all("@log" in row and "reports" in row for row in rows):
            # moto ignores `stats` and returns raw rows: compute client-side instead.
            raise InsightsUnusable("Insights returned no statistics")
        scanned = (answer.get("statistics") or {}).get("bytesScanned")
        if scanned:
            result.bytes_scanned += int(float(scanned))
            self.pool.accountant.add_bytes_scanned(int(float(scanned)))
        seen: set[str] = set()
        for row in rows:
            group = str(row["@log"]).split(":", 1)[-1]
            seen.add(group)
            result.stats[group] = _stats_from_row(row)
        for name in names:
            if name not in seen:
                # The query covered the group and found no REPORT line in the window.
                result.stats[name] = ColdStartStats(
                    reports=0, cold_starts=0, init_avg_ms=None, init_p50_ms=None,
                    init_p99_ms=None, init_max_ms=None,
                )

    async def _fallback(
        self, groups: list[tuple[str, str]], start: datetime, end: datetime, result: ColdStartResult
    ) -> None:
        outcomes = await asyncio.gather(
            *(self._filter_group(name, fmt, start, end) for name, fmt in groups),
            return_exceptions=True,
        )
        failures: list[Failure] = []
        for (name, _), outcome in zip(groups, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                if error_code(outcome) == "ResourceNotFoundException":
                    result.missing_groups.add(name)
                    continue
                failures.append(classify(outcome))
            else:
                result.stats[name] = outcome
        if failures:
            result.failure = failures[0]

    async def _filter_group(self, name: str, fmt: str, start: datetime, end: datetime) -> ColdStartStats:
        logs = await self.pool.client("logs", self.region)
        reports = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "logGroupName": name,
                "startTime": int(start.timestamp() * 1000),
                "endTime": int(end.timestamp() * 1000) - 1,
                "filterPattern": _FILTER_PATTERN.get(fmt, _FILTER_PATTERN["Text"]),
                "limit": 10000,
            }
            if token:
                kwargs["nextToken"] = token
            async with self.filter_limiter:
                page = await logs.filter_log_events(**kwargs)
            for event in page.get("events", []):
                report = parse_report_line(event.get("message", ""))
                if report is not None:
                    reports.append(report)
            new_token = page.get("nextToken")
            if not new_token or new_token == token:
                break
            token = new_token
        return cold_start_stats(reports)


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _stats_from_row(row: dict[str, Any]) -> ColdStartStats:
    reports = int(_number(row.get("reports")) or 0)
    cold = int(_number(row.get("cold_starts")) or 0)
    has_init = cold > 0
    return ColdStartStats(
        reports=reports,
        cold_starts=cold,
        init_avg_ms=_number(row.get("init_avg")) if has_init else None,
        init_p50_ms=_number(row.get("init_p50")) if has_init else None,
        init_p99_ms=_number(row.get("init_p99")) if has_init else None,
        init_max_ms=_number(row.get("init_max")) if has_init else None,
    )
