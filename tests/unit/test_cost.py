"""The monitoring bill: the reference's worked example, and what each kind of call costs."""

from __future__ import annotations

import pytest

from lambdatop.model.cost import (
    GIB,
    Prices,
    TierLoad,
    cost_of_calls,
    get_metric_data_calls,
    hourly_cost,
    period_for_budget,
    tier_costs,
)


def test_worked_example_full_fleet_every_minute_is_4_80_per_hour() -> None:
    assert hourly_cost([TierLoad("fleet", 1000 * 8, 60)]) == pytest.approx(4.80)


def test_worked_example_alternatives() -> None:
    visible_only = [TierLoad("hot", 40 * 8, 60)]
    tiered = [TierLoad("fleet", 8000, 300), TierLoad("hot", 320, 60)]
    account_tiles = [TierLoad("trip-wire", 8, 60)]

    assert hourly_cost(visible_only) == pytest.approx(0.192)
    assert hourly_cost(tiered) == pytest.approx(1.152)
    assert hourly_cost(account_tiles) == pytest.approx(0.0048)


def test_tier_costs_give_each_tier_its_share() -> None:
    shares = tier_costs([TierLoad("fleet", 8000, 300), TierLoad("hot", 320, 60)])

    assert shares == pytest.approx({"fleet": 0.96, "hot": 0.192})


def test_a_tier_needs_a_positive_period() -> None:
    with pytest.raises(ValueError, match="period"):
        hourly_cost([TierLoad("fleet", 10, 0)])


def test_get_metric_data_is_billed_per_metric_not_per_call() -> None:
    one_call = cost_of_calls({"cloudwatch:GetMetricData": 1}, 500, 0)
    sixteen_calls = cost_of_calls({"cloudwatch:GetMetricData": 16}, 8000, 0)

    assert one_call == pytest.approx(0.005)
    assert sixteen_calls == pytest.approx(0.08)  # $0.08 per refresh in the worked example


def test_lambda_control_plane_and_sts_are_free() -> None:
    calls = {"lambda:ListFunctions": 40, "lambda:GetFunction": 2000, "sts:GetCallerIdentity": 1}

    assert cost_of_calls(calls, 0, 0) == 0.0


def test_logs_insights_is_billed_per_gb_scanned() -> None:
    # 100 GB/day logged, a 15-minute window: about 1.04 GB per run, $0.0052.
    scanned = round(100 * GIB / 96)

    assert cost_of_calls({"logs:StartQuery": 20}, 0, scanned) == pytest.approx(0.0052, rel=0.01)


def test_other_cloudwatch_sqs_and_xray_prices() -> None:
    assert cost_of_calls({"cloudwatch:GetMetricStatistics": 1000}, 0, 0) == pytest.approx(0.01)
    assert cost_of_calls({"sqs:GetQueueAttributes": 3000}, 0, 0) == pytest.approx(0.0012)
    assert cost_of_calls({}, 0, 0, traces=180_000) == pytest.approx(0.09)


def test_prices_are_parameters() -> None:
    doubled = Prices(metric_requested=0.02 / 1000)

    assert cost_of_calls({}, 1000, 0, prices=doubled) == pytest.approx(0.02)
    assert hourly_cost([TierLoad("fleet", 8000, 60)], prices=doubled) == pytest.approx(9.60)


def test_budget_slows_the_fleet_tier_first() -> None:
    tiers = [TierLoad("trip-wire", 8, 60), TierLoad("hot", 320, 60), TierLoad("fleet", 8000, 300)]

    period = period_for_budget(tiers, 0.50)

    assert period is not None
    slowed = [t if t.name != "fleet" else t._replace(period_s=period) for t in tiers]
    assert hourly_cost(slowed) == pytest.approx(0.50)


def test_budget_keeps_the_current_period_when_it_already_fits() -> None:
    assert period_for_budget([TierLoad("fleet", 100, 300)], 10.0) == 300


def test_budget_below_the_other_tiers_cannot_be_met() -> None:
    tiers = [TierLoad("hot", 8000, 60), TierLoad("fleet", 100, 300)]

    assert period_for_budget(tiers, 1.0) is None


def test_get_metric_data_calls_take_500_queries_each() -> None:
    assert [get_metric_data_calls(n) for n in (0, 1, 500, 501, 8000)] == [0, 1, 1, 2, 16]
