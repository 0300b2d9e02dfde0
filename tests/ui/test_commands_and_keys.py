"""`:` command line, the command palette, remapped keys, and the generated help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lambdatop.model.snapshot import FunctionRow
from lambdatop.settings import Settings
from lambdatop.ui.keys import keymap_markdown
from lambdatop.ui.screens.help import HelpScreen
from tests.factories import make_row, make_snapshot
from tests.ui.fakes import (
    ScriptedSource,
    build_test_app,
    fleet_screen,
    record_notifications,
    settle,
    table_names,
)

SIZE = (80, 24)
README = Path(__file__).resolve().parents[2] / "README.md"


def _rows() -> list[FunctionRow]:
    return [make_row("orders-api"), make_row("payments", errors=90), make_row("search")]


async def _type_command(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("colon", *text, "enter")
    await settle(pilot)


async def test_command_line_window_filter_and_theme() -> None:
    source = ScriptedSource([make_snapshot(_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 3)
        await _type_command(pilot, "window 1h")
        assert ("set_window", 60) in source.calls
        await _type_command(pilot, "filter pay")
        assert table_names(pilot) == ["payments"]
        await _type_command(pilot, "theme light")
        assert app.theme == "light"


async def test_unknown_command_says_so_with_a_suggestion() -> None:
    source = ScriptedSource([make_snapshot(_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        messages = record_notifications(app)
        await _type_command(pilot, "regoin eu-west-1")
        assert any("unknown command 'regoin'" in m and "region" in m for m in messages)
        await _type_command(pilot, "window 7x")
        assert any("window" in m and "7x" in m for m in messages)
        await _type_command(pilot, "theme nope")
        assert any("no theme 'nope'" in m for m in messages)
        assert app.is_running


async def test_region_switch_without_a_factory_explains_the_restart() -> None:
    source = ScriptedSource([make_snapshot(_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        messages = record_notifications(app)
        await _type_command(pilot, "region eu-west-1")
        assert any("restart" in m and "eu-west-1" in m for m in messages)


async def test_region_switch_with_a_factory_starts_the_new_source() -> None:
    first = ScriptedSource([make_snapshot(_rows())])
    second = ScriptedSource([make_snapshot([make_row("eu-only", region="eu-west-1")])])
    asked: list[Settings] = []

    def factory(settings: Settings) -> ScriptedSource:
        asked.append(settings)
        return second

    app = build_test_app(source=first, source_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 3)
        await _type_command(pilot, "region eu-west-1")
        await settle(pilot, lambda: table_names(pilot) == ["eu-only"])
        assert asked[0].regions == ("eu-west-1",)
        assert ("set_window", 15) in second.calls  # the new source keeps the user's window


async def test_palette_offers_our_commands() -> None:
    source = ScriptedSource([make_snapshot(_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Refresh now", "Pause / resume", "Window 1h", "Sort by error rate"} <= set(titles)
        await pilot.press("ctrl+p", *"Window 3h")
        await settle(pilot)
        await pilot.pause(0.3)  # the palette searches asynchronously
        await pilot.press("enter")
        await settle(pilot, lambda: ("set_window", 180) in source.calls)


async def test_keymap_from_settings_remaps_and_help_shows_the_new_key() -> None:
    source = ScriptedSource([make_snapshot(_rows())])
    settings = Settings(keymap={"fleet.filter": "f", "app.help": "f1"})
    app = build_test_app(source=source, settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 3)
        await pilot.press("f", *"search", "enter")
        await settle(pilot)
        assert table_names(pilot) == ["search"]
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one("#help-text").render())
        assert "fleet.filter" in text
        line = next(ln for ln in text.splitlines() if ln.rstrip().endswith("fleet.filter"))
        assert line.split()[0] == "f"
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_help_lists_live_bindings_with_ids() -> None:
    source = ScriptedSource([make_snapshot(_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one("#help-text").render())
        for ident in (
            "app.help",
            "app.quit",
            "fleet.filter",
            "fleet.sort-next",
            "fleet.pause",
            "fleet.window-next",
            "fleet.command-line",
            "table.cursor-down",
        ):
            assert ident in text
        assert "fleet.clear-filter" not in text  # no filter to clear: the key is not live


@pytest.mark.parametrize("key", ["c", "C", "u", "x", "a"])
async def test_action_keys_without_an_operator_are_listed_but_disabled(key: str) -> None:
    source = ScriptedSource([make_snapshot(_rows())])
    app = build_test_app(source=source)  # no operator
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.active_bindings[key].enabled is False


async def test_at_80_columns_the_footer_shows_how_to_open_a_function_and_act_on_it() -> None:
    from textual.widgets._footer import FooterKey

    source = ScriptedSource([make_snapshot(_rows())])
    app = build_test_app(source=source)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = {key.key for key in app.screen.query(FooterKey) if key.region.width and key.region.right <= SIZE[0]}
        assert {"question_mark", "enter", "c", "x", "a", "slash", "q"} <= shown


def test_readme_key_table_matches_the_live_bindings() -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    start, end = "<!-- keys:start -->", "<!-- keys:end -->"
    missing = f"README.md needs the key table between {start} and {end}; paste the output of "
    missing += "`python -c 'from lambdatop.ui.keys import keymap_markdown; print(keymap_markdown())'`"
    assert start in text, missing
    assert end in text, missing
    table = text.split(start, 1)[1].split(end, 1)[0].strip()
    assert table == keymap_markdown().strip(), (
        "README.md's key table is out of date: regenerate it with keymap_markdown()"
    )


def test_every_binding_has_a_scoped_id() -> None:
    markdown = keymap_markdown()
    rows = [line for line in markdown.splitlines()[2:] if line.startswith("|")]
    assert len(rows) >= 15
    for row in rows:
        ident = row.rsplit("|", 2)[1].strip().strip("`")
        scope, _, verb = ident.partition(".")
        assert scope in {"app", "fleet", "action", "table", "help", "sources", "prompt"}, row
        assert verb, row
