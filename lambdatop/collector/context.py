"""What every refresher of one collector shares: the clock, the cadence, the window, the rows
on screen, and the per-Region readers and state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lambdatop.aws.budget import ControlPlaneBudget
from lambdatop.aws.code_errors import is_code_error
from lambdatop.aws.errors import Failure, classify
from lambdatop.aws.inventory import InventoryReader
from lambdatop.aws.logs import LogsReader
from lambdatop.aws.metrics import MetricsReader
from lambdatop.aws.queues import QueueReader
from lambdatop.aws.session import ClientPool
from lambdatop.clock import Clock
from lambdatop.collector.cadence import Cadence, TierPlan
from lambdatop.collector.region_state import RegionState
from lambdatop.collector.trip_wire import TripWire


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass
class CollectorContext:
    clock: Clock
    cadence: Cadence
    window_minutes: int
    visible: set[str] = field(default_factory=set)
    # Called when a per-function read lands: the screen may refresh, but need not at once.
    on_detail: Callable[[], None] = lambda: None
    # Called when new rows arrive (a ListFunctions page): the screen refreshes at once.
    on_rows: Callable[[], None] = lambda: None
    # Called with any call's exception that means the credentials expired or are invalid.
    on_credentials: Callable[[BaseException | Failure], None] = lambda exc: None

    def window(self) -> tuple[datetime, datetime]:
        """The whole minutes the numbers cover: [start, end)."""
        end = floor_minute(self.clock.now())
        return end - timedelta(minutes=self.window_minutes), end


class RegionCollector:
    """Readers and state for one Region."""

    def __init__(
        self,
        pool: ClientPool,
        region: str,
        profile: str | None,
        budget: ControlPlaneBudget,
        logs_max_concurrent_queries: int = 4,
    ) -> None:
        self.state = RegionState(region=region, profile=profile)
        self.budget = budget
        self.inventory = InventoryReader(pool, region, budget)
        self.metrics = MetricsReader(pool, region)
        self.logs = LogsReader(pool, region, max_concurrent_queries=logs_max_concurrent_queries)
        self.logs_usd_per_hour = 0.0  # Logs Insights in steady state, for the plan and budget
        self.queues = QueueReader(pool, region)
        self.last_fleet_at: float | None = None
        self.last_forced_fleet_at: float | None = None
        self.plan: TierPlan | None = None
        self.trip_wire = TripWire()
        self.fetched_full: set[str] = set()  # functions that had one full-set read
        self.listing_ok = False  # the last ListFunctions pass answered
        self.listed_once = False  # every page of ListFunctions was read at least once
        # The next metric and logs passes after the first listing read only what was not read
        # while it loaded; a refresh asked for meanwhile (`r`, a new window) makes them full.
        self.metrics_catch_up = True
        self.logs_catch_up = True
        self.evidence_error: str | None = None  # why ListMetrics did not answer, if it did not


def record_failure(ctx: CollectorContext, region: RegionCollector, source: str, exc: BaseException) -> Failure:
    """A source's call failed: mark its fields stale with the reason; what it knew stays.
    A bug of ours is not a failed call: it is raised, for the scheduler to show."""
    if is_code_error(exc):
        raise exc
    failure = classify(exc)
    region.state.source(source).failed(ctx.clock.now(), failure.reason, failure.unsupported)
    if failure.kind == "credentials":
        ctx.on_credentials(exc)
    return failure


async def guarded(
    ctx: CollectorContext, region: RegionCollector, source: str, work: Awaitable[object]
) -> Failure | None:
    try:
        await work
    except Exception as exc:
        return record_failure(ctx, region, source, exc)
    region.state.source(source).succeeded(ctx.clock.now())
    return None
