"""`lambdatop --demo` as a newcomer meets it: the screen at once, real rows soon, `q` quits cleanly."""

from __future__ import annotations

import asyncio
import threading

import pytest

from lambdatop.cli import build_app
from lambdatop.clock import SystemClock
from lambdatop.collector.cadence import Cadence
from lambdatop.demo_boot import DemoBootingSource
from lambdatop.settings import Settings


@pytest.mark.slow
async def test_demo_screen_fills_with_real_rows_and_quits_cleanly() -> None:
    threads_before = set(threading.enumerate())
    clock = SystemClock()
    source = DemoBootingSource(7, clock, Cadence().for_demo(), window_minutes=15)
    app = build_app(Settings(demo=True, seed=7), source, None, clock, demo=True)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.fleet.table

            def first_name() -> str:
                return str(table.get_row_at(0)[0]) if table.row_count else ""

            # Worst first: once the metrics are in, the function throttling against its reserved
            # cap leads the screen (before that, the inventory alone already fills the rows).
            async with asyncio.timeout(60):
                while table.row_count < 24 or "video-transcoder" not in first_name():
                    await pilot.pause(0.2)
            await pilot.press("q")
            await pilot.pause(0.2)
        assert app.return_code in (0, None)
    finally:
        source.stop()
    # The server, its connections and the simulator are gone (asyncio's own executor threads,
    # which ran the start in the background, belong to the test's event loop).
    leftover = [
        t.name for t in set(threading.enumerate()) - threads_before
        if t.is_alive() and not t.name.startswith("asyncio_")
    ]
    assert leftover == []
