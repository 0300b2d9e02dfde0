"""A scripted snapshot source, the app factory, and waiting helpers the UI tests share."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from textual.pilot import Pilot

from lambdatop.clock import Clock, FakeClock
from lambdatop.model.snapshot import FleetSnapshot
from lambdatop.protocols import SnapshotCallback, SnapshotSource
from lambdatop.settings import Settings
from lambdatop.ui.app import LambdatopApp
from lambdatop.ui.screens.fleet import FleetScreen
from tests.factories import NOW


class ScriptedSource:
    """A SnapshotSource that delivers snapshots when the test says so and records every call."""

    def __init__(self, snapshots: Iterable[FleetSnapshot] = ()) -> None:
        self.initial = list(snapshots)
        self.callback: SnapshotCallback | None = None
        self.calls: list[tuple[str, Any]] = []
        self.visible: list[list[str]] = []
        self._failure: BaseException | None = None
        self._failed = asyncio.Event()

    async def run(self, on_snapshot: SnapshotCallback) -> None:
        self.callback = on_snapshot
        for snapshot in self.initial:
            on_snapshot(snapshot)
        await self._failed.wait()
        assert self._failure is not None
        raise self._failure

    def emit(self, snapshot: FleetSnapshot) -> None:
        assert self.callback is not None, "the app has not started the source yet"
        self.callback(snapshot)

    def fail(self, error: BaseException) -> None:
        self._failure = error
        self._failed.set()

    def refresh_now(self) -> None:
        self.calls.append(("refresh_now", None))

    def pause(self, paused: bool) -> None:
        self.calls.append(("pause", paused))

    def set_window(self, minutes: int) -> None:
        self.calls.append(("set_window", minutes))

    def set_visible(self, arns: Iterable[str]) -> None:
        self.visible.append(list(arns))

    def refresh_function(self, arn: str) -> None:
        self.calls.append(("refresh_function", arn))


def build_test_app(
    *,
    source: SnapshotSource,
    settings: Settings | None = None,
    clock: Clock | None = None,
    operator: Any = None,
    **extra: Any,
) -> LambdatopApp:
    """Through `lambdatop.cli.build_app` (the CLI's own factory) when it exists."""
    settings = settings or Settings()
    clock = clock or FakeClock(NOW)
    try:
        from lambdatop.cli import build_app
    except ImportError:
        return LambdatopApp(settings=settings, source=source, operator=operator, clock=clock, **extra)
    app = build_app(settings, source, operator, clock, **extra)
    assert isinstance(app, LambdatopApp)
    return app


async def settle(pilot: Pilot[Any], predicate: Any = None, *, timeout_s: float = 3.0) -> None:
    """Let messages and repaints go through (until `predicate()` holds, if given)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    await pilot.pause()
    while predicate is not None and not predicate():
        if loop.time() > deadline:
            raise AssertionError("the app did not reach the expected state in time")
        await pilot.pause(0.01)
    await pilot.pause()


async def deliver(pilot: Pilot[Any], source: ScriptedSource, snapshot: FleetSnapshot) -> None:
    """Hand a snapshot to the app and wait until the fleet screen shows it."""
    source.emit(snapshot)
    fleet = fleet_screen(pilot)
    await settle(pilot, lambda: fleet.view.snapshot is snapshot)


def fleet_screen(pilot: Pilot[Any]) -> FleetScreen:
    app = pilot.app
    assert isinstance(app, LambdatopApp)
    return app.fleet


def table_names(pilot: Pilot[Any]) -> list[str]:
    """Function names in display order, as the table shows them."""
    table = fleet_screen(pilot).table
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def record_notifications(app: LambdatopApp) -> list[str]:
    """Every message the app shows with `notify`, from now on."""
    seen: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        seen.append(message)
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen
