"""A snapshot source that starts the demo account in the background, then reads it.

The screen comes up at once; the embedded server starts and the simulated account is seeded
(a few seconds: an hour of traffic is written) in a thread, while the status bar says every
source is still waiting. Then the ordinary collector reads the demo exactly as it would AWS.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lambdatop.model.snapshot import FleetSnapshot
from lambdatop.protocols import SnapshotCallback

if TYPE_CHECKING:
    from pathlib import Path

    from lambdatop.aws.actions import AwsOperator
    from lambdatop.clock import Clock
    from lambdatop.collector import Collector
    from lambdatop.collector.cadence import Cadence
    from lambdatop.demo.launch import DemoAccount
    from lambdatop.model.plans import Plan
    from lambdatop.model.validation import ActionOutcome, Preview


# The sources of the first screen: once they have answered, the demo writes the rest of its
# hour (and starts moving); at the latest after FIRST_SCREEN_HOLD_S.
FIRST_SCREEN_SOURCES = ("inventory", "metrics", "logs")
FIRST_SCREEN_HOLD_S = 5.0


class DemoBootingSource:
    def __init__(self, seed: int | None, clock: Clock, cadence: Cadence, window_minutes: int) -> None:
        self.seed = seed
        self.clock = clock
        self.cadence = cadence
        self.window_minutes = window_minutes
        self.demo: DemoAccount | None = None
        self.collector: Collector | None = None
        self._paused = False
        self._visible: list[str] = []
        self._started = threading.Event()  # set once start_demo has returned (or failed)

    async def run(self, on_snapshot: SnapshotCallback) -> None:
        from lambdatop.aws.session import AwsTarget, ClientPool
        from lambdatop.collector import Collector
        from lambdatop.demo.launch import start_demo

        if self.demo is None:
            try:
                # Only the minutes of the window on screen are written before the collector
                # starts; the rest of the hour follows once the first screen is read.
                self.demo = await asyncio.to_thread(
                    start_demo,
                    self.seed,
                    live=True,
                    first_screen_minutes=self.window_minutes,
                    hold_s=FIRST_SCREEN_HOLD_S,
                )
            finally:
                self._started.set()
        demo = self.demo
        target = AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True)
        collector = Collector(
            ClientPool(target),
            [demo.region],
            self.clock,
            window_minutes=self.window_minutes,
            cadence=self.cadence,
            owns_pool=True,
        )
        collector.set_visible(self._visible)
        collector.pause(self._paused)
        self.collector = collector

        def first_screen_aware(snapshot: FleetSnapshot) -> None:
            sources = snapshot.sources
            if snapshot.functions and all(name in sources and sources[name].ok for name in FIRST_SCREEN_SOURCES):
                demo.go_on()
            on_snapshot(snapshot)

        await collector.run(first_screen_aware)

    def refresh_now(self) -> None:
        if self.collector is not None:
            self.collector.refresh_now()

    def pause(self, paused: bool) -> None:
        self._paused = paused
        if self.collector is not None:
            self.collector.pause(paused)

    def set_window(self, minutes: int) -> None:
        self.window_minutes = minutes
        if self.collector is not None:
            self.collector.set_window(minutes)

    def set_visible(self, arns: Iterable[str]) -> None:
        self._visible = list(arns)
        if self.collector is not None:
            self.collector.set_visible(self._visible)

    def refresh_function(self, arn: str) -> None:
        if self.collector is not None:
            self.collector.refresh_function(arn)

    def stop(self, wait_s: float = 30.0) -> None:
        """After the app has exited: let a start in progress finish, then stop everything."""
        if not self._started.is_set():
            self._started.wait(timeout=wait_s)
        demo: Any = self.demo
        if demo is not None:
            with contextlib.suppress(Exception):
                demo.stop()
            self.demo = None


class DemoBootingOperator:
    """The operator for the demo account: the real AwsOperator, once the account is up."""

    def __init__(self, source: DemoBootingSource, clock: Clock, *, read_only: bool, journal_path: Path) -> None:
        self._source = source
        self._clock = clock
        self._read_only = read_only
        self._journal_path = journal_path
        self._operator: AwsOperator | None = None

    @property
    def read_only(self) -> bool:
        return self._read_only

    def _real(self) -> AwsOperator:
        if self._operator is None:
            demo = self._source.demo
            if demo is None:
                raise RuntimeError("the demo account is still starting: try again in a few seconds")
            from lambdatop.aws.actions import AwsOperator
            from lambdatop.aws.session import AwsTarget, ClientPool
            from lambdatop.journal import Journal

            collector = self._source.collector
            # The collector's pool (closed with it, and its meter counts the writes), once it exists.
            pool = (
                collector.pool
                if collector is not None
                else ClientPool(AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True))
            )
            self._operator = AwsOperator(
                pool,
                Journal(self._journal_path),
                self._clock,
                profile="demo",
                read_only=self._read_only,
                # The collector's budget: a write goes ahead of its queued reads.
                budget_for=collector.budgets.for_region if collector is not None else None,
            )
        return self._operator

    async def preview(self, plan: Plan, *, concurrency_now: float | None = None) -> Preview:
        return await self._real().preview(plan, concurrency_now=concurrency_now)

    async def apply(self, shown: Preview) -> ActionOutcome:
        return await self._real().apply(shown)

    async def undo_preview(self, account_id: str, region: str) -> Preview | None:
        return await self._real().undo_preview(account_id, region)

    def unfinished(self) -> list[str]:
        from lambdatop.journal import Journal

        return [e.describe() for e in Journal(self._journal_path).settle_unfinished(self._clock.now())]
