"""One function's log lines for the detail screen: error lines and REPORT lines.

Error, timeout and crash lines come from a Logs Insights query over this function's group
(one group, a `limit`, so the scan stays small); when Insights is unusable (an endpoint
that ignores `filter`, a failed query) they come from FilterLogEvents instead. Either way
the lines are checked client-side, so an endpoint that ignores the filter cannot pass
ordinary lines off as errors. A query that is started is always stopped (`finally`), even
when the refresh is cancelled halfway.

REPORT lines (cold starts, init durations, SnapStart restores) come from FilterLogEvents
with a pattern, bounded in pages. Both readers are meant to be called incrementally: the
refresher asks only for the minutes since its last read.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lambdatop.aws.errors import error_code
from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.session import ClientPool
from lambdatop.model.cold_start_attribution import TimedReport
from lambdatop.model.reports import parse_report_line
from lambdatop.model.signatures import ErrorLine

ERROR_LINE_LIMIT = 500
MAX_FILTER_PAGES = 10
FILTER_PAGE_SIZE = 10_000
_ERROR_REGEX = r'ERROR|Task timed out|Status: timeout|"status":"timeout"|Runtime exited|Runtime\.ExitError'
ERROR_QUERY = (
    "fields @timestamp, @message, @logStream, @requestId"
    f" | filter @message like /{_ERROR_REGEX}/"
    f" | sort @timestamp desc | limit {ERROR_LINE_LIMIT}"
)
_ERROR_PATTERN = re.compile(_ERROR_REGEX)
# FilterLogEvents patterns: a term pattern for text groups, a JSON pattern for JSON ones.
ERROR_FILTER = {"Text": '?ERROR ?"Task timed out" ?"Status: timeout" ?"Runtime exited"', "JSON": "?ERROR ?timeout"}
REPORT_FILTER = {"Text": '"REPORT RequestId"', "JSON": '{ $.type = "platform.report" }'}


class NoLogGroup(Exception):
    """The function has never logged (no log group): no data, not a failure."""


def is_error_line(message: str) -> bool:
    """An application ERROR line, a timeout, or a runtime crash (not an ordinary REPORT)."""
    if not _ERROR_PATTERN.search(message):
        return False
    stripped = message.lstrip()
    if stripped.startswith("REPORT ") and "Status: timeout" not in stripped:
        return False
    return not ('"platform.report"' in stripped and '"status":"timeout"' not in stripped)


@dataclass
class ErrorRead:
    lines: list[ErrorLine] = field(default_factory=list)
    source: str = "insights"  # or "filter"
    bytes_scanned: int = 0


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _stamp(value: object) -> datetime | None:
    """Insights' `YYYY-MM-DD HH:MM:SS.mmm` (UTC) or epoch milliseconds as a string."""
    text = str(value or "")
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    except ValueError:
        return None


class FunctionLogReader:
    def __init__(
        self,
        pool: ClientPool,
        region: str,
        filter_limiter: RateLimiter | None = None,
        poll_interval_s: float = 0.5,
        query_timeout_s: float = 30.0,
    ) -> None:
        self.pool = pool
        self.region = region
        # FilterLogEvents is 5 TPS per account and Region, shared with every other reader.
        self.filter_limiter = filter_limiter or RateLimiter(1.0, burst=2)
        self.poll_interval_s = poll_interval_s
        self.query_timeout_s = query_timeout_s
        self.insights_usable: bool | None = None
        # Set by a FilterLogEvents read that hit MAX_FILTER_PAGES with more to come: the
        # timestamp of the last event read (the next read should start there).
        self.truncated_at: datetime | None = None

    async def error_lines(self, group: str, fmt: str, start: datetime, end: datetime) -> ErrorRead:
        if self.insights_usable is not False:
            try:
                return await self._insights_errors(group, start, end)
            except NoLogGroup:
                raise
            except asyncio.CancelledError:
                raise
            except Exception:
                self.insights_usable = False
        return ErrorRead(await self._filter_errors(group, fmt, start, end), source="filter")

    async def _insights_errors(self, group: str, start: datetime, end: datetime) -> ErrorRead:
        logs = await self.pool.client("logs", self.region)
        try:
            started = await logs.start_query(
                logGroupNames=[group],
                startTime=int(start.timestamp()),
                endTime=max(int(start.timestamp()), int(end.timestamp()) - 1),
                queryString=ERROR_QUERY,
                limit=ERROR_LINE_LIMIT,
            )
        except Exception as exc:
            if error_code(exc) == "ResourceNotFoundException":
                raise NoLogGroup(group) from exc
            raise
        query_id = started["queryId"]
        finished = False
        try:
            deadline = time.monotonic() + self.query_timeout_s
            while True:
                answer = await logs.get_query_results(queryId=query_id)
                status = answer.get("status")
                if status == "Complete":
                    finished = True
                    break
                if status in {"Failed", "Cancelled", "Timeout", "Unknown"}:
                    finished = True
                    raise RuntimeError(f"Insights query {status}")
                if time.monotonic() > deadline:
                    raise TimeoutError("Logs Insights query timed out")
                await asyncio.sleep(self.poll_interval_s)
        finally:
            if not finished:  # a query we started, we stop (cancelled, timed out, failed)
                with contextlib.suppress(Exception):
                    await logs.stop_query(queryId=query_id)
        rows = [{c["field"]: c.get("value") for c in row} for row in answer.get("results", [])]
        if rows and not all("@message" in row for row in rows):
            raise RuntimeError("Insights answered without @message")
        read = ErrorRead(source="insights")
        scanned = (answer.get("statistics") or {}).get("bytesScanned")
        if scanned:
            read.bytes_scanned = int(float(scanned))
            self.pool.accountant.add_bytes_scanned(read.bytes_scanned)
        for row in rows:
            message = str(row.get("@message") or "")
            stamp = _stamp(row.get("@timestamp"))
            if stamp is None or not is_error_line(message):
                continue  # an endpoint that ignores `filter` returns every line
            rid = row.get("@requestId")
            read.lines.append(ErrorLine(stamp, message, str(row.get("@logStream") or ""), str(rid) if rid else None))
        return read

    async def _filter_errors(self, group: str, fmt: str, start: datetime, end: datetime) -> list[ErrorLine]:
        lines: list[ErrorLine] = []
        async for event in self._filter(group, ERROR_FILTER.get(fmt, ERROR_FILTER["Text"]), start, end):
            message = str(event.get("message", ""))
            if is_error_line(message):
                stamp = datetime.fromtimestamp(int(event.get("timestamp", 0)) / 1000, UTC)
                lines.append(ErrorLine(stamp, message, str(event.get("logStreamName", ""))))
        lines.sort(key=lambda ln: ln.timestamp, reverse=True)
        return lines[:ERROR_LINE_LIMIT]

    async def report_lines(self, group: str, fmt: str, start: datetime, end: datetime) -> list[TimedReport]:
        """REPORT lines of [start, end), oldest first; see `truncated_at` for a capped read."""
        out: list[TimedReport] = []
        async for event in self._filter(group, REPORT_FILTER.get(fmt, REPORT_FILTER["Text"]), start, end):
            report = parse_report_line(str(event.get("message", "")))
            if report is not None:
                stamp = datetime.fromtimestamp(int(event.get("timestamp", 0)) / 1000, UTC)
                out.append(TimedReport(stamp, str(event.get("logStreamName", "")), report))
        return out

    async def _filter(self, group: str, pattern: str, start: datetime, end: datetime) -> Any:
        logs = await self.pool.client("logs", self.region)
        token: str | None = None
        self.truncated_at = None
        last_ms: int | None = None
        for _ in range(MAX_FILTER_PAGES):
            kwargs: dict[str, Any] = {
                "logGroupName": group,
                "startTime": _ms(start),
                "endTime": _ms(end) - 1,
                "filterPattern": pattern,
                "limit": FILTER_PAGE_SIZE,
            }
            if token:
                kwargs["nextToken"] = token
            try:
                async with self.filter_limiter:
                    page = await logs.filter_log_events(**kwargs)
            except Exception as exc:
                if error_code(exc) == "ResourceNotFoundException":
                    raise NoLogGroup(group) from exc
                raise
            for event in page.get("events", []):
                last_ms = int(event.get("timestamp", 0))
                yield event
            new_token = page.get("nextToken")
            if not new_token or new_token == token:
                return
            token = new_token
        if last_ms is not None:
            self.truncated_at = datetime.fromtimestamp(last_ms / 1000, UTC)
