"""The one Logs Insights query lambdatop runs for cold starts, and how its rows become minutes.

One query reads text and JSON REPORT records alike, whatever `LoggingConfig.LogFormat` says
(a function may log JSON while its configuration says Text, or switch inside the window):
- text: `@type = "REPORT"`, init duration in the discovered `@initDuration`;
- JSON: `type = "platform.report"`, init duration in `record.metrics.initDurationMs`.
It counts REPORT lines per log group and minute, grouped also by the init duration, so warm
lines come back as one row per minute (`init` 0: the coalesce default, so no line depends on how
Insights groups a missing field) and cold ones with their exact value and multiplicity:
p50/p99/max stay exact when minutes from several reads are merged. SnapStart
restores (`Restore Duration` / `restoreDurationMs`) are summed per row.

One query, not two: Insights bills every byte of the time range per query, so a second query
over the same minutes would double the bill.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from lambdatop.model.report_buckets import MinuteReports

COLD_START_QUERY = (
    'filter @type = "REPORT" or type = "platform.report"\n'
    "| fields coalesce(@initDuration, record.metrics.initDurationMs, 0) as init\n"
    '| stats count(*) as reports, sum(strcontains(@message, "Restore Duration")) as text_restores,'
    ' sum(strcontains(@message, "restoreDurationMs")) as json_restores by @log, bin(1m), init'
)
MINUTE_FIELD = "bin(1m)"
MAX_ROWS = 10_000  # rows one query returns (without pagination)
MAX_GROUPS_PER_QUERY = 50
# Leave room in the row limit for one row per distinct init duration (cold starts).
GROUP_MINUTE_ROWS = 5_000


class InsightsUnusable(Exception):
    """Insights answered, but not with the statistics asked for (plain moto returns raw rows)."""


def groups_per_query(minutes: int) -> int:
    """How many log groups one query may cover for `minutes` minutes within the row limit."""
    return max(1, min(MAX_GROUPS_PER_QUERY, GROUP_MINUTE_ROWS // max(1, minutes)))


def minutes_from_rows(rows: Iterable[Mapping[str, str]]) -> dict[str, dict[int, MinuteReports]]:
    """log group -> epoch minute -> what the query found there. Raises InsightsUnusable when
    the rows are not the statistics asked for."""
    found: dict[str, dict[int, MinuteReports]] = {}
    for row in rows:
        log, minute_text, reports_text = row.get("@log"), row.get(MINUTE_FIELD), row.get("reports")
        if log is None or minute_text is None or reports_text is None:
            raise InsightsUnusable("Insights returned no statistics")
        group = log.split(":", 1)[-1]  # "<account>:<group>"
        minute = _minute(minute_text)
        reports = int(_number(reports_text))
        restores = int(_number(row.get("text_restores")) + _number(row.get("json_restores")))
        init_text = row.get("init")
        inits: tuple[float, ...] = ()
        init_ms = _number(init_text)
        if init_ms > 0:  # 0 is the query's coalesce default: a warm start
            inits = (init_ms,) * reports
        bucket = MinuteReports(reports, restores, inits)
        minutes = found.setdefault(group, {})
        minutes[minute] = minutes[minute] + bucket if minute in minutes else bucket
    return found


@functools.lru_cache(maxsize=4096)  # a pass's rows share a few hundred buckets at most
def _minute(text: str) -> int:
    """`2026-11-29 13:04:00.000` (UTC) as an epoch minute."""
    stamp = text.strip()[:19]
    try:
        if len(stamp) != 19:
            raise ValueError(stamp)
        at = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    except ValueError as error:
        raise InsightsUnusable(f"unexpected time bucket {text[:30]!r}") from error
    return int(at.timestamp()) // 60


def _number(text: str | None) -> float:
    if text in (None, ""):
        return 0.0
    try:
        return float(text)  # type: ignore[arg-type]
    except ValueError as error:
        raise InsightsUnusable(f"unexpected number {text[:30]!r}") from error
