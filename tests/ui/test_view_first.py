"""A fleet pass that changes every row: the rows in view change at once, the rest just after."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lambdatop.model.snapshot import FleetSnapshot
from lambdatop.ui.screens.fleet import VIEW_FIRST_ABOVE
from tests.factories import make_row, make_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen, settle

N = VIEW_FIRST_ABOVE + 200


def _fleet(invocations: int) -> FleetSnapshot:
    rows = [make_row(f"fn-{i:04d}", invocations=invocations + i) for i in range(N)]
    return make_snapshot(rows)


def _shown_invocations(app: Any, arn: str) -> str:
    table = fleet_screen_of(app).table
    index = table.get_row_index(arn)
    column = [c.key for c in table.shown_columns].index("invocations")
    return str(table.get_row_at(index)[column]).strip()


def fleet_screen_of(app: Any) -> Any:
    return app.fleet


async def test_every_row_catches_up_and_the_view_first() -> None:
    first = _fleet(1000)
    source = ScriptedSource([first])
    app = build_test_app(source=source)
    async with app.run_test(size=(100, 30)) as pilot:
        fleet = fleet_screen(pilot)
        await settle(pilot, lambda: fleet.table.row_count == N)
        second = replace(first, functions=tuple(replace(r, invocations=5000) for r in first.functions))
        fleet.apply_snapshot(second)  # synchronously, as the app does on SnapshotReady
        # The highlighted function moved to wherever the new order puts it; the view follows it.
        cursor = fleet.table.highlighted_arn
        middle = fleet.table.order[N // 2]
        assert cursor is not None
        assert _shown_invocations(app, cursor) == "5.0k"  # in view: already new
        assert _shown_invocations(app, middle) != "5.0k"  # far off screen: not yet
        await settle(pilot, lambda: _shown_invocations(app, middle) == "5.0k")
        for arn in fleet.table.order:
            assert _shown_invocations(app, arn) == "5.0k"


async def test_a_newer_snapshot_supersedes_the_catch_up() -> None:
    first = _fleet(1000)
    source = ScriptedSource([first])
    app = build_test_app(source=source)
    async with app.run_test(size=(100, 30)) as pilot:
        fleet = fleet_screen(pilot)
        await settle(pilot, lambda: fleet.table.row_count == N)
        second = replace(first, functions=tuple(replace(r, invocations=5000) for r in first.functions))
        third = replace(first, functions=tuple(replace(r, invocations=7000) for r in first.functions))
        fleet.apply_snapshot(second)
        fleet.apply_snapshot(third)
        bottom = fleet.table.order[-1]
        await settle(pilot, lambda: _shown_invocations(app, bottom) == "7.0k")
        await pilot.pause(0.2)
        assert {_shown_invocations(app, arn) for arn in fleet.table.order} == {"7.0k"}
