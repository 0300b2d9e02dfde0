"""Polls every source on its own cadence and turns what it learns into FleetSnapshots.

One loop per source and Region; each next poll is scheduled only after the previous one
finished, so polls never pile up. A failing source marks only its own fields stale (with
its age and reason) and is retried on its next turn, so it recovers by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

from lambdatop.aws.budget import ControlPlaneBudgets
from lambdatop.aws.code_errors import is_code_error
from lambdatop.aws.errors import Failure, classify
from lambdatop.aws.session import ClientPool
from lambdatop.clock import Clock
from lambdatop.collector import (
    account_refresher,
    first_launch,
    inventory_refresher,
    logs_refresher,
    queues_refresher,
)
from lambdatop.collector.cadence import Cadence
from lambdatop.collector.context import CollectorContext, RegionCollector
from lambdatop.collector.credentials import CredentialGate, credential_hint, mark_stale
from lambdatop.collector.metrics_refresher import refresh_canaries, refresh_metrics
from lambdatop.collector.snapshot_builder import build_snapshot
from lambdatop.model.snapshot import FleetSnapshot
from lambdatop.waiting import wait_event

SnapshotCallback = Callable[[FleetSnapshot], None]
DETAIL_EMIT_GAP_S = 2.0
# While a row on screen still waits for its first cap (it shows `20/?`), detail reads refresh
# the screen this often instead: the operator looks at those caps first.
CAPS_EMIT_GAP_S = 0.25
URGENT_EMIT_DELAY_S = 0.02
# Which loop waits for which: nothing per function can be read before the function list.
NEEDS = frozenset({"details", "metrics", "logs", "queues"})
# Of those, the ones that read the pages already listed while the later ones load.
PIPELINED = frozenset({"metrics", "logs"})
# The source whose status a loop's failures show in.
LOOP_SOURCE = {"details": "inventory"}


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
        budgets: ControlPlaneBudgets | None = None,
        strict: bool = False,
        logs_max_concurrent_queries: int = 4,
    ) -> None:
        if not regions:
            raise ValueError("at least one region is needed")
        self.pool = pool
        self.clock = clock
        self.ctx = CollectorContext(
            clock,
            cadence or Cadence(),
            window_minutes,
            on_detail=self._on_detail,
            on_rows=self._on_rows,
            on_credentials=self._on_credentials,
        )
        self.profile = profile
        self.credentials = CredentialGate()
        # One control-plane budget per Region, shared with the operator (cli wires both).
        self.budgets = budgets or ControlPlaneBudgets()
        self.regions = [
            RegionCollector(pool, r, profile, self.budgets.for_region(r), logs_max_concurrent_queries) for r in regions
        ]
        self._paused = False
        self._resume = asyncio.Event()
        self._resume.set()
        self._wake: dict[str, asyncio.Event] = {}
        self._dirty = asyncio.Event()
        self._listed = asyncio.Event()  # every Region's whole function list was read once
        self._first_rows = asyncio.Event()  # the first page of functions arrived
        self._first_screen_shown = asyncio.Event()  # and a snapshot with their numbers went out
        # A finished pass or an operator's key shows at once; the per-function detail reads,
        # which trickle in for minutes on a large account, only refresh the screen every
        # DETAIL_EMIT_GAP_S, so 2,000 rows are not rebuilt several times a second.
        self._urgent = asyncio.Event()
        self._last_emit_at: float | None = None
        self._caps_awaited = False  # the last snapshot out had a row on screen without its cap
        self._on_snapshot: SnapshotCallback | None = None
        self._next_metrics_at: datetime | None = None
        self._owns_pool = owns_pool
        # A bug inside a refresher shows in its source's status; strict (tests) also raises it.
        self.strict = strict
        # Called (off the event loop) with a complete snapshot at most once a minute: the cache.
        self.on_complete: Callable[[FleetSnapshot], None] | None = None
        self._last_complete_at: float | None = None

    @property
    def cadence(self) -> Cadence:
        return self.ctx.cadence

    @property
    def window_minutes(self) -> int:
        return self.ctx.window_minutes

    def _on_detail(self) -> None:
        self._dirty.set()

    def _on_rows(self) -> None:
        # The first page shows at once; later pages with the next pass's numbers (each build
        # covers every row: one per page would cost O(pages × rows) on a big account).
        if not self._first_rows.is_set():
            self._urgent.set()
        self._first_rows.set()
        self._dirty.set()

    def _on_credentials(self, cause: BaseException | Failure) -> None:
        """Credentials expired or invalid: every loop pauses until the probe says they work."""
        hint = credential_hint(cause, self.pool, self.profile)
        if self.credentials.expired(hint):
            self._stale_while_paused()
        self._urgent.set()
        self._dirty.set()

    def _stale_while_paused(self) -> None:
        if self.credentials.hint is not None:
            mark_stale(self.regions, self.credentials.hint, self.clock.now())

    # ---- SnapshotSource protocol -----------------------------------------------------------
    def refresh_now(self) -> None:
        for region in self.regions:
            region.last_fleet_at = None
            region.metrics_catch_up = False
            region.logs_catch_up = False
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
        if minutes != self.ctx.window_minutes:
            self.ctx.window_minutes = minutes
            self.refresh_now()

    def set_visible(self, arns: Iterable[str]) -> None:
        new = set(arns)
        fresh = new - self.ctx.visible
        self.ctx.visible = new
        # Rows that just scrolled into view and have only fleet-tier numbers get a pass now.
        if any(arn not in r.fetched_full for r in self.regions for arn in fresh if arn in r.state.functions):
            wake = self._wake.get("metrics")
            if wake:
                wake.set()

    def refresh_function(self, arn: str) -> None:
        """After an operator's action: that function's configuration is due now. What is known
        stays on screen until the new read lands (it is only made old, never erased)."""
        long_ago = datetime.min.replace(tzinfo=UTC)
        for region in self.regions:
            known = region.state.knowledge.get(arn)
            if known is None:
                continue
            if known.basics is not None:
                known.basics = replace(known.basics, read_at=long_ago)
            if known.aliases is not None:
                known.aliases = replace(known.aliases, read_at=long_ago)
        wake = self._wake.get("details")
        if wake:
            wake.set()

    async def run(self, on_snapshot: SnapshotCallback) -> None:
        self._on_snapshot = on_snapshot
        cadence = self.cadence
        loops: list[Coroutine[object, object, None]] = [self._emitter(), self._credential_probe()]
        for region in self.regions:
            loops += [
                self._loop("inventory", cadence.inventory_s, partial(self.refresh_inventory, region)),
                self._loop("details", 5.0, partial(self.refresh_details, region, budget_s=30.0)),
                self._loop("account", cadence.account_s, partial(self.refresh_account, region)),
                self._loop("metrics", cadence.metrics_s, partial(self.refresh_metrics, region)),
                self._loop("logs", cadence.logs_s, partial(self.refresh_logs, region)),
                self._loop("queues", cadence.queues_s, partial(self.refresh_queues, region)),
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
            await self._side_by_side(
                {"account": self.refresh_account(region), "inventory": self.refresh_inventory(region)}
            )
            await self._side_by_side(
                {
                    "details": self.refresh_details(region, budget_s=None),
                    "metrics": self.refresh_metrics(region, everything=True),
                    "logs": self.refresh_logs(region),
                }
            )
            await self._side_by_side(
                {"queues": self.refresh_queues(region), "metrics": refresh_canaries(self.ctx, region)}
            )
        return self.snapshot()

    async def _side_by_side(self, steps: dict[str, Coroutine[object, object, None]]) -> None:
        """Run refreshers together; a code error in one shows in its source, the rest finish."""
        outcomes = await asyncio.gather(*steps.values(), return_exceptions=True)
        for name, outcome in zip(steps, outcomes, strict=True):
            if isinstance(outcome, Exception):
                self._code_error(LOOP_SOURCE.get(name, name), outcome)
            elif isinstance(outcome, BaseException):
                raise outcome

    # ---- each source, for one Region -----------------------------------------------------
    async def refresh_account(self, region: RegionCollector) -> None:
        await account_refresher.refresh_account(self.ctx, region)

    async def refresh_inventory(self, region: RegionCollector) -> None:
        await inventory_refresher.refresh_inventory(self.ctx, region)

    async def refresh_details(self, region: RegionCollector, budget_s: float | None) -> None:
        await inventory_refresher.refresh_details(self.ctx, region, budget_s)

    async def refresh_metrics(self, region: RegionCollector, everything: bool = False) -> None:
        await refresh_metrics(self.ctx, region, everything)

    async def refresh_logs(self, region: RegionCollector) -> None:
        await logs_refresher.refresh_logs(self.ctx, region)

    async def refresh_queues(self, region: RegionCollector) -> None:
        await queues_refresher.refresh_queues(self.ctx, region)

    # ---- scheduling ----------------------------------------------------------------------
    async def _loop(self, name: str, period_s: float, step: Callable[[], Awaitable[object]]) -> None:
        wake = self._wake.setdefault(name, asyncio.Event())
        rows_read = 0  # how many functions were listed when this loop last read while listing
        while True:
            await self._resume.wait()
            await self.credentials.wait_valid()
            if name in NEEDS and not all(r.listed_once for r in self.regions):
                listed_rows = sum(len(r.state.functions) for r in self.regions)
                # (After the first rows are on screen: they come first.)
                if name in PIPELINED and listed_rows != rows_read and self._last_emit_at is not None:
                    # Numbers for the pages listed so far while the later ones load: only the
                    # functions never read are asked for (see metrics_refresher, logs_refresher).
                    rows_read = listed_rows
                    await self._step(name, step)
                    self._urgent.set()
                    await self._wait_or(self._listed, 0.1)
                    continue
                # Wait for the whole first function list: the first page's rows are on screen
                # already, but a metric pass over them alone would leave the rest for minutes.
                await self._wait_or(self._listed, 0.25)
                continue
            if name == "account" and not self._listing_answered():
                # The first page of functions first: the limits are not needed before it.
                await self._wait_or(self._first_rows, 0.25)
                continue
            if name == "details" and not self._first_screen_shown.is_set():
                # The first screen's numbers (metrics and cold starts) on screen first: details
                # trickle in for minutes anyway, and the endpoint answers those first.
                await self._wait_or(self._first_screen_shown, 0.25)
                continue
            wake.clear()
            await self._step(name, step)
            if name == "inventory" and all(r.listed_once for r in self.regions):
                self._listed.set()
            self._urgent.set()
            self._dirty.set()
            if name == "metrics":
                self._next_metrics_at = self.clock.now() + timedelta(seconds=period_s)
            await wait_event(wake, period_s)

    async def _step(self, name: str, step: Callable[[], Awaitable[object]]) -> None:
        try:
            await step()  # each step records AWS failures in its own source's state
        except Exception as exc:
            self._code_error(LOOP_SOURCE.get(name, name), exc)
        self._stale_while_paused()
        self._dirty.set()

    async def _credential_probe(self) -> None:
        """While credentials are out, ask STS every `credential_probe_s`; resume all on success."""
        region = self.regions[0]
        while True:
            if not self.credentials.paused:
                await asyncio.sleep(min(1.0, self.cadence.credential_probe_s))
                continue
            await asyncio.sleep(self.cadence.credential_probe_s)
            self.credentials.probes += 1
            # A re-login in another terminal is seen only by credentials resolved afresh.
            await self.pool.reset_credentials()
            try:
                await region.inventory.account_id()
            except Exception as exc:
                if is_code_error(exc):
                    raise
                if classify(exc).kind == "credentials":
                    self.credentials.hint = credential_hint(exc, self.pool, self.profile)
                    self._dirty.set()
                continue  # unreachable or throttled: still paused, ask again later
            self.credentials.valid_again()
            self.refresh_now()  # every source at once: back within one pass
            self._urgent.set()
            self._dirty.set()

    def _first_screen_read(self) -> bool:
        return first_launch.first_screen_read(self.regions)

    def _listing_answered(self) -> bool:
        """The first page of functions arrived, or the listing ended without one: an empty
        account, or a failure (then say so at once)."""
        return self._first_rows.is_set() or first_launch.listing_ended(self.regions)

    @staticmethod
    async def _wait_or(event: asyncio.Event, timeout_s: float) -> None:
        await wait_event(event, timeout_s)

    def _code_error(self, source: str, exc: Exception) -> None:
        """A bug of ours in a refresher: shown in the source's status, never passed off as an outage."""
        reason = f"code error: {type(exc).__name__}: {exc}"[:200]
        now = self.clock.now()
        for region in self.regions:
            region.state.source(source).failed(now, reason)
        if self.strict:
            raise exc

    async def _emitter(self) -> None:
        """Coalesce bursts of updates into at most a few snapshots a second."""
        while True:
            await self._dirty.wait()
            if not self._urgent.is_set():
                # Detail reads trickle in: gather them for a while, unless something urgent
                # (a finished pass, new rows) comes meanwhile; that one is not kept waiting.
                wait_s = 0.2
                if self._last_emit_at is not None:
                    gap_s = CAPS_EMIT_GAP_S if self._caps_awaited else DETAIL_EMIT_GAP_S
                    wait_s = max(wait_s, gap_s - (self.clock.monotonic() - self._last_emit_at))
                await wait_event(self._urgent, wait_s)
            if self._urgent.is_set():
                await asyncio.sleep(URGENT_EMIT_DELAY_S)  # what lands together shows together
            self._dirty.clear()
            self._urgent.clear()
            self._last_emit_at = self.clock.monotonic()
            first_screen_read = self._first_screen_read()
            self._caps_awaited = first_launch.caps_awaited_on_screen(self.regions, self.ctx.visible)
            snapshot = self.snapshot()
            if self._on_snapshot is not None:
                self._on_snapshot(snapshot)
            if first_screen_read:
                self._first_screen_shown.set()
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

    # ---- snapshot ------------------------------------------------------------------------
    def snapshot(self) -> FleetSnapshot:
        return build_snapshot(
            self.ctx,
            self.regions,
            self.pool.accountant,
            paused=self._paused,
            next_refresh_at=self._next_metrics_at,
            credential_hint=self.credentials.hint,
        )
