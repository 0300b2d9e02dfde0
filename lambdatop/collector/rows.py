"""How what the collector knows about a Region becomes the snapshot's rows and summary."""

from __future__ import annotations

from datetime import datetime

from lambdatop.collector.canaries import canary_rows
from lambdatop.collector.region_state import RegionState
from lambdatop.model.snapshot import AliasRow, FunctionRow, QueueRow, RegionSummary


def function_row(state: RegionState, arn: str, metric_stale_after: datetime | None) -> FunctionRow:
    config = state.functions[arn]
    known = state.knowledge.get(arn)
    basics = known.basics.value if known and known.basics else None
    stale: list[str] = []
    # A source down as a whole makes every row's figures from it stale; queues only the rows
    # that have one (a function without a failure queue has nothing there to be stale).
    failure_queues = state.failure_queues(arn)
    has_queue = bool(failure_queues)
    for name in ("inventory", "provisioned", "metrics", "percentiles", "logs", "queues"):
        source = state.sources.get(name)
        if source is not None and source.ok is False and (name != "queues" or has_queue):
            stale.append(name)
    # Never read, or a part's last read failed: the last good values stay, marked stale.
    if (basics is None or (known is not None and known.failures)) and "inventory" not in stale:
        stale.append("inventory")
    # Read once per row: a snapshot builds every row, several times a second at start.
    fields = state.metrics.get(arn) or {}
    metrics_at = min(t.at for t in fields.values()) if fields else None
    if "metrics" not in stale and (
        metrics_at is None
        or arn in state.metric_failures  # its call failed: the last numbers, kept, are stale
        or (metric_stale_after is not None and metrics_at < metric_stale_after)
    ):
        stale.append("metrics")
    logs_entry = state.cold_starts.get(config.log_group)
    shared_group = state._group_sizes.get(config.log_group, 1) > 1
    stats = logs_entry[0] if logs_entry and not shared_group else None
    # A shared group is not read (its lines cannot be told apart): no figure, not stale.
    if logs_entry is None and not shared_group and "logs" not in stale:
        stale.append("logs")

    queues = []
    for queue_arn, kind in failure_queues:
        depth = state.queue_depth.get(queue_arn)
        age = state.queue_age.get(queue_arn)
        queues.append(
            QueueRow(
                arn=queue_arn,
                kind=kind,
                depth=int(depth.value) if depth and depth.value is not None else None,
                oldest_age_s=age.value if age else None,
            )
        )
        unread = depth is None or queue_arn in state.queue_failures
        if queue_arn.startswith("arn:aws:sqs:") and unread and "queues" not in stale:
            stale.append("queues")

    def value(name: str) -> float | None:
        timed = fields.get(name)
        return timed.value if timed else None

    def count(name: str) -> int | None:
        figure = value(name)
        return round(figure) if figure is not None else None

    aliases: tuple[AliasRow, ...] = ()
    if known and known.aliases:
        aliases = tuple(
            AliasRow(name=a.name, version=a.version, weights=dict(a.weights), revision_id=a.revision_id)
            for a in known.aliases.value
        )
    return FunctionRow(
        arn=arn,
        name=config.name,
        account_id=state.account_id or arn.split(":")[4],
        region=state.region,
        runtime=config.runtime,
        architecture=config.architecture,
        memory_mb=config.memory_mb,
        timeout_s=config.timeout_s,
        log_group=config.log_group,
        log_format=config.log_format,
        tracing_mode=config.tracing_mode,
        last_modified=config.last_modified,
        tags=dict(basics.tags) if basics else {},
        reserved_concurrency=basics.reserved_concurrency if basics else None,
        provisioned_concurrency=known.provisioned.value if known and known.provisioned else None,
        dlqs=tuple(queues),
        aliases=aliases,
        has_stream_source=state.has_stream_source(arn),
        invocations=count("invocations"),
        errors=count("errors"),
        throttles=count("throttles"),
        concurrency_max=value("concurrency_max"),
        duration_avg_ms=value("duration_avg_ms"),
        duration_p99_ms=value("duration_p99_ms"),
        iterator_age_max_ms=value("iterator_age_max_ms"),
        async_events_dropped=count("async_events_dropped"),
        dead_letter_errors=count("dead_letter_errors"),
        destination_delivery_failures=count("destination_delivery_failures"),
        canaries=canary_rows(state, arn),
        invocations_series=state.series.get(arn, ()),
        reports=stats.reports if stats else None,
        cold_starts=stats.cold_starts if stats else None,
        restores=stats.restores if stats else None,
        init_avg_ms=stats.init_avg_ms if stats else None,
        init_p50_ms=stats.init_p50_ms if stats else None,
        init_p99_ms=stats.init_p99_ms if stats else None,
        init_max_ms=stats.init_max_ms if stats else None,
        metrics_at=metrics_at,
        logs_at=logs_entry[1] if logs_entry else None,
        details_at=known.read_at if known else None,
        stale=tuple(stale),
    )


def region_summary(state: RegionState) -> RegionSummary:
    def value(name: str) -> float | None:
        timed = state.account_metrics.get(name)
        return timed.value if timed else None

    def count(name: str) -> int | None:
        v = value(name)
        return round(v) if v is not None else None

    return RegionSummary(
        account_id=state.account_id,
        region=state.region,
        concurrency_limit=state.limits.concurrency_limit if state.limits else None,
        unreserved_concurrency_limit=(state.limits.unreserved_concurrency_limit if state.limits else None),
        concurrent_executions_max=value("concurrent_executions_max"),
        claimed_account_concurrency_max=value("claimed_account_concurrency_max"),
        unreserved_concurrent_executions_max=value("unreserved_concurrent_executions_max"),
        invocations=count("invocations"),
        errors=count("errors"),
        throttles=count("throttles"),
        profile=state.profile,
    )
