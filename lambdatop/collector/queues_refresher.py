"""Depth of every failure queue (DLQs, on-failure destinations, redrive targets)."""

from __future__ import annotations

from lambdatop.collector.context import CollectorContext, RegionCollector
from lambdatop.collector.region_state import Timed


async def refresh_queues(ctx: CollectorContext, region: RegionCollector) -> None:
    state = region.state
    arns = state.all_queue_arns()
    result = await region.queues.depths(arns)
    now = ctx.clock.now()
    for arn, depth in result.depth.items():
        state.queue_depth[arn] = Timed(float(depth), now)
    if result.failures:
        first = next(iter(result.failures.values()))
        state.source("queues").failed(now, f"{len(result.failures)} queue(s): {first.reason}")
    else:
        state.source("queues").succeeded(now)
