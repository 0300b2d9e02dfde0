"""The fleet screen as an on-call engineer drives it: filter, sort, window, pause, staleness."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual import events

from lambdatop.clock import FakeClock
from lambdatop.model.snapshot import FunctionRow
from lambdatop.settings import Settings
from tests.factories import (
    NOW,
    make_queue,
    make_row,
    make_snapshot,
    make_unknown_row,
    ok_sources,
    stale_source,
)
from tests.ui.fakes import (
    ScriptedSource,
    build_test_app,
    deliver,
    fleet_screen,
    record_notifications,
    settle,
    table_names,
)

SIZE = (80, 24)


def fleet_rows() -> list[FunctionRow]:
    return [
        make_row("orders-api", invocations=5000, tags={"team": "checkout"}),
        make_row("payments", errors=300, invocations=2000, runtime="nodejs20.x"),
        make_row(
            "thumbnailer",
            throttles=40,
            reserved_concurrency=20,
            concurrency_max=20.0,
            runtime="java21",
            invocations=800,
        ),
        make_row("report-builder", invocations=10, runtime="python3.12"),
        make_row("dlq-consumer", dlqs=(make_queue(depth=41),), invocations=300),
    ]


async def test_rows_are_worst_first_with_the_reason_shown() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        names = table_names(pilot)
        assert names[:3] == ["payments", "thumbnailer", "dlq-consumer"]
        table = fleet_screen(pilot).table
        health = [str(table.get_row_at(i)[1]) for i in range(3)]
        assert health == ["✖ ERR 15%", "▲ THR cap", "✉ DLQ 41"]
        assert str(table.get_row_at(1)[-1]) == "20/20"  # concurrency against the cap


async def test_unknown_numbers_show_a_dash_never_zero() -> None:
    source = ScriptedSource([make_snapshot([make_unknown_row("mystery")])])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 1)
        cells = [str(c) for c in fleet_screen(pilot).table.get_row_at(0)]
        assert cells[0] == "mystery"
        assert cells[2:] == ["—", "—", "—", "—"]


async def test_filter_substring_regex_and_inverted() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        await pilot.press("slash", *"pay", "enter")
        await settle(pilot)
        assert table_names(pilot) == ["payments"]
        assert "/pay 1/5" in fleet_screen(pilot).status_bar.plain_text

        await pilot.press("slash", "ctrl+u", *"^(orders|report)", "enter")
        await settle(pilot)
        assert sorted(table_names(pilot)) == ["orders-api", "report-builder"]

        await pilot.press("slash", "ctrl+u", *"!java", "enter")  # runtime, inverted
        await settle(pilot)
        assert "thumbnailer" not in table_names(pilot)
        assert len(table_names(pilot)) == 4

        await pilot.press("slash", "ctrl+u", *"team=checkout", "enter")  # a tag
        await settle(pilot)
        assert table_names(pilot) == ["orders-api"]

        await pilot.press("escape")  # on the table: clears the filter
        await settle(pilot)
        assert len(table_names(pilot)) == 5


async def test_invalid_regex_falls_back_to_substring_and_says_so() -> None:
    rows = [make_row("legacy(v1)"), make_row("orders-api")]
    source = ScriptedSource([make_snapshot(rows)])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 2)
        messages = record_notifications(app)
        await pilot.press("slash", *"(v1", "enter")
        await settle(pilot)
        assert table_names(pilot) == ["legacy(v1)"]
        assert any("not a valid regex" in m for m in messages)


async def test_filter_is_live_while_typing_and_escape_in_prompt_clears_it() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        await pilot.press("slash", *"thumb")
        await settle(pilot)
        assert table_names(pilot) == ["thumbnailer"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(table_names(pilot)) == 5


async def test_sort_cycle_reverse_and_by_column_number() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        await pilot.press("1")  # NAME: a→z
        await settle(pilot)
        assert table_names(pilot) == sorted(table_names(pilot))
        await pilot.press("S")
        await settle(pilot)
        assert table_names(pilot) == sorted(table_names(pilot), reverse=True)

        await pilot.press("3")  # INV: biggest first
        await settle(pilot)
        assert table_names(pilot)[0] == "orders-api"
        assert table_names(pilot)[-1] == "report-builder"
        labels = [str(c.label) for c in fleet_screen(pilot).table.ordered_columns]
        assert "INV▼" in labels

        await pilot.press("s")  # next column: ERR, worst rate first
        await settle(pilot)
        assert table_names(pilot)[0] == "payments"
        await pilot.press("S")
        await settle(pilot)
        assert table_names(pilot)[-1] == "payments"


async def test_window_key_cycles_and_tells_the_source() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source, settings=Settings(window_minutes=15))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await pilot.press("w")
        await pilot.press("w")
        await settle(pilot)
        windows = [arg for name, arg in source.calls if name == "set_window"]
        assert windows == [60, 180, 5]


async def test_pause_tells_the_source_and_shows_paused() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert ("pause", True) in source.calls
        assert "PAUSED" in fleet_screen(pilot).status_bar.plain_text
        await pilot.press("space")
        await settle(pilot)
        assert source.calls[-1] == ("pause", False)
        assert "PAUSED" not in fleet_screen(pilot).status_bar.plain_text


async def test_refresh_key_asks_the_source() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert ("refresh_now", None) in source.calls
        assert "refreshing…" in fleet_screen(pilot).status_bar.plain_text


async def test_staleness_ages_as_the_clock_moves() -> None:
    clock = FakeClock(NOW)
    sources = {**ok_sources(NOW), "logs": stale_source("logs", age_s=180, error="AccessDenied")}
    source = ScriptedSource([make_snapshot(fleet_rows(), sources=sources)])
    app = build_test_app(source=source, clock=clock)
    async with app.run_test(size=(160, 24)) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        text = fleet_screen(pilot).status_bar.plain_text
        assert "metrics 14s" in text
        assert "logs STALE 3m AccessDenied" in text
        clock.advance(60)
        # The once-a-second timer repaints; no new snapshot is needed for ages to move.
        await settle(pilot, lambda: "metrics 1m" in fleet_screen(pilot).status_bar.plain_text)
        assert "logs STALE 4m" in fleet_screen(pilot).status_bar.plain_text


async def test_stale_values_are_marked_in_text_not_only_colour() -> None:
    row = make_row("legacy", stale=("metrics",))
    source = ScriptedSource([make_snapshot([row])])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 1)
        cells = [str(c) for c in fleet_screen(pilot).table.get_row_at(0)]
        assert cells[2] == "1.0k?"  # invocations from the stale metrics source


async def test_cached_snapshot_paints_at_once_marked_stale_with_its_age() -> None:
    clock = FakeClock(NOW)
    cached = make_snapshot(fleet_rows(), generated_at=NOW - timedelta(minutes=7), from_cache=True)
    source = ScriptedSource()
    app = build_test_app(source=source, clock=clock, initial_snapshot=cached)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        assert "CACHED 7m old" in fleet_screen(pilot).status_bar.plain_text
        cells = [str(c) for c in fleet_screen(pilot).table.get_row_at(0)]
        assert cells[2].endswith("?")
        await deliver(pilot, source, make_snapshot(fleet_rows()))
        assert "CACHED" not in fleet_screen(pilot).status_bar.plain_text
        assert not str(fleet_screen(pilot).table.get_row_at(0)[2]).endswith("?")


async def test_cursor_stays_on_the_same_function_when_rows_resort() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        table = fleet_screen(pilot).table
        assert table_names(pilot)[-1] == "report-builder"  # healthy and least busy
        await pilot.press("down", "down", "down", "down")
        await settle(pilot)
        chosen = table.highlighted_arn
        assert chosen is not None
        assert chosen.endswith(":report-builder")
        assert table.cursor_row == 4
        # report-builder starts erroring: it jumps to the top of the worst-first order.
        rows = [r if r.name != "report-builder" else replace(r, errors=10) for r in fleet_rows()]
        await deliver(pilot, source, make_snapshot(rows))
        assert table_names(pilot)[0] == "report-builder"
        assert table.highlighted_arn == chosen
        assert table.cursor_row == 0


async def test_rows_come_and_go_by_arn() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        rows = [r for r in fleet_rows() if r.name != "payments"] + [make_row("new-fn")]
        await deliver(pilot, source, make_snapshot(rows))
        assert "payments" not in table_names(pilot)
        assert "new-fn" in table_names(pilot)


async def test_visible_rows_are_reported_to_the_source() -> None:
    rows = [make_row(f"fn-{i:03d}") for i in range(100)]
    source = ScriptedSource([make_snapshot(rows)])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: bool(source.visible))
        first = source.visible[-1]
        assert 10 <= len(first) <= 22
        await pilot.press("pagedown", "pagedown")
        await settle(pilot, lambda: source.visible[-1] != first)
        assert set(source.visible[-1]).isdisjoint(first)


async def test_worker_error_is_reported_and_the_app_keeps_running() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 5)
        messages = record_notifications(app)
        source.fail(RuntimeError("credentials expired"))
        await settle(pilot, lambda: fleet_screen(pilot).collector_error is not None)
        assert "COLLECTOR DOWN" in fleet_screen(pilot).status_bar.plain_text
        assert any("credentials expired" in m for m in messages)
        assert fleet_screen(pilot).table.row_count == 5  # the last numbers stay
        assert app.is_running
        await pilot.press("1")  # still responsive
        await settle(pilot)
        assert table_names(pilot)[0] == "dlq-consumer"


async def test_q_quits() -> None:
    source = ScriptedSource([make_snapshot(fleet_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_keys_typed_in_a_burst_after_slash_land_in_the_filter() -> None:
    """Over SSH a fast typist's `/pay` arrives in one read; no letter may reach the table."""
    rows = [*fleet_rows(), make_row("a/b:c")]
    source = ScriptedSource([make_snapshot(rows)])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 6)
        for character, key in [("/", "slash"), ("a", "a"), ("/", "slash"), ("b", "b"), (":", "colon"), ("c", "c")]:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert table_names(pilot) == ["a/b:c"]
