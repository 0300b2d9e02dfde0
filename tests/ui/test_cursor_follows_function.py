"""The cursor follows the function, never the row index: an on-call engineer who highlights a
function and presses `x` must act on that function, however the rows re-sorted meanwhile."""

from __future__ import annotations

from dataclasses import replace

from lambdatop.model.snapshot import FleetSnapshot, FunctionRow
from lambdatop.ui.screens.fleet import VIEW_FIRST_ABOVE, FleetScreen
from tests.factories import make_row, make_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, deliver, fleet_screen, settle

SIZE = (80, 24)


def _quiet_fleet(n: int) -> list[FunctionRow]:
    """`n` healthy functions, busiest first, none with its reserved cap read yet."""
    return [make_row(f"fn-{i:04d}", invocations=10_000 - i) for i in range(n)]


def _capped_and_throttling(row: FunctionRow) -> FunctionRow:
    """Its configuration is read (a cap of 20) and it throttles against it: now the worst row."""
    return replace(row, reserved_concurrency=20, throttles=400, concurrency_max=20.0)


def _highlighted_name(fleet: FleetScreen) -> str | None:
    row = fleet.current_function()
    return row.name if row is not None else None


async def test_the_highlighted_function_keeps_the_cursor_when_its_own_update_moves_it_to_the_top() -> None:
    """The demo's case: a function low on the screen is highlighted; the read of its cap makes
    it the worst row, and rows above it vanish while it moves. The cursor goes with it."""
    rows = _quiet_fleet(24)
    source = ScriptedSource([make_snapshot(rows)])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        fleet = fleet_screen(pilot)
        await settle(pilot, lambda: fleet.table.row_count == 24)
        await pilot.press(*["down"] * 15)
        await settle(pilot)
        assert _highlighted_name(fleet) == "fn-0015"
        assert fleet.table.cursor_row == 15

        moved = [_capped_and_throttling(r) if r.name == "fn-0015" else r for r in rows]
        moved = [r for r in moved if r.name not in ("fn-0003", "fn-0007")]  # gone meanwhile
        await deliver(pilot, source, make_snapshot(moved))

        assert fleet.table.order[0].endswith(":fn-0015")
        assert fleet.table.cursor_row == 0
        current = fleet.current_function()
        assert current is not None
        assert current.name == "fn-0015"
        assert current.reserved_concurrency == 20  # the action keys see the fresh row
        # The next key moves from where the function is now, not from the old row index.
        await pilot.press("down")
        await settle(pilot)
        assert _highlighted_name(fleet) == "fn-0000"


async def test_keys_between_snapshots_act_on_the_function_shown_at_that_moment() -> None:
    """Snapshots and key presses interleave: each re-sort keeps the highlighted function,
    and each key moves from that function's current place."""
    rows = _quiet_fleet(24)
    source = ScriptedSource([make_snapshot(rows)])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        fleet = fleet_screen(pilot)
        await settle(pilot, lambda: fleet.table.row_count == 24)
        await pilot.press("end")
        await settle(pilot)
        assert _highlighted_name(fleet) == "fn-0023"
        # fn-0023 (highlighted) becomes the worst, then fn-0010 overtakes it, twice over.
        first = [_capped_and_throttling(r) if r.name == "fn-0023" else r for r in rows]
        await deliver(pilot, source, make_snapshot(first))
        assert (_highlighted_name(fleet), fleet.table.cursor_row) == ("fn-0023", 0)
        second = [replace(r, errors=900) if r.name == "fn-0010" else r for r in first]
        await deliver(pilot, source, make_snapshot(second))
        assert fleet.table.order[0].endswith(":fn-0010")
        assert (_highlighted_name(fleet), fleet.table.cursor_row) == ("fn-0023", 1)
        await pilot.press("up")
        await settle(pilot)
        assert _highlighted_name(fleet) == "fn-0010"


def _big_fleet() -> FleetSnapshot:
    return make_snapshot(_quiet_fleet(VIEW_FIRST_ABOVE + 200))


async def test_a_big_fleet_pass_keeps_the_highlighted_function_through_the_catch_up() -> None:
    """Above VIEW_FIRST_ABOVE rows a pass updates the rows in view first and the others in
    slices after: the highlighted function, far down the list, moves to the top, rows are
    removed, and the cursor stays on it through the partial update and every slice after."""
    first = _big_fleet()
    n = len(first.functions)
    source = ScriptedSource([first])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        fleet = fleet_screen(pilot)
        await settle(pilot, lambda: fleet.table.row_count == n)
        await pilot.press("end", "up", "up")
        await settle(pilot)
        chosen = f"fn-{n - 3:04d}"
        assert _highlighted_name(fleet) == chosen

        removed = {f"fn-{i:04d}" for i in range(5, 60)}
        functions = tuple(
            _capped_and_throttling(r) if r.name == chosen else replace(r, invocations=(r.invocations or 0) + 1)
            for r in first.functions
            if r.name not in removed
        )
        fleet.apply_snapshot(replace(first, functions=functions))  # synchronously, as on SnapshotReady
        # At once (the rows in view and around the cursor only): the function is on top, highlighted.
        assert fleet.table.row_count == n - len(removed)
        assert fleet.table.cursor_row == 0
        current = fleet.current_function()
        assert current is not None
        assert current.name == chosen
        assert current.reserved_concurrency == 20

        # While the slices catch up, a key press and another pass that moves it again.
        await pilot.press("down", "up")
        assert _highlighted_name(fleet) == chosen
        again = tuple(replace(r, errors=900) if r.name == "fn-0100" else r for r in functions)
        fleet.apply_snapshot(replace(first, functions=again))
        assert fleet.table.order[0].endswith(":fn-0100")
        await settle(pilot)
        await pilot.pause(0.2)  # every catch-up slice has run
        assert (_highlighted_name(fleet), fleet.table.cursor_row) == (chosen, 1)
