"""`:profile` / `:region` are checked before they replace a working view, and `-` goes back."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.pilot import Pilot

from lambdatop.settings import Settings
from tests.factories import make_row, make_snapshot
from tests.ui.fakes import ScriptedSource, build_test_app, record_notifications, settle, table_names

SIZE = (100, 30)


class ConfigurationProblem(Exception):
    pass


class CheckingFactory:
    """Like the CLI's factory: asks (asynchronously) before it builds a source."""

    def __init__(self, known: dict[str | None, ScriptedSource]) -> None:
        self.known = known
        self.asked: list[Settings] = []

    async def __call__(self, settings: Settings) -> ScriptedSource:
        self.asked.append(settings)
        await asyncio.sleep(0.01)  # STS takes a moment; the screen keeps working meanwhile
        if settings.profile not in self.known:
            raise ConfigurationProblem(f"The config profile ({settings.profile}) could not be found")
        return self.known[settings.profile]


async def _command(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("colon", *text, "enter")
    await settle(pilot)


def _source(*names: str) -> ScriptedSource:
    return ScriptedSource([make_snapshot([make_row(name) for name in names])])


async def test_a_failed_profile_switch_keeps_the_view_and_dash_returns() -> None:
    prod, staging = _source("prod-api", "prod-worker"), _source("staging-api")
    factory = CheckingFactory({"staging": staging, "prod": _source("prod-api", "prod-worker")})
    app = build_test_app(source=prod, settings=Settings(profile="prod"), source_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: table_names(pilot) == ["prod-api", "prod-worker"])
        messages = record_notifications(app)

        await _command(pilot, "profile nonexistent")
        await settle(pilot, lambda: any("cannot switch" in m for m in messages))
        assert table_names(pilot) == ["prod-api", "prod-worker"]  # the working view stays
        assert app.settings.profile == "prod"
        assert any("nonexistent" in m and "still showing profile prod" in m for m in messages)

        await _command(pilot, "profile staging")
        await settle(pilot, lambda: table_names(pilot) == ["staging-api"])
        assert app.settings.profile == "staging"

        await _command(pilot, "profile -")
        await settle(pilot, lambda: table_names(pilot) == ["prod-api", "prod-worker"])
        assert app.settings.profile == "prod"
        assert factory.asked[-1].profile == "prod"


async def test_dash_with_no_earlier_view_says_so() -> None:
    app = build_test_app(source=_source("a"), source_factory=CheckingFactory({}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        messages = record_notifications(app)
        await _command(pilot, "region -")
        assert any("no earlier region" in m for m in messages)


async def test_a_region_that_is_not_a_region_name_is_refused_before_any_call() -> None:
    factory = CheckingFactory({None: _source("b")})
    app = build_test_app(source=_source("a"), source_factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: table_names(pilot) == ["a"])
        messages = record_notifications(app)
        await _command(pilot, "region nowhere")
        assert any("'nowhere'" in m and "region name" in m for m in messages)
        assert factory.asked == []
        assert table_names(pilot) == ["a"]
