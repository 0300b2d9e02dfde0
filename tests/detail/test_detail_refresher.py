"""The detail refresher: config first, then the rest; a failing part is stale alone and recovers."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from botocore.awsrequest import AWSResponse

from lambdatop.aws.function_logs import FunctionLogReader
from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.clock import ClockStartingAt
from lambdatop.detail_source import FunctionDetailRefresher
from lambdatop.model.function_snapshot import DetailRequest, FunctionSnapshot


def _throttled(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    http = AWSResponse("http://fault.invalid", 400, {}, None)
    return http, {
        "Error": {"Code": "Throttling", "Message": "Rate exceeded"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }


def _pool(demo: Any) -> ClientPool:
    return ClientPool(AwsTarget(endpoint_url=demo.endpoint_url, credentials=demo.credentials, isolated=True))


async def _until(snapshots: list[FunctionSnapshot], predicate: Any, timeout_s: float = 20.0) -> FunctionSnapshot:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if snapshots and predicate(snapshots[-1]):
            return snapshots[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no such snapshot; last panels: {snapshots[-1].panels if snapshots else None}")


def test_open_reads_config_first_then_metrics_and_logs_and_traces_on_demand(demo: Any) -> None:
    async def go() -> None:
        clock = ClockStartingAt(demo.zero_at + timedelta(seconds=1))
        async with _pool(demo) as pool:
            refresher = FunctionDetailRefresher(pool, clock)
            snapshots: list[FunctionSnapshot] = []
            request = DetailRequest(name="checkout-api", region=demo.region, window_minutes=30)
            task = asyncio.create_task(refresher.run(request, snapshots.append))
            try:
                first = await _until(snapshots, lambda s: "config" in s.panels)
                assert first.config.tracing_mode == "Active"
                full = await _until(snapshots, lambda s: {"metrics", "logs"} <= set(s.panels))
                assert full.traces is None  # X-Ray is read only when asked (it is priced)
                assert full.verdict is not None
                assert not any(k.startswith("xray:") for k in pool.accountant.snapshot())
                refresher.request_traces()
                traced = await _until(snapshots, lambda s: s.traces is not None and bool(s.traces.traces))
                assert traced.panels["traces"].ok
                assert pool.accountant.traces_billed > 0  # in the cost meter
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    asyncio.run(go())


def test_failing_metrics_are_stale_alone_keep_what_was_known_and_recover(demo: Any) -> None:
    async def go() -> None:
        clock = ClockStartingAt(demo.zero_at + timedelta(seconds=1))
        async with _pool(demo) as pool:
            refresher = FunctionDetailRefresher(pool, clock, metrics_every_s=0.5, logs_every_s=0.5)
            snapshots: list[FunctionSnapshot] = []
            request = DetailRequest(name="video-transcoder", region=demo.region, window_minutes=30)
            task = asyncio.create_task(refresher.run(request, snapshots.append))
            try:
                good = await _until(snapshots, lambda s: s.panels.get("metrics") is not None and s.panels["metrics"].ok)
                assert good.throttled
                pool.register_hook("before-call.cloudwatch.GetMetricData", _throttled)
                refresher.refresh_now()
                stale = await _until(snapshots, lambda s: not s.panels["metrics"].ok)
                assert "Throttling" in (stale.panels["metrics"].error or "")
                assert stale.panels["config"].ok
                assert stale.panels["logs"].ok
                assert stale.throttled == good.throttled  # a failed read never erases what was known
                pool.unregister_hook("before-call.cloudwatch.GetMetricData", _throttled)
                await _until(snapshots, lambda s: s.panels["metrics"].ok, timeout_s=40)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    asyncio.run(go())


def test_an_insights_query_that_never_finishes_is_stopped(demo: Any) -> None:
    def running(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("http://x.invalid", 200, {}, None), {"status": "Running", "results": []}

    async def go() -> None:
        clock = ClockStartingAt(demo.zero_at + timedelta(seconds=1))
        async with _pool(demo) as pool:
            stopped: list[str] = []
            pool.register_hook("before-call.cloudwatch-logs.GetQueryResults", running)
            pool.register_hook("before-call.cloudwatch-logs.StopQuery", lambda model, **_: stopped.append(model.name))
            reader = FunctionLogReader(pool, demo.region, poll_interval_s=0.05, query_timeout_s=0.3)
            now = clock.now()
            read = await reader.error_lines("/aws/lambda/checkout-api", "JSON", now - timedelta(minutes=30), now)
            assert len(stopped) == 1  # the query we started, we stopped
            assert read.source == "filter"  # and the lines came from FilterLogEvents instead
            assert read.lines

    asyncio.run(go())


def test_a_capped_report_read_goes_on_where_it_stopped(demo: Any, monkeypatch: Any) -> None:
    import lambdatop.aws.function_logs as function_logs
    from lambdatop.detail_source import DetailSession

    monkeypatch.setattr(function_logs, "FILTER_PAGE_SIZE", 500)
    monkeypatch.setattr(function_logs, "MAX_FILTER_PAGES", 2)

    async def go() -> None:
        clock = ClockStartingAt(demo.zero_at + timedelta(seconds=1))
        async with _pool(demo) as pool:
            session = DetailSession(
                pool, DetailRequest(name="checkout-api", region=demo.region, window_minutes=30), clock
            )
            assert await session.step("config")
            assert await session.step("logs")
            first = len(session.reports)
            assert 0 < first <= 1000  # two pages of 500 events (REPORT lines, if the pattern is honoured)
            assert "catching up" in (session.panels["logs"].note or "")
            first_stop = session.logs_until
            assert first_stop is not None
            for _ in range(60):
                assert await session.step("logs")
                if not session.logs_behind:
                    break
            assert not session.logs_behind
            assert session.panels["logs"].note is None
            # Every REPORT line of the window, none twice (reads overlap by LATE_EVENTS).
            assert len(session.reports) > first
            assert len({r.report.request_id for r in session.reports.values()}) == len(session.reports)

    asyncio.run(go())
