"""Pictures of the screens, compared with the stored SVGs (`pytest --snapshot-update` redraws).

Fixed data and a fixed clock; no blinking cursor is on screen (the prompt is closed), so every
run draws the same frame.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from lambdatop.settings import Settings
from tests.snapshots.scene import scene_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen

SnapCompare = Callable[..., bool]
SHIPPED_THEMES = ("dark", "light", "high-contrast", "ansi")


async def _loaded(pilot: Pilot[Any]) -> None:
    fleet = fleet_screen(pilot)
    for _ in range(300):
        if fleet.table.row_count and fleet.view.snapshot is not None:
            break
        await pilot.pause(0.01)
    await pilot.pause()


def _app(**settings: Any) -> Any:
    source = ScriptedSource([scene_snapshot()])
    return build_test_app(source=source, settings=Settings(profile="ops", **settings))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_fleet(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, run_before=_loaded)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_help(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), press=["question_mark"], terminal_size=size, run_before=_loaded)


def test_fleet_prod_read_only_paused_filtered(snap_compare: SnapCompare) -> None:
    async def prepare(pilot: Pilot[Any]) -> None:
        await _loaded(pilot)
        await pilot.press("space", "slash", *"api", "enter")

    app = _app(prod=True, read_only=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=prepare)


@pytest.mark.parametrize("theme", SHIPPED_THEMES)
def test_theme(snap_compare: SnapCompare, theme: str) -> None:
    assert snap_compare(_app(theme=theme), terminal_size=(80, 24), run_before=_loaded)
