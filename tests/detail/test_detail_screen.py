"""The detail screen driven by keys: open from the fleet, read the panels, act, come back."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from lambdatop.model.function_snapshot import FunctionConfigView, FunctionSnapshot, PanelState, TracesView
from lambdatop.ui.screens.detail import FunctionDetailScreen
from lambdatop.ui.screens.text_modal import TextModal
from lambdatop.ui.widgets.detail_panel import DetailPanel
from tests.detail.scene import FixedDetailSource, scene_function_snapshot
from tests.factories import NOW, assert_terminal_safe
from tests.snapshots.scene import scene_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen, settle


def _panel_text(screen: FunctionDetailScreen, panel: str) -> str:
    rendered = screen.query_one(f"#panel-{panel}", DetailPanel).render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


async def _open(pilot: Any) -> FunctionDetailScreen:
    fleet = fleet_screen(pilot)
    await settle(pilot, lambda: fleet.table.row_count > 0)
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(pilot.app.screen, FunctionDetailScreen))
    screen = pilot.app.screen
    assert isinstance(screen, FunctionDetailScreen)
    await settle(pilot, lambda: screen.snapshot is not None)
    return screen


async def test_enter_opens_the_highlighted_function_and_escape_returns_to_the_same_row() -> None:
    detail = FixedDetailSource(scene_function_snapshot())
    app = build_test_app(source=ScriptedSource([scene_snapshot()]), detail_source=detail)
    async with app.run_test(size=(160, 48)) as pilot:
        fleet = fleet_screen(pilot)
        await settle(pilot, lambda: fleet.table.row_count > 2)
        await pilot.press("down", "down")
        before = fleet.table.highlighted_arn
        assert before is not None
        screen = await _open(pilot)
        assert detail.requests[0].arn == before
        current = screen.current_function()
        assert current is not None
        assert current.arn == before
        await pilot.press("escape")
        await settle(pilot, lambda: pilot.app.screen is fleet)
        assert fleet.table.highlighted_arn == before


async def test_panels_show_verdict_diagnosis_cold_starts_queues_and_traces() -> None:
    app = build_test_app(
        source=ScriptedSource([scene_snapshot()]), detail_source=FixedDetailSource(scene_function_snapshot())
    )
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _open(pilot)
        assert "v7 worse than v6: 31 % vs 0.4 %, p < 0.001 over 212 / 1,905 invocations" in _panel_text(
            screen, "versions"
        )
        throttles = _panel_text(screen, "throttles")
        assert "reserved-cap" in throttles
        assert "raise the reserved cap (`c`)" in throttles
        assert "spike" in _panel_text(screen, "cold")
        assert "version 7 published" in _panel_text(screen, "cold")
        queues = _panel_text(screen, "queues")
        assert "checkout-failures" in queues
        assert "+2.4/min" in queues
        traces = _panel_text(screen, "traces")
        assert "payments.partner.example" in traces
        assert "2117 traces scanned, 2 retrieved" in traces
        assert "reserved 100" in _panel_text(screen, "config")


async def test_errors_are_grouped_sanitised_and_enter_shows_the_latest_lines() -> None:
    app = build_test_app(
        source=ScriptedSource([scene_snapshot()]), detail_source=FixedDetailSource(scene_function_snapshot())
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        table = screen.query_one("#signatures", DataTable)
        assert table.row_count == 3
        cells = [str(table.get_row_at(i)[4]) for i in range(3)]
        for cell in cells:
            assert_terminal_safe(cell)
        assert "v7 new" in str(table.get_row_at(0)[3])
        assert "1 new since v7" in _panel_text(screen, "errors")
        await pilot.press("l")
        await settle(pilot, lambda: table.has_focus)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(pilot.app.screen, TextModal))
        await pilot.press("escape")
        await settle(pilot, lambda: pilot.app.screen is screen)


async def test_keys_ask_for_traces_refresh_copy_and_links() -> None:
    detail = FixedDetailSource(scene_function_snapshot())
    app = build_test_app(source=ScriptedSource([scene_snapshot()]), detail_source=detail)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("t", "r", "y", "Y")
        await settle(pilot)
        assert detail.calls == ["request_traces", "refresh_now"]
        assert copied == [screen.snapshot.config.arn if screen.snapshot else "", "8f5c2c1e-4b1a-4c38-9d0e-2d9e6a0b7c11"]
        await pilot.press("o")
        await settle(pilot, lambda: isinstance(pilot.app.screen, TextModal))
        await pilot.press("escape")
        await pilot.press("j")
        await settle(pilot, lambda: isinstance(pilot.app.screen, TextModal))


def _empty(name: str) -> FunctionSnapshot:
    ok = PanelState(ok=True, updated_at=NOW)
    return FunctionSnapshot(
        generated_at=NOW,
        window_minutes=15,
        config=FunctionConfigView(name=name, arn="", region="us-east-1", tracing_mode="PassThrough"),
        traces=TracesView(),
        panels={
            "config": ok,
            "metrics": ok,
            "queues": ok,
            "versions": PanelState(ok=True, updated_at=NOW, note="no data: no alias with weighted routing"),
            "logs": PanelState(ok=True, updated_at=NOW, note="no data: log group /aws/lambda/x does not exist"),
            "traces": PanelState(ok=True, updated_at=NOW, note="no data: tracing is off (PassThrough)"),
        },
    )


async def test_no_logs_no_traces_no_alias_say_no_data() -> None:
    app = build_test_app(
        source=ScriptedSource([scene_snapshot()]), detail_source=FixedDetailSource(_empty("checkout-api"))
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert "no data: no alias" in _panel_text(screen, "versions")
        assert "no data: tracing is off" in _panel_text(screen, "traces")
        assert "no data: log group" in _panel_text(screen, "cold")
        assert "no error" in _panel_text(screen, "errors")


async def test_a_failing_source_marks_its_panels_stale_and_keeps_the_rest() -> None:
    snap = scene_function_snapshot()
    failing = dict(snap.panels)
    failing["traces"] = PanelState(ok=False, updated_at=NOW, error="ThrottledException")
    from dataclasses import replace

    app = build_test_app(
        source=ScriptedSource([scene_snapshot()]), detail_source=FixedDetailSource(replace(snap, panels=failing))
    )
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        assert "stale (0s): ThrottledException" in _panel_text(screen, "traces")
        assert "payments.partner.example" in _panel_text(screen, "traces")  # what was known stays
        assert screen.query_one("#panel-traces").has_class("-stale")


async def test_without_a_detail_source_the_screen_still_opens() -> None:
    app = build_test_app(source=ScriptedSource([scene_snapshot()]))
    async with app.run_test(size=(80, 24)) as pilot:
        fleet = fleet_screen(pilot)
        await settle(pilot, lambda: fleet.table.row_count > 0)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(pilot.app.screen, FunctionDetailScreen))
        screen = pilot.app.screen
        assert isinstance(screen, FunctionDetailScreen)
        await settle(pilot, lambda: "no detail source" in _panel_text(screen, "config"))


async def test_help_on_the_detail_screen_lists_its_keys() -> None:
    from lambdatop.ui.screens.help import HelpScreen

    app = build_test_app(
        source=ScriptedSource([scene_snapshot()]), detail_source=FixedDetailSource(scene_function_snapshot())
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await _open(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        text = str(pilot.app.screen.query_one("#help-text").render())
        for ident in ("detail.back", "detail.traces", "detail.errors", "detail.copy-arn", "detail.links"):
            assert ident in text
