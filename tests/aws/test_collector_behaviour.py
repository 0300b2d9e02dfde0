"""The collector as an on-call engineer relies on it: where the metrics bill goes, how new trouble
anywhere shows up within a pass, how failures stay local and heal, and that unknown is never 0.

Driven pass by pass (the collector's own refresh methods, a FakeClock moved between passes)
against FakeAws: real aiobotocore clients whose calls are answered by before-call hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import statistics
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from lambdatop.clock import FakeClock
from lambdatop.collector import Collector, RegionCollector
from lambdatop.collector.cadence import Cadence
from lambdatop.model.health import health
from lambdatop.model.snapshot import SOURCE_NAMES, FleetSnapshot, FunctionRow
from tests.aws.fake_aws import (
    FakeAws,
    FakeFunction,
    MetricCall,
    access_denied,
    fake_collector,
    running,
    throttled,
    unreachable,
    until,
)

FULL = {
    ("Invocations", "Sum"),
    ("Errors", "Sum"),
    ("Throttles", "Sum"),
    ("ConcurrentExecutions", "Maximum"),
    ("Duration", "Average"),
    ("Duration", "p99"),
}
SHORT = {("Invocations", "Sum"), ("Errors", "Sum"), ("Throttles", "Sum")}
QUIET_PROBE = {("Invocations", "Sum"), ("Throttles", "Sum")}


@contextlib.asynccontextmanager
async def collecting(
    fake: FakeAws, cadence: Cadence | None = None, window_minutes: int = 15
) -> AsyncIterator[tuple[Collector, FakeClock, RegionCollector]]:
    collector, clock = fake_collector(fake, cadence=cadence, window_minutes=window_minutes)
    try:
        yield collector, clock, collector.regions[0]
    finally:
        await collector.pool.close()


async def first_pass(collector: Collector, region: RegionCollector, *, details: bool = False) -> None:
    await collector.refresh_account(region)
    await collector.refresh_inventory(region)
    if details:
        await collector.refresh_details(region, budget_s=None)
    await collector.refresh_metrics(region)


async def metrics_pass(collector: Collector, region: RegionCollector, fake: FakeAws) -> list[MetricCall]:
    """One refresh_metrics; the GetMetricData calls it made."""
    mark = len(fake.metric_calls)
    await collector.refresh_metrics(region)
    return fake.metric_calls[mark:]


def asked(calls: list[MetricCall]) -> dict[str, set[tuple[str, str]]]:
    """FunctionName -> the (metric, stat) pairs asked for over these calls."""
    out: dict[str, set[tuple[str, str]]] = {}
    for call in calls:
        for name, pairs in call.function_metrics().items():
            out.setdefault(name, set()).update(pairs)
    return out


def minutes_ago(clock: FakeClock, minutes: int) -> datetime:
    """The start of the minute `minutes` before the current one (metrics have 1-minute buckets)."""
    return clock.now().replace(second=0, microsecond=0) - timedelta(minutes=minutes)


def n_queries(calls: list[MetricCall]) -> int:
    return sum(len(c.queries) for c in calls)


def row(snapshot: FleetSnapshot, fake: FakeAws, name: str) -> FunctionRow:
    found = snapshot.function(fake.arn(name))
    assert found is not None, name
    return found


# ---- 1. tiers ------------------------------------------------------------------------------


async def test_steady_state_pays_for_trip_wire_and_hot_rows_and_the_fleet_every_five_minutes() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(1000)]
    visible = names[:40]
    troubled = ["fn-0503", "fn-0617", "fn-0731", "fn-0845", "fn-0959"]
    busy = [n for n in names[::5] if n not in troubled]  # 200 functions that run every minute
    for name in busy:
        fake.busy(name, invocations=10)
    for name in troubled:
        fake.busy(name, invocations=10, errors=5)  # 50 % errors: crit
    quiet = [n for n in names if n not in busy and n not in troubled]

    async with collecting(fake) as (collector, clock, region):
        await collector.refresh_account(region)
        await collector.refresh_inventory(region)
        collector.set_visible(fake.arn(n) for n in visible)
        first = await metrics_pass(collector, region, fake)
        assert len(asked(first)) == 1000  # the first pass reads every function, in full
        assert len(first) == math.ceil(n_queries(first) / 500)

        hot = set(visible) | set(troubled)
        for minute in range(1, 5):
            clock.advance(60)
            calls = await metrics_pass(collector, region, fake)
            assert len(calls) == math.ceil(n_queries(calls) / 500) == 1, minute
            trip_wire = [q for c in calls for q in c.account_queries()]
            assert len(trip_wire) == 6  # account level, no dimensions
            by_function = asked(calls)
            assert set(by_function) == hot, minute  # nobody else is read between fleet passes
            assert all(pairs >= FULL for pairs in by_function.values())
            if minute == 1:
                assert region.plan is not None
                one_minute_in_usd = sum(region.plan.hourly_usd(collector.cadence).values())

        clock.advance(60)  # five minutes after the first pass: the fleet tier is due
        calls = await metrics_pass(collector, region, fake)
        assert len(calls) == math.ceil(n_queries(calls) / 500)
        by_function = asked(calls)
        assert set(by_function) == set(names)
        assert all(by_function[n] == QUIET_PROBE for n in quiet if n not in hot)  # one or two queries
        assert all(by_function[n] == SHORT for n in busy if n not in hot)
        assert all(by_function[n] >= FULL for n in hot)

        assert region.plan is not None
        tiers = region.plan.hourly_usd(collector.cadence)
        hourly = sum(tiers.values())
        print(
            f"\nmonitoring cost, 1,000 functions, 40 visible, {len(troubled)} troubled, default cadence: "
            f"${hourly:.3f}/h ({', '.join(f'{k} ${v:.3f}' for k, v in tiers.items())}); "
            f"one minute in, before any fleet pass of the short set, the plan said ${one_minute_in_usd:.3f}/h"
        )
        assert hourly <= 0.70
        assert one_minute_in_usd == pytest.approx(hourly)  # the one-off first full read is not the rate
        assert collector.snapshot().cost_usd_per_hour == pytest.approx(hourly)


async def test_a_function_deployed_mid_run_has_its_numbers_at_the_next_pass_not_the_next_fleet_pass() -> None:
    fake = FakeAws()
    fake.add_functions(30)
    async with collecting(fake) as (collector, clock, region):
        await first_pass(collector, region)
        clock.advance(60)
        await metrics_pass(collector, region, fake)

        fake.add_functions(1, prefix="hotfix")
        fake.busy("hotfix-0000", invocations=4)
        await collector.refresh_inventory(region)
        clock.advance(60)  # the fleet tier is not due for four more minutes
        by_function = asked(await metrics_pass(collector, region, fake))
        assert set(by_function) == {"hotfix-0000"}
        assert by_function["hotfix-0000"] >= FULL
        assert row(collector.snapshot(), fake, "hotfix-0000").invocations == 60


async def test_every_metric_requested_is_in_the_spend_estimate() -> None:
    fake = FakeAws()
    fake.add_functions(100)
    async with collecting(fake) as (collector, _clock, region):
        await first_pass(collector, region)
        requested = n_queries(fake.metric_calls)
        assert requested >= 600
        snapshot = collector.snapshot()
        # GetMetricData bills $0.01 per 1,000 metrics requested, whatever the number of calls.
        assert snapshot.estimated_cost_usd == pytest.approx(requested * 0.01 / 1000, rel=0.01)


# ---- 2. trip-wire --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "metric"),
    [("quiet", "Errors"), ("busy", "Errors"), ("quiet", "Throttles")],
)
async def test_unexplained_account_trouble_pulls_the_fleet_pass_forward(before: str, metric: str) -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(100)]
    for name in names[::10]:
        fake.busy(name, invocations=20)
    culprit = "fn-0070" if before == "busy" else "fn-0071"
    async with collecting(fake) as (collector, clock, region):
        collector.set_visible(fake.arn(n) for n in names[:10])
        await first_pass(collector, region)
        clock.advance(60)
        assert set(asked(await metrics_pass(collector, region, fake))) == set(names[:10])

        clock.advance(60)
        since = minutes_ago(clock, 2)
        if metric == "Errors":
            fake.busy(culprit, invocations=20, errors=10, since=since)
        else:
            fake.set_rate(culprit, "Throttles", 30, since=since)
        calls = await metrics_pass(collector, region, fake)  # one call of refresh_metrics
        assert len(asked(calls)) == 100  # the fleet tier ran at once, not in three minutes
        culprit_row = row(collector.snapshot(), fake, culprit)
        if metric == "Errors":
            assert culprit_row.errors == 20
            assert culprit_row.invocations == 40
        else:
            assert culprit_row.throttles == 60

        clock.advance(60)
        calls = await metrics_pass(collector, region, fake)
        by_function = asked(calls)
        assert culprit in by_function
        assert by_function[culprit] >= FULL
        assert set(by_function) == set(names[:10]) | {culprit}  # and nothing forced again


async def test_trip_wire_fires_at_most_once_per_min_forced_fleet_gap() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(100)]
    async with collecting(fake) as (collector, clock, region):
        gap = collector.cadence.min_forced_fleet_gap_s
        collector.set_visible(fake.arn(n) for n in names[:10])
        await first_pass(collector, region)
        clock.advance(60)
        fake.set_rate("fn-0050", "Throttles", 5, since=minutes_ago(clock, 1))
        assert len(asked(await metrics_pass(collector, region, fake))) == 100  # forced

        # New trouble elsewhere, and a pass sooner than the gap (a row scrolled into view).
        clock.advance(gap / 2)
        fake.set_rate("fn-0060", "Throttles", 5, since=minutes_ago(clock, 3))
        calls = await metrics_pass(collector, region, fake)
        assert "fn-0060" not in asked(calls)
        assert collector.snapshot().regions[0].throttles == 5 + 15  # the trip-wire did see it
        clock.advance(gap / 2)
        calls = await metrics_pass(collector, region, fake)
        assert len(asked(calls)) == 100  # the gap has passed: forced again
        assert row(collector.snapshot(), fake, "fn-0060").throttles == 5 * 4


async def test_background_errors_already_known_do_not_force_a_fleet_pass_every_minute() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(100)]
    fake.busy("fn-0060", invocations=1000, errors=1)  # 0.1 %: healthy, but never zero
    async with collecting(fake) as (collector, clock, region):
        collector.set_visible(fake.arn(n) for n in names[:10])
        await first_pass(collector, region)
        assert health(row(collector.snapshot(), fake, "fn-0060")).level == "ok"
        for _ in range(4):
            clock.advance(60)
            calls = await metrics_pass(collector, region, fake)
            assert set(asked(calls)) == set(names[:10])  # hot rows only, as if all were quiet


# ---- 3. failures are local and heal by themselves ----------------------------------------------


async def _every_source(collector: Collector, region: RegionCollector) -> None:
    await collector.refresh_account(region)
    await collector.refresh_inventory(region)
    await collector.refresh_details(region, budget_s=None)
    await collector.refresh_metrics(region)
    await collector.refresh_logs(region)
    await collector.refresh_queues(region)


@pytest.mark.parametrize(
    ("faults", "source", "reason"),
    [
        ({"GetMetricData": throttled}, "metrics", "Throttling"),
        ({"StartQuery": access_denied, "FilterLogEvents": access_denied}, "logs", "AccessDenied"),
        ({"GetMetricData": unreachable}, "metrics", "unreachable"),
    ],
    ids=["throttled-metrics", "denied-logs", "unreachable-cloudwatch"],
)
async def test_a_failing_source_goes_stale_alone_and_recovers(
    faults: dict[str, Callable[[], Exception]], source: str, reason: str
) -> None:
    fake = FakeAws()
    fake.add_functions(4)
    fake.functions["fn-0001"].dead_letter_arn = "arn:aws:sqs:us-east-1:123456789012:fn-0001-dlq"
    fake.queue_depths["fn-0001-dlq"] = 3
    fake.busy("fn-0001", invocations=10)
    fake.reports["/aws/lambda/fn-0001"] = [350.0, None, None, None]
    async with collecting(fake) as (collector, clock, region):
        await _every_source(collector, region)
        ok_at = clock.now()
        assert collector.snapshot().all_sources_ok

        clock.advance(60)
        fake.faults.update(faults)
        await _every_source(collector, region)
        failed_at = clock.now()
        clock.advance(90)
        await _every_source(collector, region)  # still failing: stale since the first failure
        snapshot = collector.snapshot()
        status = snapshot.sources[source]
        assert not status.ok
        assert status.error is not None
        assert reason in status.error
        assert status.stale_since == failed_at
        assert status.updated_at == ok_at
        assert status.age_s(snapshot.generated_at) == 150.0  # grows with the clock
        for other in set(SOURCE_NAMES) - {source}:
            assert snapshot.sources[other].ok, other
        function = row(snapshot, fake, "fn-0001")
        assert source in function.stale
        assert set(function.stale) == {source}
        # The last good numbers stay on screen, marked stale, rather than vanishing.
        assert function.invocations == 150
        assert function.cold_starts == 1
        assert function.dlq_depth == 3

        for operation in faults:
            fake.faults.pop(operation)
        clock.advance(60)
        await _every_source(collector, region)
        snapshot = collector.snapshot()
        assert snapshot.all_sources_ok
        assert snapshot.sources[source].stale_since is None
        assert snapshot.sources[source].updated_at == clock.now()
        assert row(snapshot, fake, "fn-0001").stale == ()


# ---- 4. percentiles refused ---------------------------------------------------------------------


async def test_refused_percentiles_are_dropped_for_half_an_hour_and_the_rest_still_arrives() -> None:
    fake = FakeAws()
    fake.add_functions(10)
    fake.busy("fn-0001", invocations=10)
    fake.refuse_percentiles = True
    async with collecting(fake) as (collector, clock, region):
        collector.set_visible([fake.arn("fn-0001")])
        await first_pass(collector, region)
        first = fake.metric_calls
        assert first[0].refused
        assert first[0].percentile_queries()
        assert not first[1].refused
        assert not first[1].percentile_queries()
        snapshot = collector.snapshot()
        assert snapshot.sources["metrics"].ok
        percentiles = snapshot.sources["percentiles"]
        assert not percentiles.ok
        assert percentiles.error is not None
        assert "percentile" in percentiles.error
        function = row(snapshot, fake, "fn-0001")
        assert function.duration_p99_ms is None  # unknown, not 0
        assert function.duration_avg_ms == 120.0
        assert function.invocations == 150
        assert "percentiles" in function.stale

        mark = len(fake.metric_calls)
        for _ in range(29):
            clock.advance(60)
            await collector.refresh_metrics(region)
        later = fake.metric_calls[mark:]
        assert later
        assert not any(c.percentile_queries() for c in later)
        assert not collector.snapshot().sources["percentiles"].ok
        assert row(collector.snapshot(), fake, "fn-0001").invocations == 150

        clock.advance(60)  # 30 minutes on: asked once more (still refused), then off again
        retry = await metrics_pass(collector, region, fake)
        assert retry[0].refused
        clock.advance(60)
        assert not any(c.percentile_queries() for c in await metrics_pass(collector, region, fake))


# ---- 5. counts vs gauges -------------------------------------------------------------------------


async def test_no_datapoints_means_zero_counts_and_unknown_gauges() -> None:
    fake = FakeAws()
    fake.add_functions(20)
    async with collecting(fake) as (collector, clock, region):
        collector.set_visible([fake.arn("fn-0001")])  # one hot row, the rest fleet
        await first_pass(collector, region)
        for _ in range(15):  # through three fleet passes and past the staleness horizon
            clock.advance(60)
            await collector.refresh_metrics(region)
        snapshot = collector.snapshot()
        for name in ("fn-0001", "fn-0002"):
            function = row(snapshot, fake, name)
            assert (function.invocations, function.errors, function.throttles) == (0, 0, 0), name
            assert function.concurrency_max is None, name
            assert function.duration_avg_ms is None, name
            assert function.duration_p99_ms is None, name
            assert "metrics" not in function.stale, name


async def test_fleet_rows_stay_fresh_between_fleet_passes_and_show_no_stale_gauges() -> None:
    fake = FakeAws()
    fake.add_functions(20)
    fake.busy("fn-0005", invocations=10)
    async with collecting(fake) as (collector, clock, region):
        collector.set_visible([fake.arn("fn-0001")])
        await first_pass(collector, region)
        fake.stop_rate("fn-0005", "ConcurrentExecutions")
        for _ in range(15):
            clock.advance(60)
            await collector.refresh_metrics(region)
        function = row(collector.snapshot(), fake, "fn-0005")
        assert "metrics" not in function.stale
        assert function.invocations == 150
        # The fleet tier reads counts only: a gauge read 15 minutes ago is not passed off as current.
        assert function.concurrency_max is None


async def test_a_query_cloudwatch_could_not_answer_is_unknown_not_zero() -> None:
    fake = FakeAws()
    fake.add_functions(5)
    fake.status_codes["fn-0002"] = "InternalError"
    async with collecting(fake) as (collector, _clock, region):
        await first_pass(collector, region)
        function = row(collector.snapshot(), fake, "fn-0002")
        assert (function.invocations, function.errors, function.throttles) == (None, None, None)
        assert row(collector.snapshot(), fake, "fn-0003").invocations == 0


async def test_a_budget_slows_the_fleet_tier_without_marking_its_rows_stale() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(200)]
    async with collecting(fake, cadence=Cadence(budget_usd_per_hour=0.18)) as (collector, clock, region):
        collector.set_visible(fake.arn(n) for n in names[:40])
        await first_pass(collector, region)
        assert region.plan is not None
        assert region.plan.fleet_s > 2 * collector.cadence.fleet_s
        for _ in range(20):
            clock.advance(60)
            assert set(asked(await metrics_pass(collector, region, fake))) == set(names[:40])
        snapshot = collector.snapshot()
        assert snapshot.cadence_note is not None
        assert "budget" in snapshot.cadence_note
        assert sum(snapshot.tier_cost_usd_per_hour.values()) <= 0.18
        # Twenty minutes since the fleet was read, as the budget planned: not stale yet.
        assert "metrics" not in row(snapshot, fake, names[100]).stale


async def test_dlq_ages_are_priced_with_every_pass() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(10)]
    for name in names[:3]:
        fake.functions[name].dead_letter_arn = f"arn:aws:sqs:us-east-1:123456789012:{name}-dlq"
        fake.queue_depths[f"{name}-dlq"] = 0
    async with collecting(fake) as (collector, clock, region):
        await first_pass(collector, region)
        clock.advance(60)
        calls = await metrics_pass(collector, region, fake)
        ages = [q for c in calls for q in c.queries if q["MetricStat"]["Metric"]["Namespace"] == "AWS/SQS"]
        assert len(ages) == 3
        assert region.plan is not None
        assert region.plan.trip_wire_queries == 6 + 3


# ---- 6. window change -----------------------------------------------------------------------------


async def test_a_new_window_is_read_in_full_and_nothing_from_the_old_one_stays() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(30)]
    for name in names:
        fake.busy(name, invocations=10)
    fake.stat_values[("fn-0001", "Duration", "p99")] = 450.0
    async with collecting(fake) as (collector, clock, region):
        collector.set_visible([fake.arn("fn-0001"), fake.arn("fn-0002")])
        await first_pass(collector, region)
        clock.advance(60)
        await collector.refresh_metrics(region)
        before = collector.snapshot()
        assert row(before, fake, "fn-0001").invocations == 150
        assert row(before, fake, "fn-0001").duration_p99_ms == 450.0
        assert len(row(before, fake, "fn-0002").invocations_series) == 15

        fake.refuse_percentiles = True  # the new window's p99 will not arrive
        collector.set_visible([fake.arn("fn-0001")])
        collector.set_window(60)
        clock.advance(10)
        calls = await metrics_pass(collector, region, fake)
        assert {c.end - c.start for c in calls} == {timedelta(minutes=60)}
        by_function = asked(calls)
        assert set(by_function) == set(names)
        assert all(pairs >= FULL - {("Duration", "p99")} for pairs in by_function.values())
        after = collector.snapshot()
        assert after.window_minutes == 60
        assert all(r.invocations == 600 for r in after.functions)
        assert row(after, fake, "fn-0001").duration_p99_ms is None  # not the old window's 450
        assert len(row(after, fake, "fn-0001").invocations_series) == 60
        assert row(after, fake, "fn-0002").invocations_series == ()  # not a 15-minute leftover
        assert after.regions[0].invocations == 600 * 30


# ---- 7. reserved concurrency ----------------------------------------------------------------------


async def test_reserved_concurrency_absent_is_unknown_and_zero_is_zero() -> None:
    fake = FakeAws()
    fake.functions["unset"] = FakeFunction("unset")
    fake.functions["stopped"] = FakeFunction("stopped", concurrency={"ReservedConcurrentExecutions": 0})
    fake.functions["capped"] = FakeFunction("capped", concurrency={"ReservedConcurrentExecutions": 25})
    async with collecting(fake) as (collector, _clock, region):
        await first_pass(collector, region, details=True)
        snapshot = collector.snapshot()
        assert row(snapshot, fake, "unset").reserved_concurrency is None
        assert row(snapshot, fake, "stopped").reserved_concurrency == 0
        assert row(snapshot, fake, "capped").reserved_concurrency == 25
        assert snapshot.regions[0].reserved_total == 25


# ---- 8. snapshot cost -----------------------------------------------------------------------------


async def test_a_snapshot_of_two_thousand_functions_is_cheap() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(2000)]
    for name in names[::4]:
        fake.busy(name, invocations=10)
    for name in names[::50]:
        fake.functions[name].dead_letter_arn = f"arn:aws:sqs:us-east-1:123456789012:{name}-dlq"
        fake.queue_depths[f"{name}-dlq"] = 1
    async with collecting(fake) as (collector, _clock, region):
        collector.set_visible(fake.arn(n) for n in names[:40])
        await first_pass(collector, region)
        await collector.refresh_queues(region)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            snapshot = collector.snapshot()
            timings.append(time.perf_counter() - started)
        assert len(snapshot.functions) == 2000
        print(
            f"\nsnapshot() of 2,000 functions: median {statistics.median(timings) * 1000:.1f} ms, "
            f"best {min(timings) * 1000:.1f} ms"
        )
        assert min(timings) < 1.0


# ---- run() ------------------------------------------------------------------------------------------


async def test_run_delivers_snapshots_and_pause_stops_polling() -> None:
    fake = FakeAws()
    fake.add_functions(8)
    fake.busy("fn-0001", invocations=10)
    cadence = Cadence(metrics_s=0.05, fleet_s=0.1, logs_s=0.05, queues_s=0.05, inventory_s=0.2, account_s=0.2)
    snapshots: list[FleetSnapshot] = []

    async with collecting(fake, cadence=cadence) as (collector, _clock, _region), running(collector, snapshots.append):
        await until(lambda: any(s.functions and s.sources["metrics"].ok for s in snapshots))
        latest = snapshots[-1]
        assert len(latest.functions) == 8
        assert row(latest, fake, "fn-0001").invocations == 150
        polled = fake.calls["GetMetricData"]
        await until(lambda: fake.calls["GetMetricData"] >= polled + 2)  # it keeps polling

        collector.pause(True)
        await until(lambda: snapshots[-1].paused)
        await asyncio.sleep(0.3)  # let a poll already under way finish
        before = sum(fake.calls.values())
        await asyncio.sleep(0.5)  # ten metrics periods
        assert sum(fake.calls.values()) == before

        collector.pause(False)
        await until(lambda: sum(fake.calls.values()) > before)
        await until(lambda: not snapshots[-1].paused)


async def test_the_pages_listed_first_get_their_numbers_while_the_rest_is_still_listing() -> None:
    # A big account lists for seconds (40 pages at 2,000 functions); here Lambda throttles every
    # page after the first until the test lets it go.
    fake = FakeAws()
    fake.add_functions(120)
    fake.busy("fn-0001", invocations=10)
    fake.busy("fn-0101", invocations=5)
    listing_stalls = True
    list_page = fake.list_functions

    def list_functions(params: dict[str, object]) -> dict[str, object]:
        if listing_stalls and params.get("Marker"):
            raise throttled()
        return list_page(params)

    fake.list_functions = list_functions  # type: ignore[method-assign]
    snapshots: list[FleetSnapshot] = []

    def read(name: str) -> bool:
        found = snapshots[-1].function(fake.arn(name)) if snapshots else None
        return found is not None and found.metrics_at is not None and found.logs_at is not None

    async with (
        collecting(fake, cadence=Cadence(inventory_s=0.2)) as (collector, _clock, _region),
        running(collector, snapshots.append),
    ):
        await until(lambda: read("fn-0001"), timeout_s=20.0)
        assert len(snapshots[-1].functions) == 50  # the list is still one page long
        assert row(snapshots[-1], fake, "fn-0001").invocations == 150
        assert set(asked(fake.metric_calls)) == {f"fn-{i:04d}" for i in range(50)}

        listing_stalls = False
        await until(lambda: len(snapshots[-1].functions) == 120 and read("fn-0119"), timeout_s=20.0)
        assert row(snapshots[-1], fake, "fn-0101").invocations == 75
        # Every function was asked for in full once: the pages read early are not read again.
        full_asks: dict[str, int] = {}
        for call in fake.metric_calls:
            for name, pairs in call.function_metrics().items():
                if pairs >= FULL:
                    full_asks[name] = full_asks.get(name, 0) + 1
        assert len(full_asks) == 120
        assert set(full_asks.values()) == {1}


async def test_details_are_asked_for_only_once_the_first_screen_of_numbers_is_shown() -> None:
    # On a big account the per-function reads trickle in for minutes; the numbers the operator
    # opened lambdatop for must not share the endpoint (or our CPU) with them before they show.
    fake = FakeAws()
    fake.add_functions(120)
    snapshots: list[FleetSnapshot] = []
    shown_before_details: list[bool] = []
    get_function = fake.get_function

    def complete(snapshot: FleetSnapshot) -> bool:
        return len(snapshot.functions) == 120 and all(
            f.metrics_at is not None and f.logs_at is not None for f in snapshot.functions
        )

    def first_detail(params: dict[str, Any]) -> dict[str, Any]:
        if not shown_before_details:
            shown_before_details.append(any(complete(s) for s in snapshots))
        return get_function(params)

    # Cold starts come last (each query answers "Running" once): the metrics show first.
    get_query_results = fake.get_query_results
    polled: set[str] = set()

    def slower_logs(params: dict[str, Any]) -> dict[str, Any]:
        if params["queryId"] not in polled:
            polled.add(params["queryId"])
            return {"status": "Running"}
        return get_query_results(params)

    fake.get_function = first_detail  # type: ignore[method-assign]
    fake.get_query_results = slower_logs  # type: ignore[method-assign]
    async with collecting(fake) as (collector, _clock, _region), running(collector, snapshots.append):
        await until(lambda: bool(shown_before_details), timeout_s=20.0)
        assert shown_before_details == [True]


async def test_the_caps_of_the_rows_on_screen_show_as_soon_as_they_are_read() -> None:
    # Details trickle in for minutes on a big account and refresh the screen every 2 s; the caps
    # of the rows in view (showing `20/?` until read) are the ones the operator waits for.
    fake = FakeAws()
    for function in fake.add_functions(60):
        function.concurrency = {"ReservedConcurrentExecutions": 20}
        function.async_traffic = True  # its destinations are read on the shared pool
    on_screen = [fake.arn(f"fn-{i:04d}") for i in range(10)]
    timed: list[tuple[float, FleetSnapshot]] = []

    def at(condition: Callable[[FleetSnapshot], bool]) -> float:
        return next(t for t, snapshot in timed if condition(snapshot))

    async with collecting(fake) as (collector, _clock, region):
        # The shared pool at 5 rps: the details pass lasts seconds, GetFunction has its own pool.
        region.budget.shared.rate_per_s, region.budget.shared.capacity = 5.0, 1.0
        collector.set_visible(on_screen)
        async with running(collector, lambda s: timed.append((time.monotonic(), s))):
            await until(
                lambda: any(
                    all(s.function(arn).reserved_concurrency == 20 for arn in on_screen)  # type: ignore[union-attr]
                    for _, s in timed
                    if len(s.functions) == 60
                ),
                timeout_s=10.0,
            )
    numbers_shown = at(lambda s: len(s.functions) == 60 and all(f.logs_at is not None for f in s.functions))
    caps_shown = at(
        lambda s: len(s.functions) == 60 and all(s.function(a).reserved_concurrency == 20 for a in on_screen)  # type: ignore[union-attr]
    )
    assert caps_shown - numbers_shown < 1.0  # the detail gap alone would be 2 s


async def test_a_new_window_asked_for_while_listing_rereads_what_was_already_read() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(60)]
    fake.busy("fn-0001", invocations=10)
    async with collecting(fake) as (collector, _clock, region):
        await collector.refresh_inventory(region)
        region.listed_once = False  # as if later pages were still loading
        await collector.refresh_metrics(region)
        await collector.refresh_logs(region)
        assert row(collector.snapshot(), fake, "fn-0001").invocations == 150

        collector.set_window(60)  # what was read covers 15 minutes
        calls = await metrics_pass(collector, region, fake)
        assert set(asked(calls)) == set(names)
        queries_before = fake.calls["StartQuery"]
        await collector.refresh_logs(region)
        assert fake.calls["StartQuery"] > queries_before
        snapshot = collector.snapshot()
        assert snapshot.window_minutes == 60
        assert row(snapshot, fake, "fn-0001").invocations == 600
        assert all(f.logs_at is not None for f in snapshot.functions)
