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
            # The first screen came from the first part of the backfill; once it is read, the
            # rest of the hour is written and the account starts moving.
            demo = source.demo
            assert demo is not None
            assert await asyncio.to_thread(demo.wait_until_backfilled, 30)
            assert demo.simulator is not None
            assert demo.simulator.running
            await pilot.press("q")
            await pilot.pause(0.2)
        assert app.return_code in (0, None)
    finally:
        source.stop()
    # The server, its connections and the simulator are gone (asyncio's own executor threads,
    # which ran the start in the background, belong to the test's event loop).
    leftover = [
        t.name
        for t in set(threading.enumerate()) - threads_before
        if t.is_alive() and not t.name.startswith("asyncio_")
    ]
    assert leftover == []


@pytest.mark.slow
async def test_demo_keys_raise_a_cap_and_undo_it_through_the_real_operator(tmp_path: object) -> None:
    """The whole path a newcomer takes: keys → live preview → enter → the server holds the
    new cap (read back with boto3) → `u` → the old cap again; the journal holds both."""
    from pathlib import Path

    import boto3

    from lambdatop.demo_boot import DemoBootingOperator
    from lambdatop.journal import Journal
    from lambdatop.ui.screens.action_preview import ActionPreviewScreen
    from lambdatop.ui.screens.reserved_prompt import ReservedPrompt

    journal_path = Path(str(tmp_path)) / "journal.jsonl"
    clock = SystemClock()
    source = DemoBootingSource(7, clock, Cadence().for_demo(), window_minutes=15)
    operator = DemoBootingOperator(source, clock, read_only=False, journal_path=journal_path)
    app = build_app(Settings(demo=True, seed=7), source, operator, clock, demo=True)

    def reserved() -> object:
        demo = source.demo
        assert demo is not None
        lam = boto3.client(
            "lambda",
            endpoint_url=demo.endpoint_url,
            region_name=demo.region,
            aws_access_key_id=demo.credentials[0],
            aws_secret_access_key=demo.credentials[1],
        )
        return lam.get_function_concurrency(FunctionName="video-transcoder").get("ReservedConcurrentExecutions")

    try:
        async with app.run_test(size=(80, 24)) as pilot:
            fleet = app.fleet

            async def until(predicate: object, seconds: float = 30) -> None:
                async with asyncio.timeout(seconds):
                    while not predicate():  # type: ignore[operator]
                        await pilot.pause(0.1)

            def highlighted() -> str:
                row = fleet.current_function()
                return row.name if row is not None else ""

            def cap_known() -> bool:
                # Rows re-sort as the demo's data arrives (once its cap is read, video-transcoder
                # is the worst row and moves to the top): the cursor must go with it.
                assert highlighted() == "video-transcoder"
                row = fleet.current_function()
                return row is not None and row.reserved_concurrency == 20  # its configuration is read

            await until(lambda: fleet.table.row_count >= 24, 60)
            # Walk the cursor to the function wherever it is now: a re-sort between two key
            # presses moves the row (the cursor keeps its function), so never count rows blindly.
            for _ in range(60):
                if highlighted() == "video-transcoder":
                    break
                target = next(i for i, arn in enumerate(fleet.table.order) if arn.endswith(":video-transcoder"))
                await pilot.press("down" if target > fleet.table.cursor_row else "up")
            await until(cap_known)
            await pilot.press("c")
            await until(lambda: isinstance(app.screen, ReservedPrompt))
            await pilot.press(*"200", "enter")  # the prefilled cap is selected: typing replaces it
            await until(lambda: isinstance(app.screen, ActionPreviewScreen))
            await pilot.press("enter")
            await until(lambda: reserved() == 200)
            await until(lambda: not isinstance(app.screen, ActionPreviewScreen))
            await pilot.press("u")
            await until(lambda: isinstance(app.screen, ActionPreviewScreen))
            await pilot.press("enter")
            await until(lambda: reserved() == 20)
    finally:
        source.stop()
    entries = Journal(journal_path).entries()
    assert [(e.before, e.after, e.outcome) for e in entries] == [(20, 200, "ok"), (200, 20, "ok")]
    assert entries[1].undoes == entries[0].id
