"""The two small interfaces the UI depends on, so it never needs `lambdatop.aws`.

`cli.build_app()` wires the real collector and operator; tests inject fakes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from lambdatop.model.function_snapshot import DetailRequest, FunctionSnapshot
from lambdatop.model.plans import Plan
from lambdatop.model.snapshot import FleetSnapshot
from lambdatop.model.validation import ActionOutcome, Preview

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

    def refresh_function(self, arn: str) -> None:
        """Re-read this function's configuration as soon as possible (after an action)."""


class Operator(Protocol):
    """Validates change plans against the live account and applies them (the only path that
    mutates AWS). A read-only operator refuses every plan, whoever asks."""

    @property
    def read_only(self) -> bool: ...

    async def preview(self, plan: Plan, *, concurrency_now: float | None = None) -> Preview:
        """Read the live values and validate; nothing is written."""

    async def apply(self, shown: Preview) -> ActionOutcome:
        """Re-validate, journal, write, journal the result."""

    async def undo_preview(self, account_id: str, region: str) -> Preview | None:
        """The inverse of the last action on this account+Region (None: nothing to undo)."""

    def unfinished(self) -> list[str]:
        """Journalled intents that never got a result (a crash mid-call)."""


FunctionSnapshotCallback = Callable[[FunctionSnapshot], None]


class DetailSource(Protocol):
    """Reads one function for the detail screen while it is open (`lambdatop.detail_source`)."""

    async def run(self, request: DetailRequest, on_snapshot: FunctionSnapshotCallback) -> None:
        """Refresh this function (config, metrics 60 s, logs 30 s) until cancelled (= closed)."""

    def refresh_now(self) -> None:
        """Read everything again as soon as possible."""

    def request_traces(self) -> None:
        """Read X-Ray now (on demand only: traces are priced per trace)."""
