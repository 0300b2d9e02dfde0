"""The account's id (STS) and concurrency limits (GetAccountSettings)."""

from __future__ import annotations

from lambdatop.collector.context import CollectorContext, RegionCollector, guarded


async def refresh_account(ctx: CollectorContext, region: RegionCollector) -> None:
    state = region.state

    async def work() -> None:
        if state.account_id is None:
            state.account_id = await region.inventory.account_id()
        state.limits = await region.inventory.account_limits()

    await guarded(ctx, region, "account", work())
