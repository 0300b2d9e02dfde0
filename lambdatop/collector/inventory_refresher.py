"""What exists (ListFunctions, event-source mappings, ListMetrics evidence) and each function's
details, read through the account+Region's control-plane budget."""

from __future__ import annotations

import asyncio

from lambdatop.aws.code_errors import is_code_error
from lambdatop.aws.errors import Failure, classify
from lambdatop.aws.inventory import FunctionConfig
from lambdatop.aws.metric_discovery import discover
from lambdatop.collector.context import CollectorContext, RegionCollector, guarded
from lambdatop.collector.details_plan import DetailRead, due_reads
from lambdatop.collector.knowledge import Known

# A failure of one of these kinds is the account's or the network's, not the function's:
# the pass stops instead of failing every remaining function the same way.
PASS_ENDING = frozenset({"throttled", "denied", "credentials", "unreachable", "timeout"})
MAX_IN_FLIGHT = 16


async def refresh_inventory(ctx: CollectorContext, region: RegionCollector) -> None:
    state = region.state
    first_listing = not state.functions
    evidence: asyncio.Task[None] | None = None

    def on_page(configs: list[FunctionConfig]) -> None:
        nonlocal evidence
        # ListMetrics (CloudWatch) does not need the list: it starts with the second page, so
        # the first page is not slowed down and the first metric pass knows which functions
        # have async traffic and aliases.
        if evidence is None:
            evidence = asyncio.create_task(refresh_evidence(ctx, region))
        # On the first listing, rows show while later pages still load: the first page at
        # once, the next ones with the next ordinary refresh of the screen.
        if first_listing:
            shown = bool(state.functions)
            for config in configs:
                state.functions[config.arn] = config
            state.reindex()
            if shown:
                ctx.on_detail()
            else:
                ctx.on_rows()

    async def work() -> None:
        try:
            functions, mappings = await asyncio.gather(
                region.inventory.list_functions(on_page), region.inventory.event_source_mappings()
            )
        finally:
            if evidence is not None:
                await evidence
        listed = {f.arn: f for f in functions}
        for gone in set(state.functions) - set(listed):
            state.knowledge.pop(gone, None)
            state.metrics.pop(gone, None)
            state.series.pop(gone, None)
            region.fetched_full.discard(gone)  # a function re-created under its name starts afresh
        state.functions = listed
        state.mappings = mappings
        state.reindex()
        for mapping in mappings:
            if mapping.is_sqs and mapping.source_arn not in state.redrive_targets:
                try:
                    target = await region.inventory.redrive_target(mapping.source_arn)
                except Exception as exc:
                    if is_code_error(exc):
                        raise
                    continue  # the queue's DLQ stays unknown until the next pass
                if target:
                    state.redrive_targets[mapping.source_arn] = target

    region.listing_ok = await guarded(ctx, region, "inventory", work()) is None
    region.listed_once = region.listed_once or region.listing_ok


async def refresh_evidence(ctx: CollectorContext, region: RegionCollector) -> None:
    """ListMetrics: where aliases, async traffic and provisioned concurrency can exist.
    Refused or failed, the last evidence stays; with none, every detail is read (slower)."""
    try:
        region.state.evidence = await discover(region.inventory.pool, region.state.region)
    except Exception as exc:
        if is_code_error(exc):
            raise
        failure = classify(exc)
        region.evidence_error = failure.reason
        if failure.kind == "credentials":
            ctx.on_credentials(exc)
    else:
        region.evidence_error = None
        if region.inventory.provisioned_supported is not False:
            # Read where CloudWatch lists provisioned-concurrency metrics; none listed: none to read.
            region.state.source("provisioned").succeeded(ctx.clock.now())


async def read_part(ctx: CollectorContext, region: RegionCollector, read: DetailRead) -> Failure | None:
    """One detail read; on failure the last good value stays and the row says since when."""
    state = region.state
    config = state.functions.get(read.arn)
    if config is None:
        return None
    known = state.known(read.arn)
    now = ctx.clock.now()
    known.tried_at[read.part] = now
    inventory = region.inventory
    try:
        if read.part == "basics":
            known.basics = Known(await inventory.basics(config.name, read.priority), now, config.revision)
        elif read.part == "aliases":
            known.aliases = Known(await inventory.aliases(config.name, read.priority), now, config.revision)
        elif read.part == "destinations":
            arns = await inventory.on_failure_destinations(config.name, read.priority)
            known.destinations = Known(arns, now, config.revision)
        else:
            total = await inventory.provisioned(config.name, read.priority)
            if total is not None:
                known.provisioned = Known(total, now, config.revision)
    except Exception as exc:
        if is_code_error(exc):
            raise
        failure = classify(exc)
        known.failed(read.part, failure.reason, ctx.clock.now())
        if failure.kind == "credentials":
            ctx.on_credentials(exc)
        return failure
    known.read_ok(read.part)
    ctx.on_detail()
    return None


async def refresh_details(ctx: CollectorContext, region: RegionCollector, budget_s: float | None) -> None:
    """The reads due now (see details_plan), until done, out of time, or the account says stop."""
    state = region.state
    start = ctx.clock.monotonic()
    reads = due_reads(
        state, ctx.visible, ctx.clock.now(), ctx.cadence, provisioned_supported=region.inventory.provisioned_supported
    )
    pending: set[asyncio.Task[Failure | None]] = set()
    stop: Failure | None = None
    failed: Failure | None = None

    code_errors: list[BaseException] = []

    def done(task: asyncio.Task[Failure | None]) -> None:
        nonlocal stop, failed
        pending.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            code_errors.append(error)
            return
        failure = task.result()
        if failure is not None:
            failed = failure
            if failure.kind in PASS_ENDING:
                stop = failure

    async def lane(lane_reads: list[DetailRead]) -> None:
        """One pool's reads, in plan order; each pool has its own bucket, so each its own lane:
        GetFunction (caps) never waits behind the shared pool's queue, nor it behind them."""
        mine: set[asyncio.Task[Failure | None]] = set()
        for read in lane_reads:
            if stop is not None or code_errors or (budget_s is not None and ctx.clock.monotonic() - start > budget_s):
                break
            task = asyncio.create_task(read_part(ctx, region, read))
            pending.add(task)
            mine.add(task)
            task.add_done_callback(done)
            task.add_done_callback(mine.discard)
            if len(mine) >= MAX_IN_FLIGHT:
                await asyncio.wait(mine, return_when=asyncio.FIRST_COMPLETED)

    await asyncio.gather(lane([r for r in reads if r.part == "basics"]), lane([r for r in reads if r.part != "basics"]))
    if stop is not None:
        for task in pending:
            task.cancel()  # queued in the budget: no call was made for them
    if pending:
        await asyncio.wait(pending)
    if code_errors:
        raise code_errors[0]
    now = ctx.clock.now()
    inventory = state.source("inventory")
    if stop is not None:
        inventory.failed(now, stop.reason, stop.unsupported)  # the account's problem: every row
    elif reads and failed is None and inventory.ok is False and region.listing_ok:
        inventory.succeeded(now)  # the reads work again; per-function failures stay on their rows
    provisioned = state.source("provisioned")
    if region.inventory.provisioned_supported is False:
        provisioned.failed(now, "ListProvisionedConcurrencyConfigs not supported by this endpoint", True)
    elif region.inventory.provisioned_supported or state.evidence is not None:
        provisioned.succeeded(now)  # read where it exists; ListMetrics says where that is
