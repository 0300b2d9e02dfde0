"""How often each tier of metrics refreshes, and what that costs per hour.

GetMetricData bills per metric requested, whatever the window. So the default spends where
the operator is looking and where trouble is:
- trip-wire: account-level metrics every pass (a handful of queries);
- hot: rows on screen and functions in trouble, full metric set every pass (60 s);
- fleet: every other function, short set every 5 min (one query when it was quiet).
An account-level error or throttle that the hot rows do not explain pulls the fleet tier
forward, so new trouble anywhere shows within one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lambdatop.model.cost import DEFAULT_PRICES


@dataclass(frozen=True, slots=True)
class Cadence:
    metrics_s: float = 60.0  # trip-wire + hot tier
    fleet_s: float = 300.0  # every function at least this often
    logs_s: float = 120.0
    queues_s: float = 60.0
    inventory_s: float = 300.0
    account_s: float = 300.0
    max_fleet_s: float = 1800.0  # how far a budget may stretch the fleet tier
    min_forced_fleet_gap_s: float = 60.0
    credential_probe_s: float = 20.0  # while credentials are out: how often STS is asked
    budget_usd_per_hour: float | None = None

    def for_demo(self, metrics_s: float | None = None) -> Cadence:
        """The demo account moves every few seconds; so does its refresh (said on screen).
        `metrics_s`: the user's own `--refresh` / `[demo] refresh`, which wins."""
        fast = replace(
            self,
            metrics_s=10.0,
            fleet_s=30.0,
            logs_s=15.0,
            queues_s=10.0,
            inventory_s=60.0,
            account_s=60.0,
            min_forced_fleet_gap_s=10.0,
        )
        if metrics_s is None:
            return fast
        return replace(fast, metrics_s=metrics_s, queues_s=metrics_s, fleet_s=max(fast.fleet_s, metrics_s))


@dataclass(frozen=True, slots=True)
class TierPlan:
    trip_wire_queries: int
    hot_queries: int
    fleet_queries: int
    fleet_s: float
    note: str | None
    forced_per_hour: float = 0.0  # fleet passes the trip-wire pulled forward, over the last hour
    # Logs Insights in steady state (bytes scanned per hour, priced): lambdatop.aws.logs.
    logs_usd_per_hour: float = 0.0

    @property
    def fleet_passes_per_hour(self) -> float:
        return 3600.0 / self.fleet_s + self.forced_per_hour

    def hourly_usd(self, cadence: Cadence) -> dict[str, float]:
        per_metric = DEFAULT_PRICES.metric_requested
        per_pass_hot = 3600.0 / cadence.metrics_s
        costs = {
            "trip-wire": self.trip_wire_queries * per_pass_hot * per_metric,
            "hot": self.hot_queries * per_pass_hot * per_metric,
            "fleet": self.fleet_queries * self.fleet_passes_per_hour * per_metric,
        }
        if self.logs_usd_per_hour:
            costs["logs"] = self.logs_usd_per_hour
        return costs


def plan_tiers(
    cadence: Cadence,
    trip_wire_queries: int,
    hot_queries: int,
    fleet_queries: int,
    forced_per_hour: float = 0.0,
    logs_usd_per_hour: float = 0.0,
) -> TierPlan:
    """Choose the fleet period: the default, or slower when the budget says so (forced
    passes count against the budget too; Logs Insights counts like the tiers that cannot
    stretch)."""
    fleet_s = cadence.fleet_s
    note = None
    plan = TierPlan(trip_wire_queries, hot_queries, fleet_queries, fleet_s, None, forced_per_hour, logs_usd_per_hour)
    budget = cadence.budget_usd_per_hour
    if budget is not None and fleet_queries > 0:
        costs = plan.hourly_usd(cadence)
        fixed = costs["trip-wire"] + costs["hot"] + costs.get("logs", 0.0)
        room = budget - fixed
        if costs["fleet"] > room:
            per_metric = DEFAULT_PRICES.metric_requested
            regular_passes = room / (fleet_queries * per_metric) - forced_per_hour if room > 0 else 0.0
            needed_s = 3600.0 / regular_passes if regular_passes > 0 else cadence.max_fleet_s
            fleet_s = min(cadence.max_fleet_s, max(cadence.fleet_s, needed_s))
            note = f"budget ${budget:.2f}/h: fleet tier every {fleet_s / 60:.0f} min"
            if room <= 0 or needed_s > cadence.max_fleet_s:
                note += " (over budget: on-screen rows alone cost more)"
    return TierPlan(trip_wire_queries, hot_queries, fleet_queries, fleet_s, note, forced_per_hour, logs_usd_per_hour)
