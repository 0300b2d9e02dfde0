"""Lost-event signals, a trip-wire that ignores background noise, and a status that tells the truth."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from lambdatop.model.health import health
from tests.aws.fake_aws import FakeAws, access_denied, collecting, row

DLQ = "arn:aws:sqs:us-east-1:123456789012:{}"


def asked(fake: FakeAws, metric: str) -> set[str]:
    """Functions a GetMetricData query asked `metric` for, over every call so far."""
    names = set()
    for call in fake.metric_calls:
        for query in call.queries:
            stat = query["MetricStat"]["Metric"]
            if stat["MetricName"] == metric:
                names |= {d["Value"] for d in stat["Dimensions"] if d["Name"] == "FunctionName"}
    return names


async def test_lost_event_signals_are_read_wherever_they_can_be_non_zero() -> None:
    fake = FakeAws()
    fake.add_functions(6)
    fake.functions["fn-0001"].async_traffic = True  # async, no DLQ: drops silently
    fake.set_rate("fn-0001", "AsyncEventsDropped", 2)
    fake.functions["fn-0002"].dead_letter_arn = DLQ.format("fn-0002-dlq")
    fake.queue_depths["fn-0002-dlq"] = 0
    fake.set_rate("fn-0002", "DeadLetterErrors", 1)
    fake.functions["fn-0003"].async_traffic = True
    fake.functions["fn-0003"].on_failure_destination = DLQ.format("fn-0003-failures")
    fake.set_rate("fn-0003", "DestinationDeliveryFailures", 1)
    async with collecting(fake) as (collector, region):
        await collector.refresh_inventory(region)
        await collector.refresh_details(region, budget_s=None)
        await collector.refresh_metrics(region)

        assert asked(fake, "AsyncEventsDropped") == {"fn-0001", "fn-0002", "fn-0003"}
        assert asked(fake, "DeadLetterErrors") == {"fn-0002"}
        assert asked(fake, "DestinationDeliveryFailures") == {"fn-0003"}
        dropping = row(collector, fake, "fn-0001")
        assert dropping.async_events_dropped == 30
        assert health(dropping).label == "⚠ DROP 30"
        assert row(collector, fake, "fn-0002").dead_letter_errors == 15
        assert health(row(collector, fake, "fn-0002")).level == "crit"
        assert row(collector, fake, "fn-0003").destination_delivery_failures == 15
        assert row(collector, fake, "fn-0004").async_events_dropped is None  # no async traffic: not asked

        # The fleet tier keeps reading them with the counts.
        fake.metric_calls.clear()
        collector.clock.advance(collector.cadence.fleet_s)  # type: ignore[attr-defined]
        await collector.refresh_metrics(region)
        assert asked(fake, "AsyncEventsDropped") == {"fn-0001", "fn-0002", "fn-0003"}


def noisy_errors(seed: int) -> object:
    """0.5 % of 100 invocations a minute, drawn minute by minute (the same minute, the same draw)."""

    def errors(minute: datetime) -> float:
        draw = random.Random(f"{seed}-{minute.isoformat()}").random()
        return 0.0 if draw < 0.6 else 1.0 if draw < 0.9 else 2.0

    return errors


async def test_background_noise_does_not_pull_fleet_passes_forward_but_new_trouble_does() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(100)]
    for i, name in enumerate(names[20:40]):  # 20 % of the fleet: background errors under 1 %
        fake.set_rate(name, "Invocations", 100)
        fake.set_varying(name, "Errors", noisy_errors(i))  # type: ignore[arg-type]
    async with collecting(fake) as (collector, region):
        clock = collector.clock
        collector.set_visible(fake.arn(n) for n in names[:10])
        await collector.refresh_inventory(region)
        await collector.refresh_metrics(region)
        for _ in range(60):
            clock.advance(60)  # type: ignore[attr-defined]
            await collector.refresh_metrics(region)
        mono = clock.monotonic()
        assert region.trip_wire.forced_per_hour(mono) <= 1
        assert region.plan is not None
        assert region.plan.fleet_passes_per_hour <= 13

        fake.set_rate("fn-0077", "Invocations", 50)
        fake.set_rate("fn-0077", "Errors", 25, since=clock.now().replace(second=0))  # type: ignore[attr-defined]
        forced_before = region.trip_wire.forced_per_hour(mono)
        for _ in range(2):
            clock.advance(60)  # type: ignore[attr-defined]
            await collector.refresh_metrics(region)
        assert region.trip_wire.forced_per_hour(clock.monotonic()) == forced_before + 1
        assert health(row(collector, fake, "fn-0077")).level == "crit"
        # And the forced pass is in the price of the fleet tier.
        assert region.plan.forced_per_hour == forced_before + 1


async def test_the_window_shown_changes_only_when_numbers_for_it_arrive() -> None:
    fake = FakeAws()
    fake.add_functions(3)
    fake.busy("fn-0001", invocations=10)
    async with collecting(fake) as (collector, region):
        await collector.refresh_inventory(region)
        await collector.refresh_metrics(region)
        before = collector.snapshot()
        assert before.window_minutes == 15
        assert before.window_end is not None
        assert before.window_start is not None
        assert (before.window_end - before.window_start).total_seconds() == 15 * 60
        collector.set_window(60)
        assert collector.snapshot().window_minutes == 15  # asked for, not read yet: the header shows "…"
        await collector.refresh_metrics(region)
        after = collector.snapshot()
        assert after.window_minutes == 60
        assert row(collector, fake, "fn-0001").invocations == 600


async def test_sources_that_could_not_run_say_why() -> None:
    fake = FakeAws()
    fake.add_functions(3)
    fake.faults["ListFunctions"] = access_denied
    async with collecting(fake) as (collector, region):
        await collector.refresh_inventory(region)
        sources = collector.snapshot().sources
        assert not sources["inventory"].ok
        for name in ("metrics", "logs", "queues"):
            assert not sources[name].ok
            assert "cannot run before the function list is read (AccessDenied" in (sources[name].error or "")


async def test_a_code_error_in_a_refresher_shows_in_its_source_and_is_not_an_outage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeAws()
    fake.add_functions(3)
    async with collecting(fake) as (collector, region):
        await collector.refresh_inventory(region)

        def broken(*_: object, **__: object) -> None:
            raise TypeError("a bug")

        monkeypatch.setattr("lambdatop.collector.metrics_refresher.store_answers", broken)
        with pytest.raises(TypeError):  # called directly (as tests do), a bug fails loudly
            await collector.refresh_metrics(region)
        collector.strict = False  # as the app runs: shown in the status
        snapshot = await collector.collect_once()
        assert snapshot.sources["metrics"].error == "code error: TypeError: a bug"
        collector.strict = True
        with pytest.raises(TypeError):
            await collector.collect_once()


async def test_a_weighted_alias_is_read_per_version_in_the_same_calls_and_judged() -> None:
    fake = FakeAws()
    fake.add_functions(600)  # more than one 500-query call
    canary = fake.functions["fn-0003"]
    canary.aliases = [
        {"Name": "live", "FunctionVersion": "6", "RoutingConfig": {"AdditionalVersionWeights": {"7": 0.1}}}
    ]
    fake.busy("fn-0003", invocations=110, errors=4)
    fake.set_rate("fn-0003@6", "Invocations", 100)
    fake.set_rate("fn-0003@6", "Errors", 0.4)
    fake.set_rate("fn-0003@7", "Invocations", 10)
    fake.set_rate("fn-0003@7", "Errors", 3)
    async with collecting(fake) as (collector, region):
        await collector.refresh_inventory(region)
        await collector.refresh_details(region, budget_s=None)
        await collector.refresh_metrics(region)
        found = row(collector, fake, "fn-0003")
        assert len(found.canaries) == 1
        figures = {v.version: v for v in found.canaries[0].versions}
        assert (figures["6"].invocations, figures["6"].errors) == (1500, 6)
        assert (figures["7"].invocations, figures["7"].errors) == (150, 45)
        assert health(found).label == "⚖ v7 ERR 30% vs 0.4%"
        calls = fake.metric_calls
        assert len(calls) == -(-sum(len(c.queries) for c in calls) // 500)  # no extra call for them
