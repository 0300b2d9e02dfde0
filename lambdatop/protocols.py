"""The two small interfaces the UI depends on, so it never needs `lambdatop.aws`.

`cli.build_app()` wires the real collector and operator; tests inject fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from lambdatop.model.function_snapshot import DetailRequest, FunctionSnapshot
from lambdatop.model.snapshot import FleetSnapshot

SnapshotCallback = Callable[[FleetSnapshot], None]


class SnapshotSource(Protocol):
    """Produces FleetSnapshots until cancelled."""

    async def run(self, on_snapshot: SnapshotCallback) -> None:
        """Poll forever, calling `on_snapshot` with each new snapshot. Cancel to stop."""

    def refresh_now(self) -> None:
        """Poll every source as soon as possible."""

    def pause(self, paused: bool) -> None:
        """Stop (True) or resume (False) polling; the last snapshot stays on screen."""

    def set_window(self, minutes: int) -> None:
        """Change the window the numbers are computed over; triggers a refresh."""

    def set_visible(self, arns: Iterable[str]) -> None:
        """The functions on screen: they refresh every minute (the hot tier)."""


class Operator(Protocol):
    """Applies validated change plans to AWS (the only path that mutates state)."""

    async def apply(self, plan: Any) -> Any: ...


FunctionSnapshotCallback = Callable[[FunctionSnapshot], None]


class DetailSource(Protocol):
    """Reads one function for the detail screen while it is open (`lambdatop.detail_source`)."""

    async def run(self, request: DetailRequest, on_snapshot: FunctionSnapshotCallback) -> None:
        """Refresh this function (config, metrics 60 s, logs 30 s) until cancelled (= closed)."""

    def refresh_now(self) -> None:
        """Read everything again as soon as possible."""

    def request_traces(self) -> None:
        """Read X-Ray now (on demand only: traces are priced per trace)."""
