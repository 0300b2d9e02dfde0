"""UI benchmarks: how long a refresh takes to reach the table, and how many bytes it costs
on the wire (what matters over SSH at 3 a.m.).

    python -m lambdatop.bench_ui              # both figures, default sizes
    python -m lambdatop.bench_ui --rows 2000

`measure_ui_update_ms` runs the app headless (`App.run_test`) with a scripted source;
`measure_terminal_bytes_per_refresh` runs it in a real pseudo-terminal (80x24) in a child
process and counts the bytes it writes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import selectors
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from lambdatop.clock import FakeClock
from lambdatop.model.snapshot import (
    SOURCE_NAMES,
    FleetSnapshot,
    FunctionRow,
    RegionSummary,
    SourceStatus,
)
from lambdatop.protocols import SnapshotCallback
from lambdatop.settings import Settings

WARMUP = 2
START = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"
WORDS = ("orders", "payments", "thumbs", "search", "auth", "cart", "email", "report", "geo",
         "stream", "billing", "invoice", "profile", "session", "catalog", "shipping")  # fmt: skip


class ScriptedSource:
    """A SnapshotSource driven by the benchmark: `emit` hands the app one snapshot."""

    def __init__(self) -> None:
        self._callback: SnapshotCallback | None = None
        self.started = asyncio.Event()

    async def run(self, on_snapshot: SnapshotCallback) -> None:
        self._callback = on_snapshot
        self.started.set()
        await asyncio.Event().wait()

    def emit(self, snapshot: FleetSnapshot) -> None:
        assert self._callback is not None
        self._callback(snapshot)

    def refresh_now(self) -> None: ...

    def pause(self, paused: bool) -> None: ...

    def set_window(self, minutes: int) -> None: ...

    def set_visible(self, arns: Iterable[str]) -> None: ...

    def refresh_function(self, arn: str) -> None: ...


# --- synthetic fleets -------------------------------------------------------------------------


def synthetic_rows(n_rows: int, seed: int = 7) -> list[FunctionRow]:
    """A fleet with the usual shape: mostly healthy, a few erroring / throttling / queueing."""
    rng = random.Random(seed)
    rows = []
    for i in range(n_rows):
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i:05d}"
        invocations = rng.randint(0, 50_000)
        trouble = rng.random()
        rows.append(FunctionRow(
            arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}", name=name,
            account_id=ACCOUNT, region=REGION, runtime=rng.choice(("python3.12", "nodejs20.x")),
            invocations=invocations,
            errors=int(invocations * 0.08) if trouble < 0.02 else 0,
            throttles=rng.randint(1, 500) if 0.02 <= trouble < 0.03 else 0,
            reserved_concurrency=50 if trouble < 0.05 else None,
            concurrency_max=float(rng.randint(0, 60)),
            duration_p99_ms=float(rng.randint(20, 9000)), timeout_s=30,
            invocations_series=tuple(float(rng.randint(0, 500)) for _ in range(15)),
            reports=invocations, cold_starts=invocations // 100, init_p99_ms=650.0,
            metrics_at=START, logs_at=START,
        ))  # fmt: skip
    return rows


def next_rows(rows: list[FunctionRow], step: int, changed_fraction: float) -> list[FunctionRow]:
    """The same fleet one refresh later: `changed_fraction` of the functions got new numbers."""
    rng = random.Random(step)
    every = max(1, round(1 / changed_fraction)) if changed_fraction > 0 else 0
    out = []
    for i, row in enumerate(rows):
        if every and (i + step) % every == 0:
            series = (*row.invocations_series[1:], float(rng.randint(0, 500)))
            row = replace(
                row,
                invocations=(row.invocations or 0) + rng.randint(1, 90),
                invocations_series=series,
                metrics_at=START + timedelta(minutes=step),
            )
        out.append(row)
    return out


def snapshot_of(rows: list[FunctionRow], step: int, base: datetime = START) -> FleetSnapshot:
    at = base + timedelta(minutes=step)
    sources = {n: SourceStatus(name=n, ok=True, updated_at=at - timedelta(seconds=3)) for n in SOURCE_NAMES}
    region = RegionSummary(
        account_id=ACCOUNT,
        region=REGION,
        concurrency_limit=1000,
        unreserved_concurrency_limit=900,
        claimed_account_concurrency_max=300.0 + step,
    )
    return FleetSnapshot(
        generated_at=at,
        window_minutes=15,
        regions=(region,),
        functions=tuple(rows),
        sources=sources,
        cost_usd_per_hour=0.04,
        api_calls_per_minute=30,
        provisional_after=at - timedelta(minutes=2),
        next_refresh_at=at + timedelta(seconds=60),
    )


# --- headless update latency ------------------------------------------------------------------


def measure_ui_update_ms(n_rows: int, repeats: int = 5, changed_fraction: float = 0.05) -> float:
    """Median ms from posting a new snapshot to the table holding it (headless, 160x48).

    `changed_fraction` of the functions get new numbers each time: 0.05 is a hot-tier pass
    (rows on screen and in trouble), 1.0 a fleet-tier pass (every function, every 5 min)."""
    return statistics.median(ui_timings(n_rows, repeats, changed_fraction)["update_ms"])


def ui_timings(
    n_rows: int, repeats: int = 5, changed_fraction: float = 0.05, size: tuple[int, int] = (160, 48)
) -> dict[str, list[float]]:
    """Per repeat: `update_ms` (snapshot posted → table updated), of which `queued_ms` was
    spent waiting in the app's message queue behind other work (a repaint in progress), and
    `paint_ms` (rendering the table's visible rows afterwards: Textual's DataTable cost,
    proportional to the screen size, not to the number of functions)."""
    return asyncio.run(_ui_timings(n_rows, repeats, changed_fraction, size))


async def _ui_timings(
    n_rows: int, repeats: int, changed_fraction: float, size: tuple[int, int]
) -> dict[str, list[float]]:
    from textual.geometry import Region

    from lambdatop.ui.app import LambdatopApp

    source = ScriptedSource()
    app = LambdatopApp(settings=Settings(), source=source, operator=None, clock=FakeClock(START))
    rows = synthetic_rows(n_rows)
    timings: dict[str, list[float]] = {"update_ms": [], "queued_ms": [], "paint_ms": []}
    async with app.run_test(size=size) as pilot:
        await asyncio.wait_for(source.started.wait(), 10)
        await _post_and_wait(app, source, snapshot_of(rows, 0))
        await pilot.pause()
        table = app.fleet.table
        for step in range(1, repeats + WARMUP + 1):
            rows = next_rows(rows, step, changed_fraction)
            snapshot = snapshot_of(rows, step)
            await pilot.pause()  # start from an idle app: nothing else queued
            started = time.perf_counter()
            applying, updated = await _post_and_wait(app, source, snapshot)
            table.render_lines(Region(0, 0, table.size.width, table.size.height))
            painted = time.perf_counter()
            if step > WARMUP:  # the first passes pay for start-up work (theme, column widths)
                timings["update_ms"].append((updated - started) * 1000)
                timings["queued_ms"].append((applying - started) * 1000)
                timings["paint_ms"].append((painted - updated) * 1000)
    return timings


async def _post_and_wait(app: object, source: ScriptedSource, snapshot: FleetSnapshot) -> tuple[float, float]:
    """Emit `snapshot` the way the collector does, and return once the screen applied it:
    when the screen started applying it, and when it finished (perf_counter seconds)."""
    from lambdatop.ui.app import LambdatopApp

    assert isinstance(app, LambdatopApp)
    fleet = app.fleet
    applied = asyncio.Event()
    apply = fleet.apply_snapshot
    marks: list[float] = []

    def apply_and_signal(new: FleetSnapshot) -> None:
        marks.append(time.perf_counter())
        apply(new)
        marks.append(time.perf_counter())
        applied.set()

    setattr(fleet, "apply_snapshot", apply_and_signal)  # noqa: B010 - an instance-level hook
    try:
        source.emit(snapshot)
        await asyncio.wait_for(applied.wait(), 30)
    finally:
        delattr(fleet, "apply_snapshot")
    return marks[0], marks[1]


# --- bytes on the wire --------------------------------------------------------------------------


def measure_terminal_bytes_per_refresh(refreshes: int = 5, n_rows: int = 200) -> float:
    """Bytes the app writes to a real 80x24 pseudo-terminal per refresh, in steady state,
    when a few numbers change. The once-a-second status repaint is measured over a quiet
    period of the same length and subtracted (`measure_terminal_bytes` reports both)."""
    return measure_terminal_bytes(refreshes, n_rows)["per_refresh"]


def measure_terminal_bytes(
    refreshes: int = 5, n_rows: int = 200, interval_s: float = 1.0, capture: dict[str, bytearray] | None = None
) -> dict[str, float]:
    import fcntl
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    marks_read, marks_write = os.pipe()
    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    env.pop("NO_COLOR", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "lambdatop.bench_ui", "--pty-child", str(marks_write),
         str(refreshes), str(n_rows), str(interval_s)],
        stdin=slave, stdout=slave, stderr=slave, env=env, pass_fds=(marks_write,),
        start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    os.close(marks_write)
    counts = {"start": 0, "quiet": 0, "refresh": 0, "end": 0}
    phase = "start"
    selector = selectors.DefaultSelector()
    selector.register(master, selectors.EVENT_READ, "tty")
    selector.register(marks_read, selectors.EVENT_READ, "marks")
    deadline = time.monotonic() + 60 + refreshes * interval_s * 3
    try:
        while phase != "end" and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=1.0):
                try:
                    data = os.read(key.fd, 65536)
                except OSError:
                    data = b""
                if key.data == "tty":
                    counts[phase] += len(data)
                    if capture is not None:
                        capture.setdefault(phase, bytearray()).extend(data)
                elif data:
                    phase = {"Q": "quiet", "R": "refresh", "E": "end"}[data.decode()[-1]]
                else:
                    phase = "end"
    finally:
        child.terminate()
        child.wait(10)
        os.close(master)
        os.close(marks_read)
    quiet_per_s = counts["quiet"] / (refreshes * interval_s)
    per_refresh = (counts["refresh"] - counts["quiet"]) / refreshes
    return {
        "per_refresh": per_refresh,
        "status_tick_per_s": quiet_per_s,
        "startup": float(counts["start"]),
        "refresh_phase_total": float(counts["refresh"]),
    }


def _pty_child(marks_fd: int, refreshes: int, n_rows: int, interval_s: float) -> None:
    """Runs inside the pseudo-terminal: paint, stay quiet, then refresh a few numbers."""
    from lambdatop.clock import SystemClock
    from lambdatop.ui.app import LambdatopApp

    source = ScriptedSource()
    app = LambdatopApp(settings=Settings(), source=source, operator=None, clock=SystemClock())
    rows = synthetic_rows(n_rows)
    base = datetime.now(UTC)

    def mark(letter: str) -> None:
        os.write(marks_fd, letter.encode())

    async def script() -> None:
        await source.started.wait()
        source.emit(snapshot_of(rows, 0, base))
        await asyncio.sleep(3.0)  # first paint, column layout, theme
        mark("Q")
        await asyncio.sleep(refreshes * interval_s)
        mark("R")
        current = rows
        visible = app.fleet.table.order[:3]
        for step in range(1, refreshes + 1):
            current = [replace(r, invocations=(r.invocations or 0) + step) if r.arn in visible else r for r in current]
            source.emit(snapshot_of(current, 0, base + timedelta(seconds=step * interval_s)))
            await asyncio.sleep(interval_s)
        mark("E")
        app.exit()

    async def main() -> None:
        task = asyncio.create_task(script())
        await app.run_async()
        task.cancel()

    asyncio.run(main())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--pty-child":
        _pty_child(int(args[1]), int(args[2]), int(args[3]), float(args[4]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m lambdatop.bench_ui")
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(args)
    for size in ((160, 48), (80, 24)):
        for fraction in (0.05, 1.0):
            t = ui_timings(options.rows, options.repeats, fraction, size)
            print(
                f"{size[0]}x{size[1]}, {options.rows} rows, {fraction:.0%} changed: "
                f"update {statistics.median(t['update_ms']):.1f} ms, "
                f"paint {statistics.median(t['paint_ms']):.1f} ms (medians)"
            )
    wire = measure_terminal_bytes()
    print(f"terminal bytes per refresh (80x24, 3 numbers changed): {wire['per_refresh']:.0f}")
    print(f"status line repaint: {wire['status_tick_per_s']:.0f} bytes/s; first paint: {wire['startup']:.0f} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
