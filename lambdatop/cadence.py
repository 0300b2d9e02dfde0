"""Kept so `from lambdatop.cadence import Cadence` still works: the code is in lambdatop.collector.cadence."""

from lambdatop.collector.cadence import Cadence, TierPlan, plan_tiers

__all__ = ["Cadence", "TierPlan", "plan_tiers"]
