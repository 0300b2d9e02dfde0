"""Cold starts and init durations from REPORT lines: one incremental call to the logs reader per
pass. Log groups shared by several functions are skipped: their lines cannot be told apart.

While the first function list is still loading, passes read only the log groups never read
before (`new_only`): the pages already listed get their cold starts while the later pages load,
instead of all of them after the last page, and no group is read twice for it."""

from __future__ import annotations

from lambdatop.collector.context import CollectorContext, RegionCollector, record_failure
from lambdatop.model.cost import DEFAULT_PRICES, GIB


async def refresh_logs(ctx: CollectorContext, region: RegionCollector) -> None:
    # While listing, and once more right after (for the last pages): only the groups never read.
    listed = region.listed_once
    try:
        await _logs_pass(ctx, region, new_only=not listed or region.logs_catch_up)
    finally:
        if listed:
            region.logs_catch_up = False  # caught up: every listed group was asked for


async def _logs_pass(ctx: CollectorContext, region: RegionCollector, new_only: bool) -> None:
    state = region.state
    start, end = ctx.window()
    groups = state.log_groups()
    own = sorted(group for group, arns in groups.items() if len(arns) == 1)
    if state.logs_window_min not in (None, ctx.window_minutes):
        new_only = False  # another window: every group needs its other minutes
    query_only = region.logs.never_read(own) if new_only else None
    if query_only == [] and state.cold_starts:
        return  # nothing new listed since the last look: no call, no news
    try:
        result = await region.logs.read(own, start, end, ctx.clock.now(), query_only=query_only)
    except Exception as exc:
        record_failure(ctx, region, "logs", exc)
        return
    now = ctx.clock.now()
    if state.logs_window_min != ctx.window_minutes:
        state.cold_starts.clear()  # figures over another window are not these
    for group in set(state.cold_starts) - set(own):
        del state.cold_starts[group]
    for group, stats in result.stats.items():
        state.cold_starts[group] = (stats, now)
    for group in result.missing:
        state.cold_starts[group] = (None, now)  # no log group: no data, not zero
    state.logs_window_min = ctx.window_minutes
    state.logs_path = result.path
    hourly_bytes = region.logs.hourly_bytes_estimate(ctx.cadence.logs_s)
    if result.path == "filter":
        region.logs_usd_per_hour = 0.0  # FilterLogEvents is not priced per byte
    elif hourly_bytes is not None:
        region.logs_usd_per_hour = hourly_bytes / GIB * DEFAULT_PRICES.logs_insights_gib_scanned
    if result.failure is not None:
        state.source("logs").failed(now, result.failure.reason, result.failure.unsupported)
        if result.failure.kind == "credentials":
            ctx.on_credentials(result.failure)
    else:
        state.source("logs").succeeded(now)
