"""The control-plane budget: reads wait their turn; a write never waits behind them."""

from __future__ import annotations

import asyncio

from lambdatop.aws.budget import ControlPlaneBudget


async def test_a_write_goes_ahead_of_queued_reads() -> None:
    budget = ControlPlaneBudget(read_rps=20.0)
    order: list[str] = []

    async def read(i: int) -> None:
        async with budget.read():
            order.append(f"read{i}")

    async def write() -> None:
        async with budget.write():
            order.append("write")

    readers = [asyncio.create_task(read(i)) for i in range(30)]  # more than the burst of 20
    await asyncio.sleep(0)  # the first 20 go at once; the rest queue
    await write()
    await asyncio.gather(*readers)
    assert order.index("write") == 20  # right after the burst, before every queued read
    assert sorted(order[21:]) == sorted(f"read{i}" for i in range(20, 30))


async def test_the_operators_own_reads_are_served_before_background_reads() -> None:
    budget = ControlPlaneBudget(read_rps=50.0)
    order: list[str] = []

    async def read(name: str, priority: int) -> None:
        async with budget.read(priority):
            order.append(name)

    burst = [asyncio.create_task(read(f"bg{i}", 1)) for i in range(50)]
    await asyncio.sleep(0)
    queued = [asyncio.create_task(read(f"late{i}", 1)) for i in range(3)]
    await asyncio.sleep(0)
    mine = asyncio.create_task(read("operator", 0))
    await asyncio.gather(*burst, *queued, mine)
    assert order.index("operator") == 50  # first of everything that had to wait
