"""The collector: schedules every source's reads and turns what they learn into snapshots.

Modules, one purpose each: `scheduler` (loops, pause, emitting), `metric_plan` / `metric_store` /
`metrics_refresher` (a metric pass), `inventory_refresher`, `account_refresher`,
`logs_refresher`, `queues_refresher` (one per source), `rows` and `snapshot_builder`
(assembly), `region_state` (what is known), `cadence` (tiers and their price).
"""

from lambdatop.collector.context import RegionCollector
from lambdatop.collector.scheduler import Collector

__all__ = ["Collector", "RegionCollector"]
