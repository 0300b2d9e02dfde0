"""`control_plane_rps` and `details_complete_s`: ten simulated minutes from first launch.

The collector's inventory and details refreshers run as the live loops run them (inventory
every `inventory_s`, a details pass every 5 s for at most 30 s), through the real budget, on
a virtual clock. `control_plane_rps` is every request on Lambda's shared 15 rps pool
(listings, GetAccountSettings, ListAliases, ListFunctionEventInvokeConfigs,
ListProvisionedConcurrencyConfigs) over the ten minutes; `details_complete_s` is when every
function's details that can exist had been read once.
"""

from __future__ import annotations

import asyncio

from lambdatop.aws.budget import ControlPlaneBudgets
from lambdatop.benchsim.account import REGION, SimAccount
from lambdatop.benchsim.virtual_time import VirtualTime
from lambdatop.collector import Collector, RegionCollector
from lambdatop.collector.details_plan import can_exist

DETAILS_EVERY_S = 5.0  # the live details loop's period
DETAILS_PASS_S = 30.0  # and its time budget per pass


def details_complete(region: RegionCollector) -> bool:
    state = region.state
    if not state.functions:
        return False
    for arn in state.functions:
        known = state.knowledge.get(arn)
        if known is None or known.basics is None:
            return False
        for part in ("aliases", "destinations", "provisioned"):
            if can_exist(state, arn, part, on_screen=False) and known.known(part) is None:  # type: ignore[arg-type]
                return False
    return True


async def _simulate(n_functions: int, minutes: float, vt: VirtualTime) -> dict[str, float]:
    account = SimAccount.mix(n_functions)
    budgets = ControlPlaneBudgets(monotonic=vt.monotonic, sleep=vt.sleep)
    async with account.pool() as pool:
        collector = Collector(pool, [REGION], vt, budgets=budgets)
        region = collector.regions[0]
        budget = budgets.for_region(REGION)
        end_s = minutes * 60.0
        complete_at: float | None = None
        next_inventory = 0.0
        redeployed = False
        while vt.now_s < end_s:
            if vt.now_s >= next_inventory:
                await collector.refresh_account(region)
                await collector.refresh_inventory(region)
                next_inventory = vt.now_s + collector.cadence.inventory_s
            await collector.refresh_details(region, budget_s=DETAILS_PASS_S)
            if complete_at is None and details_complete(region):
                complete_at = vt.now_s
            if not redeployed and vt.now_s >= end_s / 2:
                account.redeploy(max(1, n_functions // 100))  # a few deploys mid-way
                redeployed = True
            await vt.sleep(DETAILS_EVERY_S)
        return {
            "control_plane_rps": budget.requests["shared"] / vt.now_s,
            "details_complete_s": complete_at if complete_at is not None else float("nan"),
            "get_function_rps": budget.requests["get_function"] / vt.now_s,
        }


def measure_control_plane(n_functions: int = 2000, minutes: float = 10.0) -> dict[str, float]:
    async def main() -> dict[str, float]:
        vt = VirtualTime()
        return await vt.drive(_simulate(n_functions, minutes, vt))

    return asyncio.run(main())
