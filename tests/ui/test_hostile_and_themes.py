"""AWS text reaches the screen defanged; a theme change re-colours the table."""

from __future__ import annotations

from lambdatop.settings import Settings
from tests.factories import HOSTILE_TEXTS, assert_terminal_safe, make_row, make_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen, settle


async def test_hostile_names_and_tags_are_sanitised_on_screen() -> None:
    rows = [make_row(text, tags={"owner": text}) for text in HOSTILE_TEXTS.values()]
    source = ScriptedSource([make_snapshot(rows)])
    app = build_test_app(source=source)
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == len(rows))
        table = fleet_screen(pilot).table
        for i in range(table.row_count):
            assert_terminal_safe(str(table.get_row_at(i)[0]))
        assert "[bold red]x[/]" in [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        await pilot.press("colon", *"filter [bold", "enter")  # markup in user input stays text
        await settle(pilot)
        assert app.is_running


async def test_theme_change_recolours_the_cells() -> None:
    row = make_row("payments", errors=300, invocations=1000)
    source = ScriptedSource([make_snapshot([row])])
    app = build_test_app(source=source, settings=Settings(theme="dark"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 1)
        table = fleet_screen(pilot).table
        before = table.get_row_at(0)[1].style
        app.theme = "light"
        await settle(pilot, lambda: table.get_row_at(0)[1].style != before)
        assert str(table.get_row_at(0)[1]) == "✖ ERR 30%"
        assert table.highlighted_arn == row.arn
