"""The FilterLogEvents fallback: REPORT lines read and counted client-side, exactly.

Used only when Logs Insights is unavailable (denied, not offered by the endpoint, or answering
without statistics), never because Insights is throttled: FilterLogEvents has 5 TPS per account
and Region, shared with `aws logs tail` and every other tool, so every request goes through the
caller's rate limiter.
"""

from __future__ import annotations

from typing import Any

from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.session import ClientPool
from lambdatop.model.report_buckets import MinuteReports
from lambdatop.model.reports import parse_report_line

# Either format, whatever the function's LoggingConfig says; every event is re-checked here.
FILTER_PATTERN = '?"REPORT RequestId" ?"platform.report"'


async def read_group(
    pool: ClientPool, region: str, limiter: RateLimiter, name: str, start_min: int, end_min: int
) -> dict[int, MinuteReports]:
    """Epoch minute -> REPORT figures of log group `name` over [start_min, end_min)."""
    logs = await pool.client("logs", region)
    counts: dict[int, list[int]] = {}
    inits: dict[int, list[float]] = {}
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "logGroupName": name,
            "startTime": start_min * 60_000,
            "endTime": end_min * 60_000 - 1,  # inclusive, in ms
            "filterPattern": FILTER_PATTERN,
            "limit": 10_000,
        }
        if token:
            kwargs["nextToken"] = token
        async with limiter:
            page = await logs.filter_log_events(**kwargs)
        for event in page.get("events") or []:
            report = parse_report_line(str(event.get("message", "")))
            if report is None:
                continue
            minute = int(event.get("timestamp", 0)) // 60_000
            if not start_min <= minute < end_min:
                continue
            tally = counts.setdefault(minute, [0, 0])
            tally[0] += 1
            if report.restore_ms is not None:
                tally[1] += 1
            if report.init_ms is not None:
                inits.setdefault(minute, []).append(report.init_ms)
        new_token = page.get("nextToken")
        if not new_token or new_token == token:
            break
        token = new_token
    return {
        minute: MinuteReports(reports, restores, tuple(inits.get(minute, ())))
        for minute, (reports, restores) in counts.items()
    }
