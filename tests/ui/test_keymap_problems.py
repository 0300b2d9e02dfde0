"""A `[keymap]` you can trust: typos and clashes are said once, at start."""

from __future__ import annotations

from lambdatop.settings import Settings
from lambdatop.ui.keys import keymap_problems
from tests.factories import make_row, make_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, settle


def test_the_shipped_bindings_have_no_problems() -> None:
    assert keymap_problems({}) == []


def test_an_unknown_id_gets_a_did_you_mean() -> None:
    assert keymap_problems({"fleet.pasue": "p"}) == [
        "[keymap] unknown binding id 'fleet.pasue'; did you mean 'fleet.pause'?"
    ]


def test_a_remap_onto_another_actions_key_is_a_clash() -> None:
    problems = keymap_problems({"fleet.refresh": "space"})
    assert problems == ["[keymap] 'space' is bound to fleet.pause and fleet.refresh: only one of them will work"]


def test_the_same_key_on_different_screens_is_no_clash() -> None:
    assert keymap_problems({"help.close": "x"}) == []


async def test_the_app_says_each_problem_once_at_start() -> None:
    settings = Settings(keymap={"fleet.refresh": "space", "app.hlep": "f1"})
    source = ScriptedSource([make_snapshot([make_row("fn")])])
    app = build_test_app(source=source, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        source.emit(make_snapshot([make_row("fn")]))
        await settle(pilot)
        told = [n.message for n in app._notifications if n.title == "keymap"]
    assert told == [
        "[keymap] unknown binding id 'app.hlep'; did you mean 'app.help'?",
        "[keymap] 'space' is bound to fleet.pause and fleet.refresh: only one of them will work",
    ]
