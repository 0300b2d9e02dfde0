"""A snapshot that arrives while the app is closing is dropped, not drawn on screens being torn down."""

from __future__ import annotations

from tests.factories import make_row, make_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen, settle


async def test_a_snapshot_landing_during_quit_does_not_crash_the_exit() -> None:
    # The collector runs in a worker: its last snapshot may be posted just as the operator
    # quits, after the fleet screen's widgets are gone. Quitting must still end cleanly.
    first = make_snapshot([make_row("orders-api", invocations=10)])
    source = ScriptedSource([first])
    app = build_test_app(source=source)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 1)
        original = app._close_all

        async def close_then_snapshot() -> None:
            await original()  # the screens and their widgets are gone now
            source.emit(make_snapshot([make_row("orders-api", invocations=20)]))

        app._close_all = close_then_snapshot  # type: ignore[method-assign]
    assert app.return_code in (None, 0)
