"""What watching costs: AWS list prices as data, and the arithmetic on API-call counts.

Prices are us-east-1 list prices (reference §10). Free tiers are ignored on purpose: the
estimate is an upper bound, and the free tiers are shared with everything else in the account.
GetMetricData bills per *metric requested*, whatever the window or the number of calls, so its
cost comes from `metrics_requested`, not from the call count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

GIB = 1024**3  # AWS bills "GB" of data scanned in units of 2^30 bytes
METRICS_PER_GET_METRIC_DATA = 500  # MetricDataQueries per GetMetricData call


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per unit. Treat as parameters (other regions, price changes), not constants."""

    metric_requested: float = 0.01 / 1_000  # CloudWatch GetMetricData
    logs_insights_gib_scanned: float = 0.005  # CloudWatch Logs Insights StartQuery
    xray_trace: float = 0.50 / 1_000_000  # X-Ray traces retrieved or scanned
    sqs_request: float = 0.40 / 1_000_000  # SQS standard-queue requests
    cloudwatch_request: float = 0.01 / 1_000  # other CloudWatch APIs (GetMetricStatistics...)


DEFAULT_PRICES = Prices()

# Calls priced per request. Everything else is free per call (Lambda control plane, STS,
# Logs GetQueryResults) or priced by volume (GetMetricData, StartQuery, X-Ray).
_PER_REQUEST_FREE_OPERATIONS = frozenset({"cloudwatch:getmetricdata"})


class TierLoad(NamedTuple):
    """One cadence tier: `metrics_per_pass` metrics requested every `period_s` seconds."""

    name: str
    metrics_per_pass: int
    period_s: float


def cost_of_calls(
    calls: Mapping[str, int],
    metrics_requested: int,
    bytes_scanned: int,
    *,
    traces: int = 0,
    prices: Prices = DEFAULT_PRICES,
) -> float:
    """USD for a set of API calls (`"service:Operation" -> count`) plus the billed volumes."""
    per_request = 0.0
    for key, count in calls.items():
        service = key.split(":", 1)[0].lower()
        if key.lower() in _PER_REQUEST_FREE_OPERATIONS:
            continue
        if service == "cloudwatch":
            per_request += count * prices.cloudwatch_request
        elif service == "sqs":
            per_request += count * prices.sqs_request
    return (
        per_request
        + metrics_requested * prices.metric_requested
        + bytes_scanned / GIB * prices.logs_insights_gib_scanned
        + traces * prices.xray_trace
    )


def passes_per_hour(period_s: float) -> float:
    if period_s <= 0:
        raise ValueError(f"a tier's period must be positive, got {period_s} s")
    return 3600 / period_s


def tier_costs(tiers: Sequence[TierLoad], *, prices: Prices = DEFAULT_PRICES) -> dict[str, float]:
    """USD per hour of each tier's GetMetricData, by tier name (for the cost meter's shares)."""
    costs: dict[str, float] = {}
    for tier in tiers:
        hourly = tier.metrics_per_pass * passes_per_hour(tier.period_s) * prices.metric_requested
        costs[tier.name] = costs.get(tier.name, 0.0) + hourly
    return costs


def hourly_cost(tiers: Sequence[TierLoad], *, prices: Prices = DEFAULT_PRICES) -> float:
    """USD per hour of GetMetricData for the given cadence tiers."""
    return sum(tier_costs(tiers, prices=prices).values())


def period_for_budget(
    tiers: Sequence[TierLoad],
    budget_usd_per_hour: float,
    *,
    slow_tier: str = "fleet",
    prices: Prices = DEFAULT_PRICES,
) -> float | None:
    """The period `slow_tier` needs so that all tiers together fit the budget.

    Returns the tier's current period when it already fits, and None when even never running
    `slow_tier` would not fit (the other tiers alone are over budget) or the tier is absent.
    """
    slow = [t for t in tiers if t.name == slow_tier]
    if not slow:
        return None
    others = hourly_cost([t for t in tiers if t.name != slow_tier], prices=prices)
    left = budget_usd_per_hour - others
    metrics = sum(t.metrics_per_pass for t in slow)
    current = max(t.period_s for t in slow)
    if metrics == 0:
        return current if left >= 0 else None
    if left <= 0:
        return None
    needed = metrics * prices.metric_requested * 3600 / left
    return max(current, needed)


def get_metric_data_calls(metrics: int) -> int:
    """GetMetricData calls needed for `metrics` queries (at most 500 per call)."""
    return math.ceil(metrics / METRICS_PER_GET_METRIC_DATA) if metrics > 0 else 0
