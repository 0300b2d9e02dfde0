"""The control-plane budget: its pace, its order, and that writes never queue behind reads."""

from __future__ import annotations

import asyncio

import pytest

from lambdatop.aws.budget import ControlPlaneBudget


class FastForward:
    """A monotonic clock that jumps ahead when the budget sleeps: no real waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_background_reads_keep_to_three_per_second_after_a_burst_of_five() -> None:
    clock = FastForward()
    budget = ControlPlaneBudget(3.0, 5, 20.0, clock.monotonic, clock.sleep)
    done_at: list[float] = []

    async def read() -> None:
        async with budget.read():
            done_at.append(clock.now)

    await asyncio.gather(*(read() for _ in range(65)))
    assert budget.requests["shared"] == 65
    assert done_at[:5] == [0.0] * 5  # the burst
    assert done_at[-1] == pytest.approx(60 / 3.0)  # then 3 a second: 60 more in 20 s
    # Over any 10 s after the burst, never more than 30 + 1 reads.
    for start in range(0, 10):
        assert sum(1 for t in done_at[5:] if start < t <= start + 10) <= 31


async def test_get_function_has_its_own_pool() -> None:
    clock = FastForward()
    budget = ControlPlaneBudget(3.0, 5, 20.0, clock.monotonic, clock.sleep)

    async def get() -> None:
        async with budget.get_function():
            pass

    await asyncio.gather(*(get() for _ in range(120)))
    assert budget.requests == {"get_function": 120}
    assert clock.now == pytest.approx(100 / 20.0)  # burst of 20, then 20 a second


async def test_rows_on_screen_go_before_background_reads_already_queued() -> None:
    clock = FastForward()
    budget = ControlPlaneBudget(1.0, 1, 20.0, clock.monotonic, clock.sleep)
    order: list[str] = []

    async def read(label: str, priority: int) -> None:
        async with budget.read(priority):
            order.append(label)

    background = [asyncio.create_task(read(f"bg{i}", 1)) for i in range(5)]
    await asyncio.sleep(0)
    on_screen = asyncio.create_task(read("screen", 0))
    await asyncio.gather(*background, on_screen)
    assert order[0] == "bg0"  # took the one token there was
    assert order[1] == "screen"


async def test_a_write_goes_ahead_of_queued_reads_and_does_not_wait() -> None:
    budget = ControlPlaneBudget(3.0, 5)  # real clock: the reads would take seconds
    reads_done = 0

    async def read() -> None:
        nonlocal reads_done
        async with budget.read():
            reads_done += 1

    queued = [asyncio.create_task(read()) for _ in range(30)]
    await asyncio.sleep(0.01)
    assert budget.shared.queued > 20
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with budget.write():
        waited = loop.time() - started
    assert waited < 0.05
    assert budget.requests["write"] == 1
    assert reads_done < 30  # the reads were still waiting when the write went through
    for task in queued:
        task.cancel()
    await asyncio.gather(*queued, return_exceptions=True)


async def test_a_cancelled_waiter_gives_its_turn_to_the_next() -> None:
    clock = FastForward()
    budget = ControlPlaneBudget(1.0, 1, 20.0, clock.monotonic, clock.sleep)
    async with budget.read():
        pass
    first = asyncio.create_task(budget.read().__aenter__())
    second_done = asyncio.Event()

    async def second() -> None:
        async with budget.read():
            second_done.set()

    waiter = asyncio.create_task(second())
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await waiter
    assert second_done.is_set()
    assert budget.requests["shared"] == 2


async def test_the_function_list_goes_fast_and_the_reads_after_it_pay_for_it() -> None:
    clock = FastForward()
    budget = ControlPlaneBudget(3.0, 5, 20.0, clock.monotonic, clock.sleep)
    for _ in range(60):  # 3,000 functions: 60 pages
        async with budget.listing():
            pass
    listed_at = clock.now
    assert listed_at == pytest.approx((60 - 40) / 10.0)  # 40 as fast as they answer, then 10 a second
    async with budget.read():
        pass
    # The 60 pages came out of the shared bucket: the next read waits until they are paid
    # back, so over the whole stretch the pool saw no more than 3 a second (+ the burst).
    assert budget.requests["shared"] == 61
    assert 3.0 * clock.now + 5 + 1e-6 >= 61


async def test_the_operators_own_reads_do_not_wait_behind_background_reads() -> None:
    budget = ControlPlaneBudget(3.0, 5)
    for _ in range(40):  # a listing just left the shared bucket 35 tokens in debt
        async with budget.listing():
            pass
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with budget.read(priority=-1):  # GetAlias just before UpdateAlias
        waited = loop.time() - started
    assert waited < 0.05
    assert budget.requests["shared"] == 41
