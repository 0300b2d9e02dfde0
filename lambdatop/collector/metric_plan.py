"""Which metrics one pass reads: the trip-wire, the hot tier and, when due, the fleet tier.

Pure planning over what the Region state already knows; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lambdatop.aws.metric_queries import (
    CANARY_SET,
    FLEET_SHORT_SET,
    FULL_SET,
    QUIET_PROBE,
    MetricQuery,
    QueryBuilder,
)
from lambdatop.collector.canaries import canary_targets
from lambdatop.collector.context import CollectorContext, RegionCollector
from lambdatop.collector.region_state import RegionState
from lambdatop.collector.rows import function_row
from lambdatop.model.health import health

ACCOUNT_FIELDS = (
    "concurrent_executions_max",
    "claimed_account_concurrency_max",
    "unreserved_concurrent_executions_max",
    "invocations",
    "errors",
    "throttles",
)


@dataclass
class MetricPlan:
    queries: list[MetricQuery]
    hot: set[str]
    fleet: dict[str, tuple[str, ...]]  # function -> what the fleet tier reads of it
    fleet_due: bool
    new_window: bool  # numbers over another window must not mix with these
    trip_wire_queries: int  # priced every pass, with the hot tier
    hot_queries: int
    probed: list[str] = field(default_factory=list)


def quiet(region: RegionCollector, arn: str) -> bool:
    """No invocation and no throttle in the window, as far as the last read knows."""
    state = region.state
    return state.metric(arn, "invocations") == 0 and state.metric(arn, "throttles") == 0


def fleet_fields(region: RegionCollector, arn: str, everything: bool) -> tuple[str, ...]:
    """What the fleet tier reads for a function: everything once, then counts; a probe when quiet."""
    if everything or arn not in region.fetched_full:
        return FULL_SET
    return QUIET_PROBE if quiet(region, arn) else FLEET_SHORT_SET


def may_drop_async_events(state: RegionState, arn: str) -> bool:
    """Any function with async traffic can drop events, with or without a DLQ; CloudWatch
    lists AsyncEventsReceived for those (until it has answered, every function counts)."""
    if state.evidence is None or state.failure_queues(arn):
        return True
    return state.functions[arn].name in state.evidence.async_functions


def has_destination(state: RegionState, arn: str) -> bool:
    known = state.knowledge.get(arn)
    return bool(known and known.destinations and known.destinations.value)


def signal_fields(state: RegionState, arn: str) -> tuple[str, ...]:
    """Lost-event signals, read with the counts wherever they can be non-zero."""
    fields: tuple[str, ...] = ()
    if may_drop_async_events(state, arn):
        fields += ("async_events_dropped",)
    if state.functions[arn].dead_letter_arn:
        fields += ("dead_letter_errors",)
    if has_destination(state, arn):
        fields += ("destination_delivery_failures",)
    return fields


def function_queries(
    builder: QueryBuilder, region: RegionCollector, arn: str, fields: tuple[str, ...], period_s: int
) -> None:
    state = region.state
    extra: tuple[str, ...] = ()
    if fields == FULL_SET and state.has_stream_source(arn):
        extra += ("iterator_age_max_ms",)
    if fields in (FULL_SET, FLEET_SHORT_SET):
        extra += signal_fields(state, arn)
    name = state.functions[arn].name
    builder.function(arn, name, fields + extra, period_s)
    if fields != QUIET_PROBE:
        # Each version behind a weighted alias, in the same batched calls (issue 9: the canary).
        for alias, version in canary_targets(state, arn):
            builder.canary(arn, name, alias, version, CANARY_SET, period_s)


def is_troubled(region: RegionCollector, arn: str) -> bool:
    state = region.state
    if arn not in state.metrics and arn not in state.knowledge:
        return False  # never read yet: the pass about to read it judges it next time
    return health(function_row(state, arn, None)).level in {"warn", "crit", "stopped"}


def fleet_due(ctx: CollectorContext, region: RegionCollector, everything: bool, mono: float) -> bool:
    if everything or region.last_fleet_at is None:
        return True
    period = region.plan.fleet_s if region.plan else ctx.cadence.fleet_s
    return mono - region.last_fleet_at >= period


def plan_metric_pass(
    ctx: CollectorContext, region: RegionCollector, everything: bool, mono: float, new_only: bool = False
) -> MetricPlan:
    """`new_only`: the functions never read in full, and only those (the first listing is
    still loading); it stands for their fleet pass."""
    state = region.state
    window_s = ctx.window_minutes * 60
    new_window = state.metrics_window_min != ctx.window_minutes
    everything = everything or new_window
    new_only = new_only and not new_window  # a new window's numbers start from nothing: read all
    due = new_only or fleet_due(ctx, region, everything, mono)
    candidates = [a for a in state.functions if not (new_only and a in region.fetched_full)]
    hot = {a for a in candidates if a in ctx.visible or is_troubled(region, a)}
    builder = QueryBuilder()
    # While listing, passes come every few hundred ms: the account-wide figures once is enough
    # (each is a scan over every function's datapoints for CloudWatch).
    if not (new_only and state.account_metrics):
        builder.account(state.region, ACCOUNT_FIELDS, window_s)
    account_n = len(builder.queries)
    for arn in sorted(hot):
        function_queries(builder, region, arn, FULL_SET, window_s)
        if arn in ctx.visible:
            builder.invocations_series(arn, state.functions[arn].name)
    hot_n = len(builder.queries) - account_n
    # A function never read (new, or its read failed) is read now, fleet pass due or not.
    unread = candidates if due else [a for a in candidates if a not in region.fetched_full]
    fleet = {a: fleet_fields(region, a, everything) for a in unread if a not in hot}
    for arn, fields in fleet.items():
        function_queries(builder, region, arn, fields, window_s)
    queue_arns = [q for q in sorted(state.all_queue_arns()) if q.startswith("arn:aws:sqs:")]
    for queue_arn in queue_arns:
        if not (new_only and queue_arn in state.queue_age):
            builder.queue_age(queue_arn, 60)
    # DLQ ages are account-wide and read every pass: priced with the trip-wire (at what a regular
    # pass reads, also after a pass that skipped what it had just read).
    trip_wire_n = len(ACCOUNT_FIELDS) + len(queue_arns)
    return MetricPlan(
        queries=builder.queries,
        hot=hot,
        fleet=fleet,
        fleet_due=due,
        new_window=new_window,
        trip_wire_queries=trip_wire_n,
        hot_queries=hot_n,
        probed=[a for a, fields in fleet.items() if fields == QUIET_PROBE],
    )


def steady_fleet_queries(region: RegionCollector, hot: set[str]) -> int:
    """What the fleet tier reads from now on: the first pass reads every function in full once,
    which is not what every fleet period costs."""
    return sum(len(fleet_fields(region, a, everything=False)) for a in region.state.functions if a not in hot)
