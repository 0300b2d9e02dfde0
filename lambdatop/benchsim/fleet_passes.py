"""`fleet_passes_per_hour`: an hour of metric passes at the default cadence, 40 rows on screen,
5 % of the fleet with background errors under 1 % (drawn minute by minute, so the window
totals wander as they do on a real account). Counts every fleet pass, regular or pulled
forward by the trip-wire."""

from __future__ import annotations

import asyncio

from lambdatop.aws.budget import ControlPlaneBudgets
from lambdatop.benchsim.account import REGION, SimAccount
from lambdatop.benchsim.virtual_time import START
from lambdatop.clock import FakeClock
from lambdatop.collector import Collector

VISIBLE_ROWS = 40


async def _simulate(n_functions: int, hours: float) -> dict[str, float]:
    account = SimAccount.mix(n_functions)
    clock = FakeClock(START)
    wide = ControlPlaneBudgets(shared_rps=1e9, shared_burst=1_000_000_000, get_function_rps=1e9)
    async with account.pool() as pool:
        collector = Collector(pool, [REGION], clock, budgets=wide)
        region = collector.regions[0]
        await collector.refresh_account(region)
        await collector.refresh_inventory(region)
        await collector.refresh_details(region, budget_s=None)
        collector.set_visible([f.arn for f in account.functions[:VISIBLE_ROWS]])
        await collector.refresh_metrics(region)
        fleet_passes = 0
        passes = int(hours * 3600 / collector.cadence.metrics_s)
        for _ in range(passes):
            clock.advance(collector.cadence.metrics_s)
            forced_before = region.trip_wire.forced_per_hour(clock.monotonic())
            last = region.last_fleet_at
            await collector.refresh_metrics(region)
            forced_now = region.trip_wire.forced_per_hour(clock.monotonic())
            regular = region.last_fleet_at != last and forced_now == forced_before
            fleet_passes += int(regular) + (forced_now - forced_before)
        return {
            "fleet_passes_per_hour": fleet_passes / hours,
            "forced_fleet_passes_per_hour": float(region.trip_wire.forced_per_hour(clock.monotonic())),
        }


def measure_fleet_passes(n_functions: int = 2000, hours: float = 1.0) -> dict[str, float]:
    return asyncio.run(_simulate(n_functions, hours))
