"""Which metrics one pass reads: the trip-wire, the hot tier and, when due, the fleet tier.

Pure planning over what the Region state already knows; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lambdatop.aws.metric_queries import FLEET_SHORT_SET, FULL_SET, QUIET_PROBE, MetricQuery, QueryBuilder
from lambdatop.collector.context import CollectorContext, RegionCollector
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


def function_queries(
    builder: QueryBuilder, region: RegionCollector, arn: str, fields: tuple[str, ...], period_s: int
) -> None:
    state = region.state
    extra: tuple[str, ...] = ()
    if fields == FULL_SET:
        if state.has_stream_source(arn):
            extra += ("iterator_age_max_ms",)
        if state.failure_queues(arn):
            extra += ("async_events_dropped",)
    builder.function(arn, state.functions[arn].name, fields + extra, period_s)


def is_troubled(region: RegionCollector, arn: str) -> bool:
    return health(function_row(region.state, arn, None)).level in {"warn", "crit", "stopped"}


def fleet_due(ctx: CollectorContext, region: RegionCollector, everything: bool, mono: float) -> bool:
    if everything or region.last_fleet_at is None:
        return True
    period = region.plan.fleet_s if region.plan else ctx.cadence.fleet_s
    return mono - region.last_fleet_at >= period


def plan_metric_pass(ctx: CollectorContext, region: RegionCollector, everything: bool, mono: float) -> MetricPlan:
    state = region.state
    window_s = ctx.window_minutes * 60
    new_window = state.metrics_window_min != ctx.window_minutes
    everything = everything or new_window
    due = fleet_due(ctx, region, everything, mono)
    hot = {a for a in state.functions if a in ctx.visible or is_troubled(region, a)}
    builder = QueryBuilder()
    builder.account(state.region, ACCOUNT_FIELDS, window_s)
    account_n = len(builder.queries)
    for arn in sorted(hot):
        function_queries(builder, region, arn, FULL_SET, window_s)
        if arn in ctx.visible:
            builder.invocations_series(arn, state.functions[arn].name)
    hot_n = len(builder.queries) - account_n
    fleet = {a: fleet_fields(region, a, everything) for a in state.functions if a not in hot} if due else {}
    for arn, fields in fleet.items():
        function_queries(builder, region, arn, fields, window_s)
    before_queues_n = len(builder.queries)
    for queue_arn in sorted(state.all_queue_arns()):
        if queue_arn.startswith("arn:aws:sqs:"):
            builder.queue_age(queue_arn, 60)
    # DLQ ages are account-wide and read every pass: priced with the trip-wire.
    trip_wire_n = account_n + len(builder.queries) - before_queues_n
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


def unexplained_trouble(region: RegionCollector) -> bool:
    """Account-level errors/throttles that the per-function numbers we hold do not account for.

    Hot rows were just read, fleet rows as of the last fleet pass. Comparing with all of them,
    not the hot rows alone, keeps a fleet function's known background errors (too few to make
    it hot) from pulling the fleet tier forward every pass; new errors anywhere still do.
    """
    state = region.state
    for name in ("errors", "throttles"):
        account = state.account_metrics.get(name)
        if account is None or account.value is None:
            continue
        explained = sum(state.metric(a, name) or 0.0 for a in state.functions)
        if account.value - explained > 0.5:
            return True
    return False
