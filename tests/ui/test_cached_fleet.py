"""A failed first pass keeps the cached picture of the same account on screen, marked stale,
with its age and the failure, until real numbers replace it."""

from __future__ import annotations

from datetime import timedelta

from lambdatop.cache import as_cached
from lambdatop.clock import FakeClock
from lambdatop.model.snapshot import SOURCE_NAMES
from tests.factories import NOW, make_region, make_row, make_snapshot, stale_source
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen, settle, table_names

SIZE = (100, 30)
ACCOUNT = "111122223333"


def _cached() -> object:
    rows = [make_row("orders-api", account_id=ACCOUNT), make_row("billing", account_id=ACCOUNT)]
    old = make_snapshot(rows, regions=(make_region(account_id=ACCOUNT),), generated_at=NOW - timedelta(minutes=7))
    return as_cached(old)


def _failing_pass(account_id: str | None) -> object:
    """What the collector sends when its first pass cannot reach the endpoint."""
    sources = {name: stale_source(name, age_s=None, error="endpoint unreachable") for name in SOURCE_NAMES}
    return make_snapshot([], regions=(make_region(account_id=account_id),), sources=sources)


async def test_a_failing_first_pass_keeps_the_cached_rows_marked_stale() -> None:
    source = ScriptedSource()
    app = build_test_app(source=source, clock=FakeClock(NOW), initial_snapshot=_cached())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 2)
        source.emit(_failing_pass(None))  # type: ignore[arg-type]
        source.emit(_failing_pass(ACCOUNT))  # type: ignore[arg-type]
        await settle(pilot)
        screen = fleet_screen(pilot)
        assert sorted(table_names(pilot)) == ["billing", "orders-api"]
        status = screen.status_bar.plain_text
        assert "CACHED 7m old" in status
        assert "STALE 7m endpoint unreachable" in status  # the true age of the numbers, and why
        assert str(screen.table.get_row_at(0)[2]).endswith("?")

        source.emit(make_snapshot([make_row("orders-api", account_id=ACCOUNT)]))  # real numbers
        await settle(pilot, lambda: table_names(pilot) == ["orders-api"])
        assert "CACHED" not in screen.status_bar.plain_text


async def test_a_pass_from_another_account_ends_the_cached_picture_at_once() -> None:
    source = ScriptedSource()
    app = build_test_app(source=source, clock=FakeClock(NOW), initial_snapshot=_cached())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 2)
        source.emit(_failing_pass("999988887777"))  # type: ignore[arg-type]
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 0)
        assert "CACHED" not in fleet_screen(pilot).status_bar.plain_text


async def test_an_unconfirmed_cache_says_so() -> None:
    from dataclasses import replace

    cached = replace(_cached(), account_unconfirmed=True)  # type: ignore[type-var]
    app = build_test_app(source=ScriptedSource(), clock=FakeClock(NOW), initial_snapshot=cached)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 2)
        assert "CACHED 7m old, account unconfirmed" in fleet_screen(pilot).status_bar.plain_text
