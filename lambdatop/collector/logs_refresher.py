"""Cold starts and init durations from REPORT lines: one call to the logs reader per pass."""

from __future__ import annotations

from lambdatop.collector.context import CollectorContext, RegionCollector, record_failure


async def refresh_logs(ctx: CollectorContext, region: RegionCollector) -> None:
    state = region.state
    start, end = ctx.window()
    groups = {config.log_group: config.log_format for config in state.functions.values()}
    if not groups:
        state.source("logs").succeeded(ctx.clock.now())
        return
    try:
        result = await region.logs.fetch(sorted(groups.items()), start, end)
    except Exception as exc:
        record_failure(ctx, region, "logs", exc)
        return
    now = ctx.clock.now()
    for group, stats in result.stats.items():
        state.cold_starts[group] = (stats, now)
    for group in result.missing_groups:
        state.cold_starts[group] = (None, now)  # no log group: no data, not zero
    state.logs_window_min = ctx.window_minutes
    if result.failure is not None:
        state.source("logs").failed(now, result.failure.reason, result.failure.unsupported)
        if result.failure.kind == "credentials":
            ctx.on_credentials(result.failure)
    else:
        state.source("logs").succeeded(now)
