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
        state.queue_failures.pop(arn, None)
    # A queue that cannot be read keeps its last depth and marks only its own functions stale.
    for arn, failure in result.failures.items():
        since = state.queue_failures.get(arn, (failure.reason, now))[1]
        state.queue_failures[arn] = (failure.reason, since)
    for gone in set(state.queue_failures) - set(arns):
        del state.queue_failures[gone]
    expired = [f for f in result.failures.values() if f.kind == "credentials"]
    if expired:
        ctx.on_credentials(expired[0])
    source = state.source("queues")
    if result.failures and not result.depth:
        first = next(iter(result.failures.values()))
        source.failed(now, f"{len(result.failures)} queue(s): {first.reason}")
    else:
        source.succeeded(now)
