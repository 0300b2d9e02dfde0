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

from lambdatop.protocols import SnapshotCallback

if TYPE_CHECKING:
    from lambdatop.clock import Clock
    from lambdatop.collector import Collector
    from lambdatop.collector.cadence import Cadence
    from lambdatop.demo.launch import DemoAccount


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
                self.demo = await asyncio.to_thread(start_demo, self.seed, live=True)
            finally:
                self._started.set()
        demo = self.demo
        target = AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True)
        collector = Collector(
            ClientPool(target), [demo.region], self.clock, window_minutes=self.window_minutes,
            cadence=self.cadence, owns_pool=True,
        )
        collector.set_visible(self._visible)
        collector.pause(self._paused)
        self.collector = collector
        await collector.run(on_snapshot)

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

    def stop(self, wait_s: float = 30.0) -> None:
        """After the app has exited: let a start in progress finish, then stop everything."""
        if not self._started.is_set():
            self._started.wait(timeout=wait_s)
        demo: Any = self.demo
        if demo is not None:
            with contextlib.suppress(Exception):
                demo.stop()
            self.demo = None
