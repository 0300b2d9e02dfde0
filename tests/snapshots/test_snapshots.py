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


def _operator_app(**settings: Any) -> Any:
    from lambdatop.model.plans import Routing
    from lambdatop.model.validation import LiveState
    from tests.ui.fake_operator import FakeOperator

    operator = FakeOperator(prod=bool(settings.get("prod")))
    operator.live = LiveState(
        reserved=50,
        reserved_known=True,
        provisioned=0,
        concurrency_limit=1000,
        unreserved_limit=620,
        routing=Routing("6", {"7": 0.1}),
        revision_id="r1",
        versions=frozenset({"6", "7"}),
    )
    source = ScriptedSource([scene_snapshot()])
    return build_test_app(source=source, operator=operator, settings=Settings(profile="ops", **settings))


async def _on(pilot: Pilot[Any], name: str) -> None:
    await _loaded(pilot)
    fleet = fleet_screen(pilot)
    for _ in range(fleet.table.row_count):
        row = fleet.current_function()
        if row is not None and row.name == name:
            return
        await pilot.press("down")
    raise AssertionError(f"{name} is not in the scene")


def test_action_preview_typed_confirmation_prod(snap_compare: SnapCompare) -> None:
    """Emergency stop on a prod profile: the name must be typed, the frame in prod colours."""

    async def prepare(pilot: Pilot[Any]) -> None:
        await _on(pilot, "image-resizer")
        await pilot.press("x")
        for _ in range(300):
            if pilot.app.screen is not fleet_screen(pilot):
                break
            await pilot.pause(0.01)
        await pilot.pause()

    assert snap_compare(_operator_app(prod=True), terminal_size=(80, 24), run_before=prepare)


def test_alias_panel(snap_compare: SnapCompare) -> None:
    async def prepare(pilot: Pilot[Any]) -> None:
        await _on(pilot, "checkout-api")
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(_operator_app(), terminal_size=(80, 24), run_before=prepare)
