"""Bench figure `logs_scan_ratio`: bytes Logs Insights scans per hour ÷ log bytes written per hour.

1.0 means every byte is read once. Measured in steady state on the embedded demo server: log
groups receive START/app/END/REPORT lines every minute of a simulated stretch in the past, the
reader makes one full read of the window, then a pass every `period_s` of simulated time; the
bytes its queries scanned (the server's `statistics.bytesScanned`, bytes of the events in each
query's time range, as AWS bills) are divided by the bytes written in the minutes those passes
brought in. The run also checks that the incremental figures equal one fresh read of the window.

Run alone: `python -m lambdatop.bench_logs`.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

WINDOW_MIN = 15
BENCH_GROUPS = 40  # the ratio is per log group: a few dozen groups measure it


def _events(rng: random.Random, minute_start_ms: int) -> list[tuple[int, str]]:
    """One minute of one function's logs: a few invocations, text format, some cold."""
    lines: list[tuple[int, str]] = []
    for _ in range(rng.randint(1, 6)):
        at = minute_start_ms + rng.randint(0, 59_000)
        rid = str(uuid.UUID(int=rng.getrandbits(128)))
        init = f"Init Duration: {rng.uniform(80, 900):.2f} ms\t" if rng.random() < 0.05 else ""
        lines += [
            (at, f"START RequestId: {rid} Version: $LATEST"),
            (at + 5, f"2026-11-29T10:00:00.000Z\t{rid}\tINFO\tprocessed order {rng.randint(1, 10**6)}"),
            (at + 40, f"END RequestId: {rid}"),
            (
                at + 40,
                f"REPORT RequestId: {rid}\tDuration: {rng.uniform(1, 400):.2f} ms\tBilled Duration: 41 ms\t"
                f"Memory Size: 512 MB\tMax Memory Used: 88 MB\t{init}",
            ),
        ]
    return lines


async def _measure(
    endpoint: str,
    credentials: tuple[str, str],
    groups: list[str],
    base: datetime,
    hours: float,
    period_s: float,
    written: dict[int, int],
) -> dict[str, float]:
    from lambdatop.aws.logs import LogsReader
    from lambdatop.aws.session import AwsTarget, ClientPool

    async with ClientPool(AwsTarget(endpoint_url=endpoint, credentials=credentials, isolated=True)) as pool:
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.0)
        now = base + timedelta(minutes=WINDOW_MIN, seconds=30)

        async def one_pass(at: datetime) -> Any:
            end = at.replace(second=0, microsecond=0)
            return await reader.read(groups, end - timedelta(minutes=WINDOW_MIN), end, at)

        await one_pass(now)  # the first read of the whole window: not steady state
        first_end = int(now.timestamp()) // 60
        scanned = 0
        stop = now + timedelta(hours=hours)
        result = None
        while now + timedelta(seconds=period_s) <= stop:
            now += timedelta(seconds=period_s)
            result = await one_pass(now)
            scanned += result.bytes_scanned
        last_end = int(now.timestamp()) // 60
        fresh = LogsReader(pool, "us-east-1", poll_initial_s=0.0)
        end = now.replace(second=0, microsecond=0)
        full = await fresh.read(groups, end - timedelta(minutes=WINDOW_MIN), end, now)
        exact = result is not None and result.stats == full.stats and len(full.stats) == len(groups)
        brought_in = sum(size for minute, size in written.items() if first_end <= minute < last_end)
        hourly = reader.hourly_bytes_estimate(period_s) or 0.0
        return {
            "logs_scan_ratio": scanned / brought_in if brought_in else float("nan"),
            "logs_incremental_exact": 1.0 if exact else 0.0,
            "logs_estimate_vs_measured": hourly / (scanned * 3600 / ((last_end - first_end) * 60)) if scanned else 0.0,
        }


def insights_usd_per_hour(gb_written_per_day: float, scan_ratio: float) -> float:
    """What Logs Insights costs per hour for a fleet writing `gb_written_per_day` (GiB) when
    each byte is scanned `scan_ratio` times."""
    from lambdatop.model.cost import DEFAULT_PRICES

    return gb_written_per_day / 24.0 * scan_ratio * DEFAULT_PRICES.logs_insights_gib_scanned


def measure_logs_scan_ratio(
    n_groups: int = BENCH_GROUPS, hours: float = 1.0, period_s: float = 120.0, seed: int = 11
) -> dict[str, float]:
    import boto3

    from lambdatop.demo.server import DemoServer

    rng = random.Random(seed)
    base = (datetime.now(UTC) - timedelta(hours=hours, minutes=WINDOW_MIN + 20)).replace(second=0, microsecond=0)
    minutes = int(hours * 60) + WINDOW_MIN + 5
    server = DemoServer()
    server.start()
    try:
        logs = boto3.client(
            "logs",
            endpoint_url=server.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id=server.credentials[0],
            aws_secret_access_key=server.credentials[1],
        )
        groups = [f"/aws/lambda/bench-logs-{i:03d}" for i in range(n_groups)]
        written: dict[int, int] = {}
        started = time.perf_counter()
        for group in groups:
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName="s")
            events: list[tuple[int, str]] = []
            for m in range(minutes):
                minute_ms = int((base + timedelta(minutes=m)).timestamp() * 1000)
                events += _events(rng, minute_ms)
            events.sort()
            for at, message in events:
                written[at // 60_000] = written.get(at // 60_000, 0) + len(message.encode("utf-8"))
            for i in range(0, len(events), 5000):
                batch = [{"timestamp": at, "message": message} for at, message in events[i : i + 5000]]
                logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=batch)
        figures = asyncio.run(_measure(server.endpoint_url, server.credentials, groups, base, hours, period_s, written))
        figures["logs_bench_s"] = time.perf_counter() - started
        return figures
    finally:
        server.stop()


if __name__ == "__main__":
    print(json.dumps(measure_logs_scan_ratio(), indent=2))
