"""One failed call never erases what the others answered, nor what was known before."""

from __future__ import annotations

from tests.aws.fake_aws import FakeAws, FakeError, collecting, row

QUEUE = "arn:aws:sqs:us-east-1:123456789012:{}"


def refused() -> Exception:
    return FakeError("InvalidParameterCombination", 400, "injected")


async def test_a_failed_getmetricdata_call_marks_only_its_own_functions_stale() -> None:
    fake = FakeAws()
    names = [f.name for f in fake.add_functions(1200)]
    for name in names:
        fake.set_rate(name, "Invocations", 2)
    async with collecting(fake) as (collector, region):
        clock = collector.clock
        await collector.refresh_inventory(region)
        await collector.refresh_metrics(region)  # every function in full: several 500-query calls
        assert len(fake.metric_calls) >= 3
        clock.advance(collector.cadence.fleet_s)  # type: ignore[attr-defined]
        fake.set_rate("fn-0100", "Invocations", 5)
        fake.set_rate("fn-1100", "Invocations", 5)
        fake.fail_calls_with["fn-0100"] = refused
        await collector.refresh_metrics(region)

        failed_call = next(c for c in fake.metric_calls[-8:] if "fn-0100" in str(c.queries))
        in_failed = {d["Value"] for q in failed_call.queries for d in q["MetricStat"]["Metric"]["Dimensions"]}
        kept = row(collector, fake, "fn-0100")
        assert kept.invocations == 30  # the last good figure (2/min over 15 min), kept
        assert "metrics" in kept.stale
        fresh = row(collector, fake, "fn-1100")
        assert "fn-1100" not in in_failed
        assert fresh.invocations == 75  # its call answered: the new figure, not stale
        assert "metrics" not in fresh.stale
        stale_rows = [f.name for f in collector.snapshot().functions if "metrics" in f.stale]
        assert set(stale_rows) == in_failed & set(names)  # exactly the failed call's functions
        assert collector.snapshot().sources["metrics"].ok

        fake.fail_calls_with.clear()
        clock.advance(collector.cadence.fleet_s)  # type: ignore[attr-defined]
        await collector.refresh_metrics(region)
        assert row(collector, fake, "fn-0100").invocations == 75
        assert not [f.name for f in collector.snapshot().functions if "metrics" in f.stale]


async def test_a_server_error_on_every_try_keeps_percentiles_on() -> None:
    fake = FakeAws()
    fake.add_functions(3)
    fake.busy("fn-0001", invocations=10)
    async with collecting(fake) as (collector, region):
        collector.set_visible([fake.arn("fn-0001")])
        await collector.refresh_inventory(region)
        await collector.refresh_metrics(region)
        assert row(collector, fake, "fn-0001").duration_p99_ms == 120.0
        fake.fail_calls_with["fn-0001"] = lambda: FakeError("InternalServiceFault", 500, "try again")
        collector.clock.advance(60)  # type: ignore[attr-defined]
        await collector.refresh_metrics(region)
        snapshot = collector.snapshot()
        assert snapshot.sources["percentiles"].ok  # a 5xx the plain call gets too is not "unsupported"
        assert region.metrics.percentiles_enabled(collector.clock.monotonic())
        assert row(collector, fake, "fn-0001").duration_p99_ms == 120.0  # kept, stale
        assert "metrics" in row(collector, fake, "fn-0001").stale


async def test_a_queue_that_cannot_be_read_marks_only_its_functions_stale() -> None:
    fake = FakeAws()
    fake.add_functions(3)
    fake.functions["fn-0000"].dead_letter_arn = QUEUE.format("a-dlq")
    fake.functions["fn-0001"].dead_letter_arn = QUEUE.format("b-dlq")
    fake.queue_depths |= {"a-dlq": 4, "b-dlq": 7}
    async with collecting(fake) as (collector, region):
        await collector.refresh_inventory(region)
        await collector.refresh_queues(region)
        assert row(collector, fake, "fn-0000").dlq_depth == 4
        del fake.queue_depths["a-dlq"]
        fake.queue_depths["b-dlq"] = 8
        await collector.refresh_queues(region)
        snapshot = collector.snapshot()
        failing = row(collector, fake, "fn-0000")
        assert failing.dlq_depth == 4  # the last depth read, kept
        assert "queues" in failing.stale
        other = row(collector, fake, "fn-0001")
        assert other.dlq_depth == 8
        assert "queues" not in other.stale
        assert "queues" not in row(collector, fake, "fn-0002").stale
        assert snapshot.sources["queues"].ok
