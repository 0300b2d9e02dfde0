"""One metric pass, in one straight line: plan → queries → fetch → store → price → trip-wire.

While the first function list is still loading, passes read only the functions never read
(`new_only`, as the logs do): the pages already listed get their numbers while the later pages
load, and the pass right after the last page reads just what those pages added."""

from __future__ import annotations

from lambdatop.aws.metric_queries import CANARY_SET, QueryBuilder
from lambdatop.collector.cadence import plan_tiers
from lambdatop.collector.canaries import alias_versions, weighted_aliases
from lambdatop.collector.context import CollectorContext, RegionCollector, record_failure
from lambdatop.collector.metric_plan import (
    function_queries,
    plan_metric_pass,
    quiet,
    steady_fleet_queries,
)
from lambdatop.collector.metric_store import forget_unread, note_failed_targets, store_answers
from lambdatop.collector.region_state import Timed


async def refresh_metrics(ctx: CollectorContext, region: RegionCollector, everything: bool = False) -> None:
    listed = region.listed_once
    try:
        await _metric_pass(ctx, region, everything, new_only=not everything and (not listed or region.metrics_catch_up))
    finally:
        if listed:
            region.metrics_catch_up = False  # caught up: every listed function was asked for


async def _metric_pass(ctx: CollectorContext, region: RegionCollector, everything: bool, new_only: bool) -> None:
    state = region.state
    start, end = ctx.window()
    mono = ctx.clock.monotonic()
    plan = plan_metric_pass(ctx, region, everything, mono, new_only)
    if new_only and not (plan.hot or plan.fleet) and region.fetched_full:
        return  # nothing listed since the last look: no call, no news
    try:
        answer = await region.metrics.fetch(plan.queries, start, end, mono)
        now = ctx.clock.now()
        if plan.new_window:
            # What the new window's answers leave out (a refused p99, the sparkline of a row
            # no longer on screen) is unknown now, not the old window's number.
            state.metrics.clear()
            state.series.clear()
            state.canary_metrics.clear()
        state.metrics_window_min = ctx.window_minutes
        state.metrics_window = (start, end)
        answered = [q for q in plan.queries if q.id not in answer.failed]
        store_answers(state, answered, answer.series, start, ctx.window_minutes, now)
        forget_unread(state, answered)
        failed_functions = note_failed_targets(state, plan.queries, answer.failed, answered, now)
        for arn in plan.probed:
            if arn not in failed_functions and quiet(region, arn):
                state.metrics[arn]["errors"] = Timed(0.0, now)  # no invocation, no error
        # A probe that found invocations has no error count yet: read it now, so a function
        # that just woke up failing is judged on this pass, not at the next fleet one.
        woke = [a for a in plan.probed if a not in failed_functions and not quiet(region, a)]
        if woke:
            follow_up = QueryBuilder()
            for arn in woke:
                function_queries(follow_up, region, arn, ("errors",), ctx.window_minutes * 60)
            more = await region.metrics.fetch(follow_up.queries, start, end, mono)
            answered_more = [q for q in follow_up.queries if q.id not in more.failed]
            store_answers(state, answered_more, more.series, start, ctx.window_minutes, now)
            failed_functions |= note_failed_targets(state, follow_up.queries, more.failed, answered_more, now)
    except Exception as exc:
        record_failure(ctx, region, "metrics", exc)
        return
    region.fetched_full.update(a for a in (*plan.hot, *plan.fleet) if a not in failed_functions)
    state.source("metrics").succeeded(now)
    percentiles = state.source("percentiles")
    if answer.percentile_error:
        percentiles.failed(now, answer.percentile_error, True)
    else:
        percentiles.succeeded(now)
    if plan.fleet_due:
        region.last_fleet_at = mono
        region.trip_wire.after_fleet_pass(state)
    # Forced passes are priced too: at the rate they happened over the last hour.
    region.plan = plan_tiers(
        ctx.cadence,
        plan.trip_wire_queries,
        plan.hot_queries,
        steady_fleet_queries(region, plan.hot),
        forced_per_hour=region.trip_wire.forced_per_hour(mono),
        logs_usd_per_hour=region.logs_usd_per_hour,
    )
    if not plan.fleet_due and region.trip_wire.excess(state, plan.hot) is not None:
        last = region.last_forced_fleet_at
        if last is None or mono - last >= ctx.cadence.min_forced_fleet_gap_s:
            region.last_forced_fleet_at = mono
            region.last_fleet_at = None
            region.trip_wire.forced(mono)
            await refresh_metrics(ctx, region)


async def refresh_canaries(ctx: CollectorContext, region: RegionCollector) -> None:
    """Per-version figures of the weighted aliases the metric pass could not plan for (CloudWatch
    did not list them), alone: for `--once`, whose metric pass ran before the aliases were read
    (the live loop reads them with its next pass)."""
    state = region.state
    start, end = ctx.window()
    builder = QueryBuilder()
    for arn in state.functions:
        for alias in weighted_aliases(state, arn):
            for version in alias_versions(alias):
                if (arn, alias.name, version) not in state.canary_metrics:
                    name = state.functions[arn].name
                    builder.canary(arn, name, alias.name, version, CANARY_SET, ctx.window_minutes * 60)
    if not builder.queries:
        return
    try:
        answer = await region.metrics.fetch(builder.queries, start, end, ctx.clock.monotonic())
    except Exception as exc:
        record_failure(ctx, region, "metrics", exc)
        return
    now = ctx.clock.now()
    answered = [q for q in builder.queries if q.id not in answer.failed]
    store_answers(state, answered, answer.series, start, ctx.window_minutes, now)
    note_failed_targets(state, builder.queries, answer.failed, answered, now)
