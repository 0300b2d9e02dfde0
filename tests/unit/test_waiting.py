"""Timed waits in the collector's loops: quitting must always stop them."""

from __future__ import annotations

import asyncio

from lambdatop.waiting import wait_event


async def test_a_cancel_that_comes_with_the_event_is_not_lost() -> None:
    # The collector's loops wait like this; on 3.11 `asyncio.wait_for` returned normally when the
    # event came in the same loop turn as the cancel, and the loop went on after quit.
    event = asyncio.Event()

    async def loop() -> None:
        while True:
            await wait_event(event, 10.0)
            event.clear()

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)  # the loop is waiting now
    event.set()
    await asyncio.sleep(0)  # the event's waiter is done; the loop has not run yet
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=2.0)
    assert task in done
    assert task.cancelled()


async def test_it_says_whether_the_event_came_or_the_time_ran_out() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    event.set()
    assert await wait_event(event, 0.01) is True
