"""Pictures of the function detail screen at both sizes (fixed snapshot, fixed clock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from lambdatop.settings import Settings
from lambdatop.ui.screens.detail import FunctionDetailScreen
from tests.detail.scene import FixedDetailSource, scene_function_snapshot
from tests.snapshots.scene import scene_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen

SnapCompare = Callable[..., bool]


async def _opened(pilot: Pilot[Any]) -> None:
    fleet = fleet_screen(pilot)
    for _ in range(300):
        if fleet.table.row_count:
            break
        await pilot.pause(0.01)
    await pilot.press("enter")
    for _ in range(300):
        screen = pilot.app.screen
        if isinstance(screen, FunctionDetailScreen) and screen.snapshot is not None:
            break
        await pilot.pause(0.01)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_detail(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app = build_test_app(
        source=ScriptedSource([scene_snapshot()]),
        settings=Settings(profile="ops"),
        detail_source=FixedDetailSource(scene_function_snapshot()),
    )
    assert snap_compare(app, terminal_size=size, run_before=_opened)
