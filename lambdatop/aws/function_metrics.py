"""One function's CloudWatch figures for the detail screen: per-minute series and per version.

One GetMetricData call per refresh (fewer than 500 queries): the function's per-minute
counts, concurrency and durations, the account's ClaimedAccountConcurrency, per-version
figures of a weighted alias (dimensions FunctionName + Resource=name:alias +
ExecutedVersion), and the per-minute depth and age of the function's queues. Every query is
a metric requested and priced as such by the shared accountant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lambdatop.aws.metric_queries import MetricQuery, QueryTarget, TargetKind
from lambdatop.aws.metrics import MetricSeries, MetricsReader
from lambdatop.aws.session import ClientPool

# series name -> (metric, statistic)
FUNCTION_SERIES: dict[str, tuple[str, str]] = {
    "invocations": ("Invocations", "Sum"),
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
    "concurrency": ("ConcurrentExecutions", "Maximum"),
    "duration_avg_ms": ("Duration", "Average"),
    "duration_p99_ms": ("Duration", "p99"),
    "iterator_age_ms": ("IteratorAge", "Maximum"),
}
PC_SERIES: dict[str, tuple[str, str]] = {"pc_spillover": ("ProvisionedConcurrencySpilloverInvocations", "Sum")}
VERSION_FIELDS: dict[str, tuple[str, str]] = {
    "invocations": ("Invocations", "Sum"),
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
    "duration_p99_ms": ("Duration", "p99"),
}
QUEUE_SERIES: dict[str, tuple[str, str]] = {
    "depth": ("ApproximateNumberOfMessagesVisible", "Maximum"),
    "oldest_age_s": ("ApproximateAgeOfOldestMessage", "Maximum"),
}


@dataclass
class FunctionMetrics:
    minutes: list[datetime] = field(default_factory=list)
    series: dict[str, list[float | None]] = field(default_factory=dict)
    # version -> field -> value over the whole window
    versions: dict[str, dict[str, float | None]] = field(default_factory=dict)
    # queue ARN -> series name -> per-minute values
    queues: dict[str, dict[str, list[float | None]]] = field(default_factory=dict)
    percentile_error: str | None = None


def window_minutes(end: datetime, minutes: int) -> list[datetime]:
    """The minute starts of the window ending at `end` (floored to the minute), oldest first."""
    last = end.replace(second=0, microsecond=0)
    return [last - timedelta(minutes=minutes - i) for i in range(minutes)]


class FunctionMetricsReader:
    def __init__(self, pool: ClientPool, region: str) -> None:
        self.reader = MetricsReader(pool, region)

    async def read(
        self,
        name: str,
        *,
        end: datetime,
        minutes: int,
        alias: str | None,
        versions: Sequence[str],
        queue_arns: Sequence[str],
        with_pc: bool,
        now_monotonic: float,
    ) -> FunctionMetrics:
        grid = window_minutes(end, minutes)
        queries: list[MetricQuery] = []

        def add(
            target: QueryTarget,
            ns: str,
            metric: str,
            dims: tuple[tuple[str, str], ...],
            stat: str,
            period: int,
        ) -> None:
            queries.append(MetricQuery(f"q{len(queries)}", ns, metric, dims, stat, period, target))

        fn = (("FunctionName", name),)
        for key, (metric, stat) in {**FUNCTION_SERIES, **(PC_SERIES if with_pc else {})}.items():
            add(QueryTarget(TargetKind.SERIES, "", key), "AWS/Lambda", metric, fn, stat, 60)
        claimed = QueryTarget(TargetKind.SERIES, "", "claimed_account")
        add(claimed, "AWS/Lambda", "ClaimedAccountConcurrency", (), "Maximum", 60)
        if alias:
            for version in versions:
                dims = (*fn, ("Resource", f"{name}:{alias}"), ("ExecutedVersion", version))
                for key, (metric, stat) in VERSION_FIELDS.items():
                    target = QueryTarget(TargetKind.CANARY, version, key, alias=alias, version=version)
                    add(target, "AWS/Lambda", metric, dims, stat, minutes * 60)
        for arn in queue_arns:
            queue = (("QueueName", arn.rsplit(":", 1)[-1]),)
            for key, (metric, stat) in QUEUE_SERIES.items():
                add(QueryTarget(TargetKind.QUEUE, arn, key), "AWS/SQS", metric, queue, stat, 60)

        start = grid[0]
        stop = grid[-1] + timedelta(minutes=1)
        answer = await self.reader.fetch(queries, start, stop, now_monotonic)
        out = FunctionMetrics(minutes=grid, percentile_error=answer.percentile_error)
        for query in queries:
            got = answer.series.get(query.id)
            target = query.target
            if target.kind is TargetKind.SERIES:
                out.series[target.field] = _on_grid(got, grid)
            elif target.kind is TargetKind.CANARY:
                out.versions.setdefault(target.key, {})[target.field] = _whole(got, query.stat)
            else:
                out.queues.setdefault(target.key, {})[target.field] = _on_grid(got, grid)
        return out


def _on_grid(series: MetricSeries | None, grid: list[datetime]) -> list[float | None]:
    """Values per grid minute; a minute with no datapoint is None (no data), not 0."""
    if series is None:
        return [None] * len(grid)
    by_minute = {t.replace(second=0, microsecond=0): v for t, v in zip(series.timestamps, series.values, strict=False)}
    return [by_minute.get(m) for m in grid]


def _whole(series: MetricSeries | None, stat: str) -> float | None:
    """A window-long bucket's value; Sum with no datapoint means nothing happened (0)."""
    if series is None or not series.complete:
        return None
    if not series.values:
        return 0.0 if stat == "Sum" else None
    return series.total() if stat == "Sum" else series.values[-1]
