"""What exists (ListFunctions, event-source mappings) and each function's details."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from lambdatop.aws.errors import Failure, classify
from lambdatop.collector.context import CollectorContext, RegionCollector, guarded

# A failure of one of these kinds is the account's or the network's, not the function's:
# the pass stops instead of failing every remaining function the same way.
PASS_ENDING = frozenset({"throttled", "denied", "credentials", "unreachable"})


async def refresh_inventory(ctx: CollectorContext, region: RegionCollector) -> None:
    state = region.state

    async def work() -> None:
        functions, mappings = await asyncio.gather(
            region.inventory.list_functions(), region.inventory.event_source_mappings()
        )
        listed = {f.arn: f for f in functions}
        for arn, config in listed.items():
            old = state.functions.get(arn)
            if old is not None and old.last_modified != config.last_modified:
                state.detail_at.pop(arn, None)  # changed: re-read its details first
        for gone in set(state.functions) - set(listed):
            state.details.pop(gone, None)
            state.detail_at.pop(gone, None)
            state.metrics.pop(gone, None)
            state.series.pop(gone, None)
            region.fetched_full.discard(gone)  # a function re-created under its name starts afresh
        state.functions = listed
        state.mappings = mappings
        state.reindex()
        for mapping in mappings:
            if mapping.is_sqs and mapping.source_arn not in state.redrive_targets:
                with contextlib.suppress(Exception):
                    target = await region.inventory.redrive_target(mapping.source_arn)
                    if target:
                        state.redrive_targets[mapping.source_arn] = target

    await guarded(ctx, region, "inventory", work())


def detail_order(ctx: CollectorContext, region: RegionCollector) -> list[str]:
    state = region.state
    never = [a for a in state.functions if a not in state.detail_at]
    never.sort(key=lambda a: (a not in ctx.visible, state.functions[a].name))
    oldest = sorted((a for a in state.functions if a in state.detail_at), key=lambda a: state.detail_at[a])
    return never + oldest


async def refresh_details(ctx: CollectorContext, region: RegionCollector, budget_s: float | None) -> None:
    """Per-function reads, through the limiters. Runs until done or out of time budget."""
    state = region.state
    start = ctx.clock.monotonic()
    due_before = ctx.clock.now() - timedelta(seconds=ctx.cadence.inventory_s)
    order = [a for a in detail_order(ctx, region) if a not in state.detail_at or state.detail_at[a] < due_before]
    pending: set[asyncio.Task[None]] = set()
    failure: Failure | None = None

    async def one(arn: str) -> None:
        nonlocal failure
        config = state.functions.get(arn)
        if config is None:
            return
        try:
            detail = await region.inventory.function_detail(config.name)
        except Exception as exc:
            failure = classify(exc)
            return
        state.details[arn] = detail
        state.detail_at[arn] = ctx.clock.now()
        if detail.errors:
            failure = Failure("error", detail.errors[0])
        ctx.on_detail()

    for arn in order:
        if budget_s is not None and ctx.clock.monotonic() - start > budget_s:
            break
        if failure is not None and failure.kind in PASS_ENDING:
            break
        task = asyncio.create_task(one(arn))
        pending.add(task)
        task.add_done_callback(pending.discard)
        if len(pending) >= 16:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
    if pending:
        await asyncio.wait(pending)
    now = ctx.clock.now()
    if failure is not None:
        state.source("inventory").failed(now, failure.reason)
    elif order:
        state.source("inventory").succeeded(now)
    provisioned = state.source("provisioned")
    if region.inventory.provisioned_supported is False:
        provisioned.failed(now, "ListProvisionedConcurrencyConfigs not supported by this endpoint", True)
    elif region.inventory.provisioned_supported:
        provisioned.succeeded(now)
