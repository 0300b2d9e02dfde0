"""Regenerate the README screenshots from the demo account with a fixed seed.

    .venv/bin/python screenshots/generate.py

Runs the real app (the same collector and code path as against AWS) headless against the
embedded demo server, waits for the first complete snapshot, and saves SVGs here.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SIZES = ((80, 24), (160, 48))


class RecordingSource:
    """Passes everything to the collector and remembers when every source has answered."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.complete = asyncio.Event()

    async def run(self, on_snapshot: Any) -> None:
        def record(snapshot: Any) -> None:
            on_snapshot(snapshot)
            details_done = all("inventory" not in row.stale for row in snapshot.functions)
            if snapshot.functions and snapshot.all_sources_ok and details_done:
                self.complete.set()

        await self.inner.run(record)

    def refresh_now(self) -> None:
        self.inner.refresh_now()

    def pause(self, paused: bool) -> None:
        self.inner.pause(paused)

    def set_window(self, minutes: int) -> None:
        self.inner.set_window(minutes)

    def set_visible(self, arns: Iterable[str]) -> None:
        self.inner.set_visible(arns)


async def capture(width: int, height: int, seed: int) -> Path:
    from lambdatop.aws.session import AwsTarget, ClientPool
    from lambdatop.cadence import Cadence
    from lambdatop.cli import build_app
    from lambdatop.clock import SystemClock
    from lambdatop.collector import Collector
    from lambdatop.demo.launch import start_demo
    from lambdatop.settings import Settings

    demo = start_demo(seed, live=False)
    try:
        target = AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True)
        pool = ClientPool(target)
        clock = SystemClock()
        collector = Collector(pool, [demo.region], clock, cadence=Cadence().for_demo(), owns_pool=True)
        source = RecordingSource(collector)
        settings = Settings(demo=True, seed=seed)
        app = build_app(settings, source, None, clock, demo=True)
        async with app.run_test(size=(width, height)) as pilot:
            await asyncio.wait_for(source.complete.wait(), timeout=60)
            await pilot.pause(1.0)
            path = HERE / f"fleet-{width}x{height}.svg"
            app.save_screenshot(filename=path.name, path=str(HERE))
        return path
    finally:
        demo.stop()


def main() -> int:
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    for width, height in SIZES:
        path = asyncio.run(capture(width, height, seed))
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
