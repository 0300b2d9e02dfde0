"""Which CloudWatch queries a refresh needs, as plain data.

Ids follow GetMetricData's rules (lowercase letter first, then letters, digits, '_'), and
each query remembers what it is for, so results map back without string parsing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# What a function needs on screen, cheapest first. Duration p99 is a percentile: some
# endpoints (plain moto) fail the whole call on it, so it is marked and can be dropped.
FLEET_SHORT_SET: tuple[str, ...] = ("invocations", "errors", "throttles")
# For a function that was quiet: errors come only with invocations, throttles without them.
QUIET_PROBE: tuple[str, ...] = ("invocations", "throttles")
FULL_SET: tuple[str, ...] = (
    "invocations",
    "errors",
    "throttles",
    "concurrency_max",
    "duration_avg_ms",
    "duration_p99_ms",
)

# field -> (metric name, statistic)
FUNCTION_METRICS: dict[str, tuple[str, str]] = {
    "invocations": ("Invocations", "Sum"),
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
    "concurrency_max": ("ConcurrentExecutions", "Maximum"),
    # Average over one window-long bucket = total duration / total samples, exactly.
    "duration_avg_ms": ("Duration", "Average"),
    "duration_p99_ms": ("Duration", "p99"),
    "iterator_age_max_ms": ("IteratorAge", "Maximum"),
    "async_events_dropped": ("AsyncEventsDropped", "Sum"),
    "dead_letter_errors": ("DeadLetterErrors", "Sum"),
    "destination_delivery_failures": ("DestinationDeliveryFailures", "Sum"),
}

# What a canary is judged on, per version behind a weighted alias.
CANARY_SET: tuple[str, ...] = ("invocations", "errors", "throttles", "duration_p99_ms")

ACCOUNT_METRICS: dict[str, tuple[str, str]] = {
    "concurrent_executions_max": ("ConcurrentExecutions", "Maximum"),
    "claimed_account_concurrency_max": ("ClaimedAccountConcurrency", "Maximum"),
    "unreserved_concurrent_executions_max": ("UnreservedConcurrentExecutions", "Maximum"),
    "invocations": ("Invocations", "Sum"),
    "errors": ("Errors", "Sum"),
    "throttles": ("Throttles", "Sum"),
}

QUEUE_METRICS: dict[str, tuple[str, str]] = {
    "oldest_age_s": ("ApproximateAgeOfOldestMessage", "Maximum"),
}


class TargetKind(Enum):
    """What a query's answer describes."""

    FUNCTION = "function"  # one figure of a function over the window
    SERIES = "series"  # a function's per-minute invocations
    ACCOUNT = "account"  # one account-level figure of a Region
    QUEUE = "queue"  # a failure queue's age
    CANARY = "canary"  # one figure of one version served through an alias


@dataclass(frozen=True, slots=True)
class QueryTarget:
    """Where an answer goes: `key` is a function ARN, a Region or a queue ARN."""

    kind: TargetKind
    key: str
    field: str
    alias: str | None = None  # CANARY only
    version: str | None = None  # CANARY only


@dataclass(frozen=True, slots=True)
class MetricQuery:
    id: str
    namespace: str
    metric_name: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    period_s: int
    target: QueryTarget

    @property
    def is_percentile(self) -> bool:
        return is_percentile_stat(self.stat)

    def to_api(self) -> dict[str, object]:
        return {
            "Id": self.id,
            "MetricStat": {
                "Metric": {
                    "Namespace": self.namespace,
                    "MetricName": self.metric_name,
                    # Fixed order: some endpoints match dimensions order-sensitively.
                    "Dimensions": [{"Name": n, "Value": v} for n, v in self.dimensions],
                },
                "Period": self.period_s,
                "Stat": self.stat,
            },
            "ReturnData": True,
        }


def is_percentile_stat(stat: str) -> bool:
    """pNN, trimmed/winsorized means, trimmed counts/sums, percentile ranks, IQM: all need raw values."""
    lower = stat.lower()
    if lower[:1] == "p" and lower[1:2].isdigit():
        return True
    return lower.startswith(("tm", "wm", "tc", "ts", "pr(", "iqm"))


class QueryBuilder:
    """Hands out unique, valid ids for one refresh."""

    def __init__(self) -> None:
        self._n = 0
        self.queries: list[MetricQuery] = []

    def _next_id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def function(self, arn: str, name: str, fields: tuple[str, ...], period_s: int) -> None:
        for field_name in fields:
            metric, stat = FUNCTION_METRICS[field_name]
            self.queries.append(
                MetricQuery(
                    id=self._next_id("f"),
                    namespace="AWS/Lambda",
                    metric_name=metric,
                    dimensions=(("FunctionName", name),),
                    stat=stat,
                    period_s=period_s,
                    target=QueryTarget(TargetKind.FUNCTION, arn, field_name),
                )
            )

    def canary(self, arn: str, name: str, alias: str, version: str, fields: tuple[str, ...], period_s: int) -> None:
        """A version's figures through an alias: FunctionName + Resource=name:alias + ExecutedVersion."""
        for field_name in fields:
            metric, stat = FUNCTION_METRICS[field_name]
            self.queries.append(
                MetricQuery(
                    id=self._next_id("c"),
                    namespace="AWS/Lambda",
                    metric_name=metric,
                    dimensions=(("FunctionName", name), ("Resource", f"{name}:{alias}"), ("ExecutedVersion", version)),
                    stat=stat,
                    period_s=period_s,
                    target=QueryTarget(TargetKind.CANARY, arn, field_name, alias, version),
                )
            )

    def invocations_series(self, arn: str, name: str) -> None:
        self.queries.append(
            MetricQuery(
                id=self._next_id("s"),
                namespace="AWS/Lambda",
                metric_name="Invocations",
                dimensions=(("FunctionName", name),),
                stat="Sum",
                period_s=60,
                target=QueryTarget(TargetKind.SERIES, arn, "invocations"),
            )
        )

    def account(self, region: str, fields: tuple[str, ...], period_s: int) -> None:
        for field_name in fields:
            metric, stat = ACCOUNT_METRICS[field_name]
            self.queries.append(
                MetricQuery(
                    id=self._next_id("a"),
                    namespace="AWS/Lambda",
                    metric_name=metric,
                    dimensions=(),
                    stat=stat,
                    period_s=period_s,
                    target=QueryTarget(TargetKind.ACCOUNT, region, field_name),
                )
            )

    def queue_age(self, queue_arn: str, period_s: int) -> None:
        queue_name = queue_arn.rsplit(":", 1)[-1]
        metric, stat = QUEUE_METRICS["oldest_age_s"]
        self.queries.append(
            MetricQuery(
                id=self._next_id("q"),
                namespace="AWS/SQS",
                metric_name=metric,
                dimensions=(("QueueName", queue_name),),
                stat=stat,
                period_s=period_s,
                target=QueryTarget(TargetKind.QUEUE, queue_arn, "oldest_age_s"),
            )
        )
