"""Keys → preview → confirmation → apply, driven by the keyboard as an operator would.

The operator is a fake that validates with the real `model.validation.preview` against a live
state the test sets, and records what it was asked to apply; the real operator is tested
against the embedded server in tests/aws/test_actions.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.pilot import Pilot

from lambdatop.model.plans import AliasPlan, ReservedConcurrencyPlan, Routing
from lambdatop.model.snapshot import AliasRow
from lambdatop.model.validation import ActionContext, LiveState, preview
from lambdatop.settings import Settings
from lambdatop.ui.app import LambdatopApp
from lambdatop.ui.messages import ActionRequested
from lambdatop.ui.screens.action_preview import ActionPreviewScreen
from lambdatop.ui.screens.alias_panel import AliasPanel
from lambdatop.ui.screens.help import HelpScreen
from lambdatop.ui.screens.reserved_prompt import ReservedPrompt
from tests.factories import ACCOUNT, REGION, make_region, make_row, make_snapshot
from tests.ui.fake_operator import FakeOperator
from tests.ui.fakes import ScriptedSource, build_test_app, fleet_screen, record_notifications, settle


def _rows() -> list[Any]:
    canary = AliasRow("live", "6", {"7": 0.1})
    return [
        make_row("video-transcoder", reserved_concurrency=20, concurrency_max=20.0, throttles=170),
        make_row("checkout-api", aliases=(canary,), concurrency_max=40.0),
    ]


def _app(operator: FakeOperator | None, **settings: Any) -> tuple[LambdatopApp, ScriptedSource]:
    snapshot = make_snapshot(_rows(), regions=(make_region(concurrency_limit=1000, unreserved_concurrency_limit=880),))
    source = ScriptedSource([snapshot])
    return build_test_app(source=source, operator=operator, settings=Settings(profile="ops", **settings)), source


async def _ready(pilot: Pilot[Any]) -> None:
    fleet = fleet_screen(pilot)
    await settle(pilot, lambda: fleet.table.row_count == 2)


async def _highlight(pilot: Pilot[Any], name: str) -> None:
    fleet = fleet_screen(pilot)
    for _ in range(3):
        row = fleet.current_function()
        if row is not None and row.name == name:
            return
        await pilot.press("down")
    raise AssertionError(f"{name} not found")


async def _preview_shown(pilot: Pilot[Any]) -> ActionPreviewScreen:
    await settle(pilot, lambda: isinstance(pilot.app.screen, ActionPreviewScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ActionPreviewScreen)
    return screen


def _preview_text(screen: ActionPreviewScreen) -> str:
    from textual.widgets import Static

    return "\n".join(str(s.render()) for s in screen.query(Static))


async def test_c_prefills_the_cap_previews_and_enter_applies() -> None:
    operator = FakeOperator()
    app, source = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await _highlight(pilot, "video-transcoder")
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ReservedPrompt))
        field = app.screen.query_one("#reserved-input")
        assert field.value == "20"  # type: ignore[attr-defined]
        await pilot.press("ctrl+a", "ctrl+k", *"200", "enter")  # select all, clear, type
        screen = await _preview_shown(pilot)
        text = _preview_text(screen)
        assert "reserved concurrency 20 → 200" in text
        assert "PutFunctionConcurrency(FunctionName=video-transcoder, ReservedConcurrentExecutions=200)" in text
        assert "unreserved 900 → 720" in text
        assert "checkout-api (peak 40)" in text  # shares the pool that shrinks
        assert "account 123456789012" in text
        assert operator.applied == []  # nothing written before enter
        await pilot.press("enter")
        await settle(pilot, lambda: bool(operator.applied))
        await settle(pilot, lambda: ("refresh_function", make_row("video-transcoder").arn) in source.calls)
        fleet = fleet_screen(pilot)
        name_cell = str(fleet.table.get_row_at(fleet.table.get_row_index(make_row("video-transcoder").arn))[0])
        assert "✎ you" in name_cell


async def test_escape_cancels_and_nothing_is_written() -> None:
    operator = FakeOperator()
    app, _ = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = record_notifications(app)
        await _ready(pilot)
        await _highlight(pilot, "video-transcoder")
        await pilot.press("C")
        await _preview_shown(pilot)
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, ActionPreviewScreen))
        await settle(pilot, lambda: any("cancelled" in m for m in seen))
        assert operator.applied == []
        assert len(operator.previews) == 1


async def test_emergency_stop_needs_the_name_typed() -> None:
    operator = FakeOperator()
    app, _ = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await _highlight(pilot, "video-transcoder")
        await pilot.press("x")
        screen = await _preview_shown(pilot)
        assert "Type the function name" in _preview_text(screen)
        await pilot.press("enter")  # not typed: nothing happens
        await pilot.press(*"video", "enter")  # wrong: nothing happens
        await settle(pilot)
        assert operator.applied == []
        assert isinstance(app.screen, ActionPreviewScreen)
        await pilot.press(*"-transcoder", "enter")
        await settle(pilot, lambda: bool(operator.applied))
        plan = operator.applied[0].plan
        assert isinstance(plan, ReservedConcurrencyPlan)
        assert plan.after == 0


async def test_a_refused_preview_cannot_be_applied() -> None:
    operator = FakeOperator()
    operator.live = replace(operator.live, unreserved_limit=150)
    app, _ = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await _highlight(pilot, "video-transcoder")
        await pilot.press("c", "ctrl+a", "ctrl+k", *"90", "enter")
        screen = await _preview_shown(pilot)
        assert "REFUSED   account floor" in _preview_text(screen)
        await pilot.press("enter")
        await settle(pilot)
        assert operator.applied == []


def _canary_operator() -> FakeOperator:
    """checkout-api's alias `live`: v6 with 10 % on v7."""
    operator = FakeOperator()
    operator.live = LiveState(routing=Routing("6", {"7": 0.1}), revision_id="r1", versions=frozenset({"6", "7"}))
    return operator


async def _open_alias_panel(pilot: Pilot[Any]) -> None:
    await pilot.press("a")
    await settle(pilot, lambda: isinstance(pilot.app.screen, AliasPanel))


async def test_alias_panel_rolls_the_canary_back() -> None:
    operator = _canary_operator()
    app, _ = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await _highlight(pilot, "checkout-api")
        await _open_alias_panel(pilot)
        await pilot.press("b")
        screen = await _preview_shown(pilot)
        assert "live: v7 10 % → 0 %" in _preview_text(screen)
        await pilot.press("enter")
        await settle(pilot, lambda: bool(operator.applied))
        plan = operator.applied[0].plan
        assert isinstance(plan, AliasPlan)
        assert plan.after == Routing("6", {"7": 0.0})


async def test_alias_panel_steps_and_promote_needs_the_name() -> None:
    operator = _canary_operator()
    app, _ = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await _highlight(pilot, "checkout-api")
        await _open_alias_panel(pilot)
        await pilot.press("plus")
        screen = await _preview_shown(pilot)
        assert "live: v7 10 % → 15 %" in _preview_text(screen)
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, ActionPreviewScreen))
        await _open_alias_panel(pilot)
        await pilot.press("p")
        screen = await _preview_shown(pilot)
        assert screen.preview.typed
        await pilot.press(*"checkout-api", "enter")
        await settle(pilot, lambda: bool(operator.applied))
        assert operator.applied[0].plan.after == Routing("7", {})  # type: ignore[comparison-overlap]


async def test_undo_previews_the_inverse_and_enter_applies() -> None:
    operator = FakeOperator()
    operator.live = replace(operator.live, reserved=200)  # still what "20 → 200" wrote
    target = ReservedConcurrencyPlan.set(replace_target(), 200, 20)  # what undo of "20 → 200" plans
    operator.undo = replace(preview(target, operator.live, ActionContext(ACCOUNT, REGION, "ops")), undo_of="j1")
    app, _ = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("u")
        screen = await _preview_shown(pilot)
        assert "undo" in str(screen.query_one("#preview").border_title or "")
        assert not screen.preview.typed
        await pilot.press("enter")
        await settle(pilot, lambda: bool(operator.applied))


def replace_target() -> Any:
    from lambdatop.model.plans import Target

    row = make_row("video-transcoder")
    return Target(row.arn, row.name, row.account_id, row.region)


# --- read-only: every path --------------------------------------------------------------------


async def test_read_only_greys_out_every_write_key_and_says_why() -> None:
    operator = FakeOperator(read_only=True)
    app, _ = _app(operator, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await _ready(pilot)
        bindings = fleet_screen(pilot).active_bindings
        for key in ("c", "C", "x", "a", "u"):
            assert key in bindings, key
            assert bindings[key].enabled is False, key
        for key in ("c", "C", "x", "a", "u"):  # pressing them does nothing at all
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is fleet_screen(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = str(app.screen.query_one("#help-text").render())
        assert "unavailable: read-only mode" in text
    assert operator.previews == []
    assert operator.applied == []


async def test_read_only_palette_and_command_line_offer_no_write() -> None:
    operator = FakeOperator(read_only=True)
    app, _ = _app(operator, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Refresh now" in titles
        for write in ("Set reserved concurrency", "Remove reserved concurrency", "Emergency stop", "Undo last action"):
            assert write not in titles
        seen = record_notifications(app)
        await pilot.press("colon", *"stop video-transcoder", "enter")
        await settle(pilot, lambda: bool(seen))
        # A screen that posts a request directly (a future screen) is refused by the app too.
        plan = ReservedConcurrencyPlan.stop(replace_target(), 20)
        app.post_message(ActionRequested(plan))
        await settle(pilot)
        app.action_emergency_stop()  # and the action itself, however it is reached
        app.action_undo()
        await settle(pilot)
    assert operator.previews == []
    assert operator.applied == []


async def test_writes_available_palette_lists_them() -> None:
    app, _ = _app(FakeOperator())
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Emergency stop" in titles
        assert fleet_screen(pilot).active_bindings["c"].enabled is True


async def test_without_an_operator_the_keys_say_why() -> None:
    app, _ = _app(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        assert fleet_screen(pilot).active_bindings["x"].enabled is False
        assert app.write_unavailable_reason() is not None


async def test_an_intent_without_result_is_shown_at_start() -> None:
    operator = FakeOperator()
    operator.unfinished = lambda: ["2026-11-23T03:00 reserved-concurrency:stop cart-api (us-east-1): Put…"]  # type: ignore[method-assign]
    app, _ = _app(operator)
    seen: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        seen.append(message)
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await settle(pilot, lambda: any("intent without result" in m for m in seen))
        assert any("cart-api" in m for m in seen)


async def test_several_aliases_choose_one_then_set_an_exact_weight() -> None:
    operator = FakeOperator()
    operator.live = LiveState(routing=Routing("3", {"4": 0.5}), revision_id="r", versions=frozenset({"3", "4"}))
    aliases = (AliasRow("live", "6", {"7": 0.1}), AliasRow("beta", "3", {"4": 0.5}))
    row = make_row("checkout-api", aliases=aliases)
    source = ScriptedSource([make_snapshot([row])])
    app = build_test_app(source=source, operator=operator, settings=Settings(profile="ops"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 1)
        await _open_alias_panel(pilot)
        await pilot.press("down", "equals_sign")
        await pilot.press(*"25", "enter")  # `+`/`-` would be characters here, not steps
        screen = await _preview_shown(pilot)
        plan = screen.preview.plan
        assert isinstance(plan, AliasPlan)
        assert plan.alias == "beta"
        assert plan.after == Routing("3", {"4": 0.25})
        assert "beta: v4 50 % → 25 %" in _preview_text(screen)


async def test_hostile_names_are_shown_as_text_never_as_markup() -> None:
    operator = FakeOperator()
    hostile = make_row("[bold red]evil[/]\x1b[2Jfn", reserved_concurrency=20)
    source = ScriptedSource([make_snapshot([hostile])])
    app = build_test_app(source=source, operator=operator, settings=Settings(profile="ops"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, lambda: fleet_screen(pilot).table.row_count == 1)
        await pilot.press("C")
        screen = await _preview_shown(pilot)
        text = _preview_text(screen)
        assert "[bold red]evil[/]" in text  # literally, not interpreted
        assert "\x1b" not in text


async def test_a_second_request_while_one_is_open_is_refused_not_swapped_in() -> None:
    operator = FakeOperator()
    app, _ = _app(operator)
    async with app.run_test(size=(80, 24)) as pilot:
        seen = record_notifications(app)
        await _ready(pilot)
        await _highlight(pilot, "video-transcoder")
        await pilot.press("C")
        first = await _preview_shown(pilot)
        app.post_message(ActionRequested(ReservedConcurrencyPlan.stop(replace_target(), 20)))
        await settle(pilot, lambda: any("in progress" in m for m in seen))
        assert app.screen is first
        await pilot.press("enter")
        await settle(pilot, lambda: bool(operator.applied))
        assert len(operator.previews) == 1
        assert operator.applied[0].plan.kind == "remove"  # type: ignore[union-attr]
