"""Cold starts from REPORT lines against the embedded server, whatever the log format, with the
account's Logs quotas respected (queries capped, stopped, retried; no FilterLogEvents storm)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from lambdatop.aws.logs import LogsReader
from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.clock import SystemClock
from lambdatop.collector import Collector
from lambdatop.demo.server import DemoServer
from lambdatop.model.snapshot import FunctionRow
from tests.aws.conftest import clients, zipped
from tests.aws.fake_aws import FakeAws, fake_collector, throttled

STREAM = "2026/11/29/[$LATEST]0123456789abcdef0123456789abcdef"


def text_report(i: int, init: float | None = None, restore: float | None = None) -> str:
    line = f"REPORT RequestId: 00000000-0000-4000-8000-{i:012d}\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
    line += "Memory Size: 512 MB\tMax Memory Used: 90 MB\t"
    if init is not None:
        line += f"Init Duration: {init:.2f} ms\t"
    if restore is not None:
        line += f"Restore Duration: {restore:.2f} ms\tBilled Restore Duration: {int(restore)} ms\t"
    return line


def json_report(i: int, init: float | None = None, restore: float | None = None) -> str:
    metrics: dict[str, Any] = {"durationMs": 20.0, "billedDurationMs": 21, "memorySizeMB": 256, "maxMemoryUsedMB": 80}
    if init is not None:
        metrics["initDurationMs"] = init
    if restore is not None:
        metrics["restoreDurationMs"] = restore
    record = {"requestId": f"req-{i}", "metrics": metrics, "status": "success"}
    return json.dumps({"time": "2026-11-29T10:00:00.000Z", "type": "platform.report", "record": record})


def put_events(logs: Any, group: str, events: list[tuple[datetime, str]], stream: str = STREAM) -> None:
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    ordered = sorted(events, key=lambda e: e[0])
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(t.timestamp() * 1000), "message": m} for t, m in ordered],
    )


def window_start(minutes: int = 15) -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes)


class Calls:
    """Counts Logs operations and keeps StartQuery's parameters, through botocore hooks."""

    def __init__(self, pool: ClientPool) -> None:
        self.count: Counter[str] = Counter()
        self.started: list[dict[str, Any]] = []
        self.polled_thrice = asyncio.Event()
        pool.register_hook("before-call.cloudwatch-logs.*", self._count)
        pool.register_hook("before-parameter-build.cloudwatch-logs.StartQuery", self._start)

    def _count(self, model: Any, **_: Any) -> None:
        self.count[model.name] += 1
        if self.count["GetQueryResults"] >= 3:
            self.polled_thrice.set()

    def _start(self, params: dict[str, Any], **_: Any) -> None:
        self.started.append(dict(params))


def answer(code: str | None = None, body: dict[str, Any] | None = None) -> Callable[..., Any]:
    """A before-call hook that answers instead of the server: an error, or a document."""

    def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        if code is not None:
            parsed = {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": 400}}
            return AWSResponse("http://fault.invalid", 400, {}, None), parsed
        return AWSResponse("http://fault.invalid", 200, {}, None), dict(body or {})

    return handler


RUNNING = answer(body={"status": "Running", "results": [], "statistics": {}})


@contextlib.asynccontextmanager
async def pool_on(server: DemoServer) -> AsyncIterator[ClientPool]:
    async with ClientPool(
        AwsTarget(endpoint_url=server.endpoint_url, credentials=server.credentials, isolated=True)
    ) as pool:
        yield pool


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---- through the collector: what the operator sees ----------------------------------------------


def seed_formats(server: DemoServer) -> dict[str, Any]:
    c = clients(server.endpoint_url, server.credentials)
    role = c["iam"].create_role(RoleName="logs-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]

    def create(name: str, **extra: Any) -> None:
        c["lambda"].create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": zipped(name)},
            **extra,
        )

    create("says-text")  # LoggingConfig says Text (the default) but it logs JSON
    create("switcher")  # switched from text to JSON inside the window
    create("custom", LoggingConfig={"LogFormat": "Text", "LogGroup": "/org/payments/custom"})
    create("snap")
    create("never-ran")  # no log group at all
    create("shared-a", LoggingConfig={"LogFormat": "Text", "LogGroup": "/org/shared"})
    create("shared-b", LoggingConfig={"LogFormat": "Text", "LogGroup": "/org/shared"})
    start = window_start()
    at = [start + timedelta(minutes=2, seconds=i) for i in range(60)]
    logs = c["logs"]
    put_events(
        logs,
        "/aws/lambda/says-text",
        [(at[i], json_report(i, {1: 500.0, 4: 700.5, 7: 700.5}.get(i))) for i in range(10)]
        + [(at[20], json.dumps({"level": "INFO", "message": "REPORT RequestId: not a platform line"}))],
    )
    put_events(
        logs,
        "/aws/lambda/switcher",
        [(start + timedelta(minutes=3, seconds=i), text_report(i, 111.0 if i == 2 else None)) for i in range(6)]
        + [
            (start + timedelta(minutes=9, seconds=i), json_report(100 + i, {0: 222.0, 3: 333.0}.get(i)))
            for i in range(4)
        ],
    )
    put_events(logs, "/org/payments/custom", [(at[i], text_report(i, 444.0 if i == 0 else None)) for i in range(5)])
    put_events(
        logs,
        "/aws/lambda/snap",
        [
            (at[0], text_report(0, restore=310.0)),
            (at[1], text_report(1, restore=290.0)),
            (at[2], json_report(2, restore=305.0)),
            (at[3], text_report(3)),
            (at[4], json_report(4)),
        ],
    )
    put_events(logs, "/org/shared", [(at[i], text_report(i, 50.0)) for i in range(3)])
    # A cold start just before the window must not count.
    put_events(
        logs,
        "/aws/lambda/says-text",
        [(start - timedelta(seconds=30), json_report(99, 9999.0))],
        stream=STREAM + "-old",
    )
    return {"start": start}


def rows_by_name(collector: Collector) -> dict[str, FunctionRow]:
    return {row.name: row for row in collector.snapshot().functions}


async def test_report_lines_are_counted_exactly_whatever_the_format_says(server: DemoServer) -> None:
    seed_formats(server)
    async with pool_on(server) as pool:
        calls = Calls(pool)
        collector = Collector(pool, ["us-east-1"], SystemClock(), window_minutes=15)
        region = collector.regions[0]
        await collector.refresh_inventory(region)
        await collector.refresh_logs(region)
        rows = rows_by_name(collector)
        snapshot = collector.snapshot()

    assert snapshot.sources["logs"].ok, snapshot.sources["logs"].error
    assert snapshot.logs_path == "insights"
    says_text = rows["says-text"]
    assert says_text.log_format == "Text"
    assert (says_text.reports, says_text.cold_starts) == (10, 3)
    assert (says_text.init_p50_ms, says_text.init_max_ms) == (700.5, 700.5)
    assert says_text.init_avg_ms == pytest.approx((500.0 + 700.5 + 700.5) / 3)
    switcher = rows["switcher"]
    assert (switcher.reports, switcher.cold_starts, switcher.init_max_ms) == (10, 3, 333.0)
    custom = rows["custom"]
    assert (custom.reports, custom.cold_starts, custom.init_max_ms) == (5, 1, 444.0)
    assert "logs" not in custom.stale
    snap = rows["snap"]
    assert (snap.reports, snap.cold_starts, snap.restores) == (5, 0, 3)
    assert rows["never-ran"].cold_starts is None  # no log group: no data, not zero
    # A group written by two functions cannot be told apart: not queried, no figure, not stale.
    named = {name for params in calls.started for name in params["logGroupNames"]}
    assert "/org/shared" not in named
    for shared in ("shared-a", "shared-b"):
        assert rows[shared].cold_starts is None
        assert "logs" not in rows[shared].stale
    assert calls.count["FilterLogEvents"] == 0


async def test_the_fallback_counts_both_formats_and_says_so(server: DemoServer) -> None:
    seed_formats(server)
    async with pool_on(server) as pool:
        pool.register_hook("before-call.cloudwatch-logs.StartQuery", answer("AccessDeniedException"))
        calls = Calls(pool)
        collector = Collector(pool, ["us-east-1"], SystemClock(), window_minutes=15)
        region = collector.regions[0]
        await collector.refresh_inventory(region)
        await collector.refresh_logs(region)
        rows = rows_by_name(collector)
        snapshot = collector.snapshot()

    assert snapshot.logs_path == "filter"
    assert snapshot.sources["logs"].ok
    assert (rows["says-text"].reports, rows["says-text"].cold_starts) == (10, 3)
    assert (rows["switcher"].reports, rows["switcher"].cold_starts) == (10, 3)
    assert (rows["custom"].reports, rows["custom"].cold_starts) == (5, 1)
    assert rows["snap"].restores == 3
    assert rows["never-ran"].cold_starts is None
    assert calls.count["StartQuery"] == 1  # denied once; not asked again before the backoff


# ---- the reader: quotas and failures --------------------------------------------------------------


def seed_groups(server: DemoServer, n: int, cold_every: int = 4) -> tuple[list[str], datetime]:
    logs = clients(server.endpoint_url, server.credentials)["logs"]
    start = window_start()
    names = [f"/aws/lambda/fn-{i:03d}" for i in range(n)]
    for i, name in enumerate(names):
        events = [
            (start + timedelta(minutes=1 + k), text_report(k, 100.0 + i if k % cold_every == 0 else None))
            for k in range(8)
        ]
        put_events(logs, name, events)
    return names, start


async def read_now(reader: LogsReader, names: list[str], start: datetime, minutes: int = 15) -> Any:
    return await reader.read(names, start, start + timedelta(minutes=minutes), datetime.now(UTC))


async def test_queries_in_flight_are_capped(server: DemoServer) -> None:
    names, start = seed_groups(server, 230)
    async with pool_on(server) as pool:
        polls: Counter[str] = Counter()

        def slow(params: dict[str, Any], **_: Any) -> Any:
            polls[params["queryId"]] += 1  # "Running" twice per query, then the real answer
            return RUNNING() if polls[params["queryId"]] <= 2 else None

        pool.register_hook("before-parameter-build.cloudwatch-logs.GetQueryResults", _stash)
        pool.register_hook("before-call.cloudwatch-logs.GetQueryResults", _with_params(slow))
        reader = LogsReader(pool, "us-east-1", max_concurrent_queries=2, poll_initial_s=0.01)
        result = await read_now(reader, names, start)

    assert result.failure is None
    assert len(result.stats) == 230
    assert reader.insights.peak_in_flight == 2
    assert result.stats[names[7]].cold_starts == 2


async def test_a_query_that_fails_while_polled_is_stopped(server: DemoServer) -> None:
    names, start = seed_groups(server, 3)
    async with pool_on(server) as pool:
        calls = Calls(pool)
        pool.register_hook("before-call.cloudwatch-logs.GetQueryResults", answer("ServiceUnavailableException"))
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01)
        result = await read_now(reader, names, start)

    assert calls.count["StartQuery"] == 1
    assert calls.count["StopQuery"] == 1
    assert result.failure is not None
    assert calls.count["FilterLogEvents"] == 0  # an error is not a reason to fall back
    assert result.stats == {}


async def test_a_query_still_running_when_cancelled_or_timed_out_is_stopped(server: DemoServer) -> None:
    names, start = seed_groups(server, 3)
    async with pool_on(server) as pool:
        calls = Calls(pool)
        pool.register_hook("before-call.cloudwatch-logs.GetQueryResults", RUNNING)
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01)
        task = asyncio.create_task(read_now(reader, names, start))
        await asyncio.wait_for(calls.polled_thrice.wait(), timeout=10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)
        assert calls.count["StopQuery"] == 1

        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01, query_timeout_s=0.2)
        result = await read_now(reader, names, start)
        assert calls.count["StopQuery"] == 2
        assert result.failure is not None
        assert "not finished" in result.failure.reason


async def test_a_stopped_query_still_counts_the_bytes_it_billed(server: DemoServer) -> None:
    names, start = seed_groups(server, 2)
    async with pool_on(server) as pool:
        calls = Calls(pool)
        cancelled = answer(body={"status": "Cancelled", "results": [], "statistics": {"bytesScanned": 777.0}})

        def running_until_stopped(**kwargs: Any) -> Any:
            return (cancelled if calls.count["StopQuery"] else RUNNING)(**kwargs)

        pool.register_hook("before-call.cloudwatch-logs.GetQueryResults", running_until_stopped)
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01, query_timeout_s=0.1)
        result = await read_now(reader, names, start)
        assert result.failure is not None
        assert pool.accountant.bytes_scanned == 777


async def test_bytes_are_counted_on_every_terminal_status(server: DemoServer) -> None:
    names, start = seed_groups(server, 2)
    async with pool_on(server) as pool:
        failed = answer(body={"status": "Failed", "results": [], "statistics": {"bytesScanned": 4096.0}})
        pool.register_hook("before-call.cloudwatch-logs.GetQueryResults", failed)
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01)
        result = await read_now(reader, names, start)
        assert result.failure is not None
        assert pool.accountant.bytes_scanned == 4096


async def test_a_throttled_insights_waits_and_never_storms_filter_log_events(server: DemoServer) -> None:
    names, start = seed_groups(server, 60)
    clock = FakeMonotonic()
    async with pool_on(server) as pool:
        calls = Calls(pool)
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01, monotonic=clock)
        first = await read_now(reader, names, start)
        assert first.failure is None
        assert first.stats[names[0]].reports == 8

        throttle = answer("LimitExceededException")
        pool.register_hook("before-call.cloudwatch-logs.StartQuery", throttle)
        later = start + timedelta(minutes=3)  # new minutes to read
        clock.now += 180
        result = await read_now(reader, names, later)
        assert result.failure is not None
        assert result.failure.kind == "throttled"
        assert result.path == "insights"
        assert calls.count["FilterLogEvents"] == 0
        assert calls.count["DescribeLogGroups"] == 0
        started = calls.count["StartQuery"]
        clock.now += 5  # within the backoff: not even asked
        again = await read_now(reader, names, later)
        assert again.failure is not None
        assert calls.count["StartQuery"] == started

        pool.unregister_hook("before-call.cloudwatch-logs.StartQuery", throttle)
        clock.now += 60  # past the backoff: Insights again, and the figures come back
        healed = await read_now(reader, names, later)
        assert healed.failure is None
        assert healed.stats[names[0]].reports == 8 - 2  # minutes 1 and 2 left the window
        assert calls.count["FilterLogEvents"] == 0


async def test_an_unusable_insights_falls_back_then_is_tried_again(server: DemoServer) -> None:
    names, start = seed_groups(server, 3)
    clock = FakeMonotonic()
    async with pool_on(server) as pool:
        calls = Calls(pool)
        raw = answer(body={"status": "Complete", "results": [[{"field": "@message", "value": "x"}]]})
        pool.register_hook("before-call.cloudwatch-logs.GetQueryResults", raw)
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01, monotonic=clock)
        fallback = await read_now(reader, names, start)
        assert fallback.path == "filter"
        assert fallback.failure is None
        assert fallback.stats[names[1]].cold_starts == 2
        assert calls.count["FilterLogEvents"] == 3

        pool.unregister_hook("before-call.cloudwatch-logs.GetQueryResults", raw)
        clock.now += 400  # the backoff after an unusable answer has passed
        later = start + timedelta(minutes=2)  # minute 1 leaves the window
        retried = await read_now(reader, names, later)
        assert retried.path == "insights"
        assert calls.count["StartQuery"] == 2
        assert retried.stats[names[1]].reports == 8 - 1


async def test_a_custom_group_next_to_a_missing_one_is_found_by_its_exact_name(server: DemoServer) -> None:
    logs = clients(server.endpoint_url, server.credentials)["logs"]
    start = window_start()
    put_events(logs, "/team/payments", [(start + timedelta(minutes=2), text_report(1, 250.0))])
    async with pool_on(server) as pool:
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01)
        result = await read_now(reader, ["/team/payments", "/aws/lambda/never-ran"], start)

    assert result.missing == {"/aws/lambda/never-ran"}
    assert result.stats["/team/payments"].cold_starts == 1


async def test_a_later_pass_reads_only_new_and_provisional_minutes(server: DemoServer) -> None:
    names, start = seed_groups(server, 2)
    async with pool_on(server) as pool:
        calls = Calls(pool)
        reader = LogsReader(pool, "us-east-1", poll_initial_s=0.01)
        end = start + timedelta(minutes=15)
        await reader.read(names, start, end, end + timedelta(seconds=30))
        logs = clients(server.endpoint_url, server.credentials)["logs"]
        # A line of the provisional last minute arrives late; two new minutes pass.
        put_events(logs, names[0], [(end - timedelta(seconds=10), text_report(50, 999.0))], stream=STREAM + "-late")
        later = await reader.read(
            names, start + timedelta(minutes=2), end + timedelta(minutes=2), end + timedelta(minutes=2, seconds=30)
        )
        fresh = LogsReader(pool, "us-east-1", poll_initial_s=0.01)
        full = await fresh.read(
            names, start + timedelta(minutes=2), end + timedelta(minutes=2), end + timedelta(minutes=2, seconds=30)
        )

    second = calls.started[1]
    assert (second["endTime"] + 1 - second["startTime"]) == 3 * 60  # 2 new minutes + 1 provisional
    assert later.stats == full.stats
    assert later.stats[names[0]].init_max_ms == 999.0


def _stash(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["test_params"] = params


def _with_params(handler: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(context: dict[str, Any], **_: Any) -> Any:
        return handler(context.get("test_params", {}))

    return wrapped


async def test_a_throttled_pass_keeps_the_known_cold_starts_on_screen_marked_stale() -> None:
    fake = FakeAws()
    fake.add_functions(60)
    fake.reports["/aws/lambda/fn-0001"] = [350.0, None, None, None]
    collector, clock = fake_collector(fake)
    region = collector.regions[0]
    try:
        await collector.refresh_inventory(region)
        await collector.refresh_logs(region)
        clock.advance(120)
        fake.faults["StartQuery"] = throttled
        await collector.refresh_logs(region)
        snapshot = collector.snapshot()
    finally:
        await collector.pool.close()

    function = snapshot.function(fake.arn("fn-0001"))
    assert function is not None
    assert (function.reports, function.cold_starts) == (4, 1)  # what was known stays
    assert "logs" in function.stale
    assert not snapshot.sources["logs"].ok
    assert "throttled" in (snapshot.sources["logs"].error or "")
    assert fake.calls["FilterLogEvents"] == 0  # 60 groups did not go to the 5 TPS API
