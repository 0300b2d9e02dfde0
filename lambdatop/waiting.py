"""Waiting for an event with a time limit, without losing a cancellation.

On Python 3.11, `asyncio.wait_for` returns normally when what it awaits finishes in the same
loop turn as a `cancel()` of the waiting task, and the cancellation is lost (CPython gh-86296,
fixed in 3.12). A polling loop built on it can outlive the TaskGroup that cancelled it, and
quitting hangs. `asyncio.timeout` does not have that flaw, so every timed wait goes through here.
"""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout_s: float) -> bool:
    """True when `event` is set within `timeout_s`, False when the time ran out."""
    try:
        async with asyncio.timeout(timeout_s):
            await event.wait()
    except TimeoutError:
        return False
    return True
