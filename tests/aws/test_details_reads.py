"""Per-function detail reads: only where they can exist, only when they change, and a failed
read never erases what was known."""

from __future__ import annotations

from lambdatop.collector import Collector, RegionCollector
from lambdatop.model.health import health
from tests.aws.fake_aws import FakeAws, FakeError, collecting, row

LAMBDA_LISTS = ("ListAliases", "ListFunctionEventInvokeConfigs", "ListProvisionedConcurrencyConfigs")
CANARY_ALIAS = {"Name": "live", "FunctionVersion": "6", "RoutingConfig": {"AdditionalVersionWeights": {"7": 0.1}}}


async def inventory_and_details(collector: Collector, region: RegionCollector) -> None:
    await collector.refresh_inventory(region)
    await collector.refresh_details(region, budget_s=None)


def invalid() -> Exception:
    return FakeError("InvalidParameterValueException", 400, "injected")


async def test_lists_are_asked_only_where_cloudwatch_shows_aliases_or_async_traffic() -> None:
    fake = FakeAws()
    fake.add_functions(50)
    fake.functions["fn-0003"].aliases = [CANARY_ALIAS]
    fake.functions["fn-0004"].async_traffic = True
    fake.functions["fn-0004"].on_failure_destination = "arn:aws:sqs:us-east-1:123456789012:fn-0004-failures"
    async with collecting(fake) as (collector, region):
        await inventory_and_details(collector, region)
        assert fake.calls["GetFunction"] == 50  # its own pool: every function
        assert fake.calls["ListAliases"] == 1
        assert fake.calls["ListFunctionEventInvokeConfigs"] == 1
        assert fake.calls["ListProvisionedConcurrencyConfigs"] == 0
        assert [a.name for a in row(collector, fake, "fn-0003").aliases] == ["live"]
        assert [q.name for q in row(collector, fake, "fn-0004").dlqs] == ["fn-0004-failures"]
        assert collector.snapshot().sources["inventory"].ok

        # A row on screen reads every part, whatever CloudWatch lists.
        collector.set_visible([fake.arn("fn-0010")])
        await collector.refresh_details(region, budget_s=None)
        assert [fake.calls[c] for c in LAMBDA_LISTS] == [2, 2, 1]


async def test_only_functions_whose_revision_changed_are_read_again() -> None:
    fake = FakeAws()
    fake.add_functions(30)
    fake.functions["fn-0003"].aliases = [CANARY_ALIAS]
    async with collecting(fake) as (collector, region):
        await inventory_and_details(collector, region)
        before = fake.calls.copy()
        fake.functions["fn-0003"].last_modified = "2026-11-23T03:00:00.000+0000"
        fake.functions["fn-0003"].aliases = [{"Name": "live", "FunctionVersion": "7"}]
        await inventory_and_details(collector, region)
        assert fake.calls["GetFunction"] - before["GetFunction"] == 1
        assert fake.calls["ListAliases"] - before["ListAliases"] == 1
        assert row(collector, fake, "fn-0003").aliases[0].version == "7"


async def test_a_detail_read_that_fails_after_a_good_one_keeps_the_good_values() -> None:
    fake = FakeAws()
    fake.add_functions(3)
    stopped = fake.functions["fn-0001"]
    stopped.concurrency = {"ReservedConcurrentExecutions": 0}
    stopped.aliases = [CANARY_ALIAS]
    stopped.async_traffic = True
    stopped.on_failure_destination = "arn:aws:sqs:us-east-1:123456789012:fn-0001-failures"
    fake.functions["fn-0002"].concurrency = {"ReservedConcurrentExecutions": 20}
    async with collecting(fake) as (collector, region):
        clock = collector.clock
        await inventory_and_details(collector, region)
        read_at = clock.now()
        good = row(collector, fake, "fn-0001")
        assert good.reserved_concurrency == 0
        assert "inventory" not in good.stale

        for operation in ("GetFunction", *LAMBDA_LISTS):
            fake.faults[operation] = invalid
        stopped.last_modified = "2026-11-23T03:00:00.000+0000"  # changed: every part is due
        clock.advance(60)  # type: ignore[attr-defined]
        await inventory_and_details(collector, region)
        kept = row(collector, fake, "fn-0001")
        assert kept.reserved_concurrency == 0  # still STOPPED, not "uncapped"
        assert health(kept).level == "stopped"
        assert [a.name for a in kept.aliases] == ["live"]
        assert [q.name for q in kept.dlqs] == ["fn-0001-failures"]
        assert "inventory" in kept.stale
        assert kept.details_at == read_at
        # The other functions were not due: their values are current, not stale.
        assert row(collector, fake, "fn-0002").reserved_concurrency == 20
        assert "inventory" not in row(collector, fake, "fn-0002").stale

        fake.faults.clear()
        clock.advance(61)  # type: ignore[attr-defined]
        await collector.refresh_details(region, budget_s=None)
        recovered = row(collector, fake, "fn-0001")
        assert "inventory" not in recovered.stale
        assert recovered.details_at == clock.now()


async def test_a_throttled_pass_stops_at_once_and_marks_the_inventory_stale() -> None:
    fake = FakeAws()
    fake.add_functions(40)
    async with collecting(fake) as (collector, region):
        await collector.refresh_inventory(region)
        fake.faults["GetFunction"] = lambda: FakeError("TooManyRequestsException", 400, "Rate exceeded")
        await collector.refresh_details(region, budget_s=None)
        assert fake.calls["GetFunction"] <= 16 * 3  # the pass stopped, at most what was in flight
        status = collector.snapshot().sources["inventory"]
        assert not status.ok
        assert "TooManyRequests" in (status.error or "")
