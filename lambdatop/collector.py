"""Polls every source on its own cadence and turns what it learns into FleetSnapshots.

One loop per source and Region; each next poll is scheduled only after the previous one
finished, so polls never pile up. A failing source marks only its own fields stale (with
its age and reason) and is retried on its next turn, so it recovers by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

from lambdatop.aws.errors import Failure, classify
from lambdatop.aws.inventory import InventoryLimiters, InventoryReader
from lambdatop.aws.logs import LogsReader
from lambdatop.aws.metric_queries import FLEET_SHORT_SET, FULL_SET, QUIET_PROBE, MetricQuery, QueryBuilder
from lambdatop.aws.metrics import MetricSeries, MetricsReader
from lambdatop.aws.queues import QueueReader
from lambdatop.aws.session import ClientPool
from lambdatop.cadence import Cadence, TierPlan, plan_tiers
from lambdatop.clock import Clock
from lambdatop.model.cost import DEFAULT_PRICES, GIB
from lambdatop.model.health import health
from lambdatop.model.snapshot import SOURCE_NAMES, FleetSnapshot, SourceStatus
from lambdatop.region_state import RegionState, Timed

SnapshotCallback = Callable[[FleetSnapshot], None]
COUNT_FIELDS = frozenset({"invocations", "errors", "throttles", "async_events_dropped"})
# How recent the last minutes must be before they count as settled: Lambda stamps metrics at
# invocation start, so a long invocation still adds to a minute that looks finished.
PROVISIONAL_S = 120
DETAIL_EMIT_GAP_S = 2.0


def floor_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


class RegionCollector:
    """Readers and state for one Region."""

    def __init__(
        self, pool: ClientPool, region: str, profile: str | None, logs_max_concurrent_queries: int = 4
    ) -> None:
        self.state = RegionState(region=region, profile=profile)
        self.inventory = InventoryReader(pool, region, InventoryLimiters())
        self.metrics = MetricsReader(pool, region)
        self.logs = LogsReader(pool, region, max_concurrent_queries=logs_max_concurrent_queries)
        self.logs_usd_per_hour = 0.0  # Logs Insights in steady state, for the plan and budget
        self.queues = QueueReader(pool, region)
        self.last_fleet_at: float | None = None
        self.last_forced_fleet_at: float | None = None
        self.plan: TierPlan | None = None
        self.fetched_full: set[str] = set()  # functions that had one full-set read


class Collector:
    """The real SnapshotSource (see lambdatop.protocols)."""

    def __init__(
        self,
        pool: ClientPool,
        regions: Sequence[str],
        clock: Clock,
        *,
        window_minutes: int = 15,
        cadence: Cadence | None = None,
        profile: str | None = None,
        owns_pool: bool = False,
        logs_max_concurrent_queries: int = 4,
    ) -> None:
        if not regions:
            raise ValueError("at least one region is needed")
        self.pool = pool
        self.clock = clock
        self.window_minutes = window_minutes
        self.cadence = cadence or Cadence()
        self.regions = [RegionCollector(pool, r, profile, logs_max_concurrent_queries) for r in regions]
        self._visible: set[str] = set()
        self._paused = False
        self._resume = asyncio.Event()
        self._resume.set()
        self._wake: dict[str, asyncio.Event] = {}
        self._dirty = asyncio.Event()
        # A finished pass or an operator's key shows at once; the per-function detail reads,
        # which trickle in for minutes on a large account, only refresh the screen every
        # DETAIL_EMIT_GAP_S, so 2,000 rows are not rebuilt several times a second.
        self._urgent = asyncio.Event()
        self._last_emit_at: float | None = None
        self._on_snapshot: SnapshotCallback | None = None
        self._next_metrics_at: datetime | None = None
        self._owns_pool = owns_pool
        # Called (off the event loop) with a complete snapshot at most once a minute: the cache.
        self.on_complete: Callable[[FleetSnapshot], None] | None = None
        self._last_complete_at: float | None = None

    # ---- SnapshotSource protocol -----------------------------------------------------------
    def refresh_now(self) -> None:
        for region in self.regions:
            region.last_fleet_at = None
        for event in self._wake.values():
            event.set()

    def pause(self, paused: bool) -> None:
        self._paused = paused
        self._urgent.set()
        if paused:
            self._resume.clear()
        else:
            self._resume.set()
        self._dirty.set()

    def set_window(self, minutes: int) -> None:
        if minutes != self.window_minutes:
            self.window_minutes = minutes
            self.refresh_now()

    def set_visible(self, arns: Iterable[str]) -> None:
        new = set(arns)
        fresh = new - self._visible
        self._visible = new
        # Rows that just scrolled into view and have only fleet-tier numbers get a pass now.
        if any(arn not in r.fetched_full for r in self.regions for arn in fresh if arn in r.state.functions):
            wake = self._wake.get("metrics")
            if wake:
                wake.set()

    def refresh_function(self, arn: str) -> None:
        """After an operator's action: that function's details are due now."""
        for region in self.regions:
            if arn in region.state.functions:
                region.state.detail_at.pop(arn, None)
        wake = self._wake.get("details")
        if wake:
            wake.set()

    async def run(self, on_snapshot: SnapshotCallback) -> None:
        self._on_snapshot = on_snapshot
        loops: list[Coroutine[object, object, None]] = [self._emitter()]
        for region in self.regions:
            loops += [
                self._loop("inventory", self.cadence.inventory_s, partial(self.refresh_inventory, region)),
                self._loop("details", 5.0, partial(self.refresh_details, region, budget_s=30.0)),
                self._loop("account", self.cadence.account_s, partial(self.refresh_account, region)),
                self._loop("metrics", self.cadence.metrics_s, partial(self.refresh_metrics, region)),
                self._loop("logs", self.cadence.logs_s, partial(self.refresh_logs, region)),
                self._loop("queues", self.cadence.queues_s, partial(self.refresh_queues, region)),
            ]
        try:
            async with asyncio.TaskGroup() as group:
                for loop in loops:
                    group.create_task(loop)
        finally:
            if self._owns_pool:
                await self.pool.close()

    # ---- one-shot ------------------------------------------------------------------------
    async def collect_once(self) -> FleetSnapshot:
        """Every source once, everything in full: what `--once` prints."""
        for region in self.regions:
            await asyncio.gather(self.refresh_account(region), self.refresh_inventory(region))
            await asyncio.gather(
                self.refresh_details(region, budget_s=None),
                self.refresh_metrics(region, everything=True),
                self.refresh_logs(region),
            )
            await self.refresh_queues(region)
        return self.snapshot()

    # ---- scheduling ----------------------------------------------------------------------
    async def _loop(self, name: str, period_s: float, step: Callable[[], Awaitable[object]]) -> None:
        wake = self._wake.setdefault(name, asyncio.Event())
        needs = {"details": "inventory", "metrics": "inventory", "logs": "inventory", "queues": "details"}
        while True:
            await self._resume.wait()
            if name in needs and not all(r.state.functions or r.state.source("inventory").ok for r in self.regions):
                await asyncio.sleep(0.05)  # wait for the first function list
                continue
            wake.clear()
            with contextlib.suppress(Exception):
                await step()  # each step records its own failures in the source states
            self._urgent.set()
            self._dirty.set()
            delay = period_s
            if name == "metrics":
                self._next_metrics_at = self.clock.now() + timedelta(seconds=delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=delay)

    async def _emitter(self) -> None:
        """Coalesce bursts of updates into at most a few snapshots a second."""
        while True:
            await self._dirty.wait()
            await asyncio.sleep(0.2)
            if not self._urgent.is_set() and self._last_emit_at is not None:
                wait_s = DETAIL_EMIT_GAP_S - (self.clock.monotonic() - self._last_emit_at)
                if wait_s > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._urgent.wait(), timeout=wait_s)
            self._dirty.clear()
            self._urgent.clear()
            self._last_emit_at = self.clock.monotonic()
            snapshot = self.snapshot()
            if self._on_snapshot is not None:
                self._on_snapshot(snapshot)
            await self._maybe_complete(snapshot)

    async def _maybe_complete(self, snapshot: FleetSnapshot) -> None:
        if self.on_complete is None or not snapshot.functions:
            return
        if not (snapshot.sources["inventory"].ok and snapshot.sources["metrics"].ok):
            return
        mono = self.clock.monotonic()
        if self._last_complete_at is not None and mono - self._last_complete_at < 60.0:
            return
        self._last_complete_at = mono
        with contextlib.suppress(Exception):  # a full disk must not stop the dashboard
            await asyncio.to_thread(self.on_complete, snapshot)

    async def _guard(self, region: RegionCollector, source: str, work: Awaitable[object]) -> Failure | None:
        try:
            await work
        except Exception as exc:
            failure = classify(exc)
            region.state.source(source).failed(self.clock.now(), failure.reason, failure.unsupported)
            return failure
        region.state.source(source).succeeded(self.clock.now())
        return None

    # ---- sources -------------------------------------------------------------------------
    async def refresh_account(self, region: RegionCollector) -> None:
        state = region.state

        async def work() -> None:
            if state.account_id is None:
                state.account_id = await region.inventory.account_id()
            state.limits = await region.inventory.account_limits()

        await self._guard(region, "account", work())

    async def refresh_inventory(self, region: RegionCollector) -> None:
        state = region.state

        async def work() -> None:
            functions, mappings = await asyncio.gather(
                region.inventory.list_functions(), region.inventory.event_source_mappings()
            )
            listed = {f.arn: f for f in functions}
            for arn, config in listed.items():
                old = state.functions.get(arn)
                if old is not None and old.last_modified != config.last_modified:
                    state.detail_at.pop(arn, None)  # changed: re-read its details first
            for gone in set(state.functions) - set(listed):
                state.details.pop(gone, None)
                state.detail_at.pop(gone, None)
                state.metrics.pop(gone, None)
                state.series.pop(gone, None)
                region.fetched_full.discard(gone)  # a function re-created under its name starts afresh
            state.functions = listed
            state.mappings = mappings
            state.reindex()
            for mapping in mappings:
                if mapping.is_sqs and mapping.source_arn not in state.redrive_targets:
                    with contextlib.suppress(Exception):
                        target = await region.inventory.redrive_target(mapping.source_arn)
                        if target:
                            state.redrive_targets[mapping.source_arn] = target

        await self._guard(region, "inventory", work())

    def _detail_order(self, region: RegionCollector) -> list[str]:
        state = region.state
        never = [a for a in state.functions if a not in state.detail_at]
        never.sort(key=lambda a: (a not in self._visible, state.functions[a].name))
        oldest = sorted((a for a in state.functions if a in state.detail_at), key=lambda a: state.detail_at[a])
        return never + oldest

    async def refresh_details(self, region: RegionCollector, budget_s: float | None) -> None:
        """Per-function reads, through the limiters. Runs until done or out of time budget."""
        state = region.state
        start = self.clock.monotonic()
        due_before = self.clock.now() - timedelta(seconds=self.cadence.inventory_s)
        order = [a for a in self._detail_order(region) if a not in state.detail_at or state.detail_at[a] < due_before]
        pending: set[asyncio.Task[None]] = set()
        failure: Failure | None = None

        async def one(arn: str) -> None:
            nonlocal failure
            config = state.functions.get(arn)
            if config is None:
                return
            try:
                detail = await region.inventory.function_detail(config.name)
            except Exception as exc:
                failure = classify(exc)
                return
            state.details[arn] = detail
            state.detail_at[arn] = self.clock.now()
            if detail.errors:
                failure = Failure("error", detail.errors[0])
            self._dirty.set()

        for arn in order:
            if budget_s is not None and self.clock.monotonic() - start > budget_s:
                break
            if failure is not None and failure.kind in {"throttled", "denied", "credentials", "unreachable"}:
                break
            task = asyncio.create_task(one(arn))
            pending.add(task)
            task.add_done_callback(pending.discard)
            if len(pending) >= 16:
                await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if pending:
            await asyncio.wait(pending)
        now = self.clock.now()
        if failure is not None:
            state.source("inventory").failed(now, failure.reason)
        elif order:
            state.source("inventory").succeeded(now)
        provisioned = state.source("provisioned")
        if region.inventory.provisioned_supported is False:
            provisioned.failed(now, "ListProvisionedConcurrencyConfigs not supported by this endpoint", True)
        elif region.inventory.provisioned_supported:
            provisioned.succeeded(now)

    def _window(self) -> tuple[datetime, datetime]:
        end = floor_minute(self.clock.now())
        return end - timedelta(minutes=self.window_minutes), end

    def _is_troubled(self, region: RegionCollector, arn: str) -> bool:
        row = region.state.row(arn, None)
        return health(row).level in {"warn", "crit", "stopped"}

    async def refresh_metrics(self, region: RegionCollector, everything: bool = False) -> None:
        state = region.state
        start, end = self._window()
        window_s = self.window_minutes * 60
        mono = self.clock.monotonic()
        new_window = state.metrics_window_min != self.window_minutes
        if new_window:
            everything = True  # numbers over another window must not mix with these
        fleet_due = (
            everything
            or region.last_fleet_at is None
            or mono - region.last_fleet_at >= (region.plan.fleet_s if region.plan else self.cadence.fleet_s)
        )
        hot = {a for a in state.functions if a in self._visible or self._is_troubled(region, a)}
        builder = QueryBuilder()
        builder.account(state.region, ("concurrent_executions_max", "claimed_account_concurrency_max",
                                       "unreserved_concurrent_executions_max", "invocations", "errors",
                                       "throttles"), window_s)
        account_n = len(builder.queries)
        for arn in sorted(hot):
            self._function_queries(builder, region, arn, FULL_SET, window_s)
            if arn in self._visible:
                builder.invocations_series(arn, state.functions[arn].name)
        hot_n = len(builder.queries) - account_n
        fleet: dict[str, tuple[str, ...]] = {}  # function -> what the fleet tier reads of it
        if fleet_due:
            fleet = {a: self._fleet_fields(region, a, everything) for a in state.functions if a not in hot}
        for arn, fields in fleet.items():
            self._function_queries(builder, region, arn, fields, window_s)
        before_queues_n = len(builder.queries)
        for queue_arn in sorted(state.all_queue_arns()):
            if queue_arn.startswith("arn:aws:sqs:"):
                builder.queue_age(queue_arn, 60)
        # DLQ ages are account-wide and read every pass: priced with the trip-wire.
        trip_wire_n = account_n + len(builder.queries) - before_queues_n

        try:
            answer = await region.metrics.fetch(builder.queries, start, end, mono)
            now = self.clock.now()
            if new_window:
                # What the new window's answers leave out (a refused p99, the sparkline of a row
                # no longer on screen) is unknown now, not the old window's number.
                state.metrics.clear()
                state.series.clear()
            state.metrics_window_min = self.window_minutes
            self._store(region, builder.queries, answer.series, start, now)
            self._forget_unread(region, builder.queries)
            probed = [a for a, fields in fleet.items() if fields == QUIET_PROBE]
            for arn in probed:
                if self._quiet(region, arn):
                    state.metrics[arn]["errors"] = Timed(0.0, now)  # no invocation, no error
            # A probe that found invocations has no error count yet: read it now, so a function
            # that just woke up failing is judged on this pass, not at the next fleet one.
            woke = [a for a in probed if not self._quiet(region, a)]
            if woke:
                follow_up = QueryBuilder()
                for arn in woke:
                    self._function_queries(follow_up, region, arn, ("errors",), window_s)
                more = await region.metrics.fetch(follow_up.queries, start, end, mono)
                self._store(region, follow_up.queries, more.series, start, now)
        except Exception as exc:
            failure = classify(exc)
            state.source("metrics").failed(self.clock.now(), failure.reason, failure.unsupported)
            return
        region.fetched_full.update(hot, fleet)
        state.source("metrics").succeeded(now)
        percentiles = state.source("percentiles")
        if answer.percentile_error:
            percentiles.failed(now, answer.percentile_error, True)
        else:
            percentiles.succeeded(now)
        if fleet_due:
            region.last_fleet_at = mono
        # Priced at what the fleet tier reads from now on: the first pass reads every function
        # in full once, which is not what every fleet period costs.
        steady_fleet_n = sum(
            len(self._fleet_fields(region, a, everything=False)) for a in state.functions if a not in hot
        )
        region.plan = plan_tiers(
            self.cadence, trip_wire_n, hot_n, steady_fleet_n, logs_usd_per_hour=region.logs_usd_per_hour
        )
        if not fleet_due and self._unexplained_trouble(region):
            last = region.last_forced_fleet_at
            if last is None or mono - last >= self.cadence.min_forced_fleet_gap_s:
                region.last_forced_fleet_at = mono
                region.last_fleet_at = None
                await self.refresh_metrics(region)

    def _store(
        self, region: RegionCollector, queries: list[MetricQuery], answers: dict[str, MetricSeries],
        start: datetime, now: datetime,
    ) -> None:
        state = region.state
        for query in queries:
            kind, key, field_name = query.target
            series = answers.get(query.id)
            if series is None:
                continue  # not answered (percentiles refused): keep what we had, marked stale
            if kind == "series":
                minutes = [0.0] * self.window_minutes
                for t, v in zip(series.timestamps, series.values, strict=True):
                    index = int((t - start).total_seconds() // 60)
                    if 0 <= index < len(minutes):
                        minutes[index] = v
                state.series[key] = tuple(minutes)
                continue
            if not series.complete:
                value: float | None = None  # CloudWatch could not answer it (InternalError, Forbidden)
            elif field_name in COUNT_FIELDS:
                value = series.total()  # no datapoint = nothing happened = 0
            else:
                value = series.latest() if kind == "queue" else series.maximum()
            timed = Timed(value, now)
            if kind == "function":
                state.metrics.setdefault(key, {})[field_name] = timed
            elif kind == "account":
                state.account_metrics[field_name] = timed
            elif kind == "queue":
                state.queue_age[key] = timed

    @staticmethod
    def _forget_unread(region: RegionCollector, read: list[MetricQuery]) -> None:
        """Drop what this pass left out for the functions it read (the fleet tier reads counts
        only): a gauge from an older read is over another window and must not pass for current."""
        fields: dict[str, set[str]] = {}
        for query in read:
            kind, arn, field_name = query.target
            if kind == "function":
                fields.setdefault(arn, set()).add(field_name)
        for arn, names in fields.items():
            stored = region.state.metrics.get(arn, {})
            for name in set(stored) - names:
                del stored[name]

    def _quiet(self, region: RegionCollector, arn: str) -> bool:
        """No invocation and no throttle in the window, as far as the last read knows."""
        state = region.state
        return state.metric(arn, "invocations") == 0 and state.metric(arn, "throttles") == 0

    def _fleet_fields(self, region: RegionCollector, arn: str, everything: bool) -> tuple[str, ...]:
        """What the fleet tier reads for a function: everything once, then counts; a probe when quiet."""
        if everything or arn not in region.fetched_full:
            return FULL_SET
        return QUIET_PROBE if self._quiet(region, arn) else FLEET_SHORT_SET

    def _function_queries(
        self, builder: QueryBuilder, region: RegionCollector, arn: str, fields: tuple[str, ...], period_s: int
    ) -> None:
        state = region.state
        extra: tuple[str, ...] = ()
        if fields == FULL_SET:
            if state.has_stream_source(arn):
                extra += ("iterator_age_max_ms",)
            if state.failure_queues(arn):
                extra += ("async_events_dropped",)
        builder.function(arn, state.functions[arn].name, fields + extra, period_s)

    def _unexplained_trouble(self, region: RegionCollector) -> bool:
        """Account-level errors/throttles that the per-function numbers we hold do not account for.

        Hot rows were just read, fleet rows as of the last fleet pass. Comparing with all of them,
        not the hot rows alone, keeps a fleet function's known background errors (too few to make
        it hot) from pulling the fleet tier forward every pass; new errors anywhere still do.
        """
        state = region.state
        for name in ("errors", "throttles"):
            account = state.account_metrics.get(name)
            if account is None or account.value is None:
                continue
            explained = sum(state.metric(a, name) or 0.0 for a in state.functions)
            if account.value - explained > 0.5:
                return True
        return False

    async def refresh_logs(self, region: RegionCollector) -> None:
        """One incremental pass of REPORT lines; groups shared by several functions are skipped."""
        state = region.state
        start, end = self._window()
        groups = state.log_groups()
        own = sorted(group for group, arns in groups.items() if len(arns) == 1)
        try:
            result = await region.logs.read(own, start, end, self.clock.now())
        except Exception as exc:
            failure = classify(exc)
            state.source("logs").failed(self.clock.now(), failure.reason, failure.unsupported)
            return
        now = self.clock.now()
        if state.logs_window_min != self.window_minutes:
            state.cold_starts.clear()  # figures over another window are not these
        for group in set(state.cold_starts) - set(own):
            del state.cold_starts[group]
        for group, stats in result.stats.items():
            state.cold_starts[group] = (stats, now)
        for group in result.missing:
            state.cold_starts[group] = (None, now)  # no log group: no data, not zero
        state.logs_window_min = self.window_minutes
        state.logs_path = result.path
        hourly_bytes = region.logs.hourly_bytes_estimate(self.cadence.logs_s)
        if result.path == "filter":
            region.logs_usd_per_hour = 0.0  # FilterLogEvents is not priced per byte
        elif hourly_bytes is not None:
            region.logs_usd_per_hour = hourly_bytes / GIB * DEFAULT_PRICES.logs_insights_gib_scanned
        if result.failure is not None:
            state.source("logs").failed(now, result.failure.reason, result.failure.unsupported)
        else:
            state.source("logs").succeeded(now)

    async def refresh_queues(self, region: RegionCollector) -> None:
        state = region.state
        arns = state.all_queue_arns()
        result = await region.queues.depths(arns)
        now = self.clock.now()
        for arn, depth in result.depth.items():
            state.queue_depth[arn] = Timed(float(depth), now)
        if result.failures:
            first = next(iter(result.failures.values()))
            state.source("queues").failed(now, f"{len(result.failures)} queue(s): {first.reason}")
        else:
            state.source("queues").succeeded(now)

    # ---- snapshot ------------------------------------------------------------------------
    def snapshot(self) -> FleetSnapshot:
        now = self.clock.now()
        # A budget may stretch the fleet tier: its rows are not stale before their next turn.
        fleet_s = max([self.cadence.fleet_s, *(r.plan.fleet_s for r in self.regions if r.plan)])
        stale_after = now - timedelta(seconds=max(fleet_s, self.cadence.metrics_s) * 2 + 60)
        rows = []
        for region in self.regions:
            for arn in region.state.functions:
                rows.append(region.state.row(arn, stale_after))
        sources: dict[str, SourceStatus] = {}
        for name in SOURCE_NAMES:
            states = [r.state.sources[name] for r in self.regions if name in r.state.sources]
            if not states:
                sources[name] = SourceStatus(name=name, ok=False, error="waiting for first answer")
                continue
            failing = [s for s in states if not s.ok]
            updated = [s.updated_at for s in states if s.updated_at]
            error = None
            if failing:
                parts = [
                    (f"{r.state.region}: " if len(self.regions) > 1 else "") + (s.error or "?")
                    for r in self.regions
                    for s in [r.state.sources.get(name)]
                    if s is not None and not s.ok
                ]
                error = "; ".join(parts)
            stale_since = [s.stale_since for s in failing if s.stale_since]
            sources[name] = SourceStatus(
                name=name,
                ok=not failing,
                updated_at=min(updated) if updated and len(updated) == len(states) else None,
                stale_since=min(stale_since) if stale_since else None,
                error=error,
            )
        tier_costs: dict[str, float] = {}
        notes = []
        for region in self.regions:
            if region.plan:
                for tier, usd in region.plan.hourly_usd(self.cadence).items():
                    tier_costs[tier] = tier_costs.get(tier, 0.0) + usd
                if region.plan.note:
                    notes.append(region.plan.note)
        _, end = self._window()
        return FleetSnapshot(
            generated_at=now,
            window_minutes=self.window_minutes,
            regions=tuple(r.state.summary() for r in self.regions),
            functions=tuple(rows),
            sources=sources,
            api_calls=self.pool.accountant.snapshot(),
            estimated_cost_usd=self.pool.accountant.estimated_cost_usd(),
            cost_usd_per_hour=sum(tier_costs.values()) if tier_costs else None,
            provisional_after=end - timedelta(seconds=PROVISIONAL_S),
            tier_cost_usd_per_hour=tier_costs,
            cadence_note="; ".join(notes) or None,
            api_calls_per_minute=self.pool.accountant.calls_per_minute(),
            next_refresh_at=self._next_metrics_at,
            paused=self._paused,
            logs_path=next((r.state.logs_path for r in self.regions if r.state.logs_path == "filter"), None)
            or next((r.state.logs_path for r in self.regions if r.state.logs_path), None),
        )
