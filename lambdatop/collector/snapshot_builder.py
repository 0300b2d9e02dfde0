"""The FleetSnapshot: every Region's rows, the sources' status and what monitoring costs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from lambdatop.aws.accounting import ApiAccountant
from lambdatop.collector.context import CollectorContext, RegionCollector
from lambdatop.collector.rows import function_row, region_summary
from lambdatop.model.snapshot import SOURCE_NAMES, FleetSnapshot, SourceStatus

# How recent the last minutes must be before they count as settled: Lambda stamps metrics at
# invocation start, so a long invocation still adds to a minute that looks finished.
PROVISIONAL_S = 120


# Sources that cannot run before the function list is read.
NEED_FUNCTIONS = frozenset({"provisioned", "metrics", "percentiles", "logs", "queues"})


def never_answered(regions: Sequence[RegionCollector], name: str) -> str:
    """Why a source has no answer yet, in words."""
    inventory = [r.state.sources.get("inventory") for r in regions]
    listing_failed = [s.error for s in inventory if s is not None and s.ok is False and s.error]
    if name in NEED_FUNCTIONS and listing_failed:
        return f"cannot run before the function list is read ({listing_failed[0]})"
    if name in NEED_FUNCTIONS and not any(r.state.functions for r in regions):
        return "waiting for the function list"
    if name == "provisioned":
        return "read with each function's details, after the first metrics"
    return "waiting for first answer"


def source_statuses(regions: Sequence[RegionCollector]) -> dict[str, SourceStatus]:
    sources: dict[str, SourceStatus] = {}
    for name in SOURCE_NAMES:
        states = [r.state.sources[name] for r in regions if name in r.state.sources]
        if not states:
            sources[name] = SourceStatus(name=name, ok=False, error=never_answered(regions, name))
            continue
        failing = [s for s in states if not s.ok]
        updated = [s.updated_at for s in states if s.updated_at]
        error = None
        if failing:
            parts = [
                (f"{r.state.region}: " if len(regions) > 1 else "") + (s.error or "?")
                for r in regions
                for s in [r.state.sources.get(name)]
                if s is not None and not s.ok
            ]
            error = "; ".join(parts)
        stale_since = [s.stale_since for s in failing if s.stale_since]
        sources[name] = SourceStatus(
            name=name,
            ok=not failing,
            updated_at=min(updated) if updated and len(updated) == len(states) else None,
            stale_since=min(stale_since) if stale_since else None,
            error=error,
            # This endpoint can never answer it (every Region says so): told once, then summarised.
            unsupported=bool(failing) and all(s.unsupported for s in failing),
        )
    return sources


def build_snapshot(
    ctx: CollectorContext,
    regions: Sequence[RegionCollector],
    accountant: ApiAccountant,
    *,
    paused: bool,
    next_refresh_at: datetime | None,
    credential_hint: str | None = None,
) -> FleetSnapshot:
    now = ctx.clock.now()
    cadence = ctx.cadence
    # A budget may stretch the fleet tier: its rows are not stale before their next turn.
    fleet_s = max([cadence.fleet_s, *(r.plan.fleet_s for r in regions if r.plan)])
    stale_after = now - timedelta(seconds=max(fleet_s, cadence.metrics_s) * 2 + 60)
    rows = [function_row(r.state, arn, stale_after) for r in regions for arn in r.state.functions]
    tier_costs: dict[str, float] = {}
    notes = []
    for region in regions:
        if region.plan:
            for tier, usd in region.plan.hourly_usd(cadence).items():
                tier_costs[tier] = tier_costs.get(tier, 0.0) + usd
            if region.plan.note:
                notes.append(region.plan.note)
    _, end = ctx.window()
    # The window the numbers on screen cover: the one asked for shows only once read.
    read = [r.state.metrics_window for r in regions if r.state.metrics_window is not None]
    covered = min(read, key=lambda w: w[1]) if read and len(read) == len(regions) else None
    window_minutes = round((covered[1] - covered[0]).total_seconds() / 60) if covered else ctx.window_minutes
    return FleetSnapshot(
        generated_at=now,
        window_minutes=window_minutes,
        regions=tuple(region_summary(r.state) for r in regions),
        functions=tuple(rows),
        sources=source_statuses(regions),
        api_calls=accountant.snapshot(),
        estimated_cost_usd=accountant.estimated_cost_usd(),
        cost_usd_per_hour=sum(tier_costs.values()) if tier_costs else None,
        provisional_after=end - timedelta(seconds=PROVISIONAL_S),
        tier_cost_usd_per_hour=tier_costs,
        cadence_note="; ".join(notes) or None,
        api_calls_per_minute=accountant.calls_per_minute(),
        next_refresh_at=next_refresh_at,
        paused=paused,
        window_start=covered[0] if covered else None,
        window_end=covered[1] if covered else None,
        credential_hint=credential_hint,
        # The fallback, when any Region had to use it, is what the status bar must say.
        logs_path=next((r.state.logs_path for r in regions if r.state.logs_path == "filter"), None)
        or next((r.state.logs_path for r in regions if r.state.logs_path), None),
    )
