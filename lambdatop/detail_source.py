"""The detail screen's scheduler: reads one function while its screen is open.

Configuration on open and every 5 minutes; metrics (one GetMetricData call) every 60 s;
logs every 30 s, incrementally (only the minutes since the last read, with a small overlap
for late events); X-Ray only when asked (`t`). A snapshot is published after every step, so
the configuration shows at once and the rest fills in. Each part fails on its own: its panel
says why, keeps what it had, and the next turn tries again. Cancelling `run` closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from lambdatop.aws.budget import ControlPlaneBudget
from lambdatop.aws.errors import classify
from lambdatop.aws.function_detail import ConfigRead, FunctionDetailReader
from lambdatop.aws.function_logs import FunctionLogReader, NoLogGroup
from lambdatop.aws.function_metrics import FunctionMetrics, FunctionMetricsReader
from lambdatop.aws.queues import QueueReader
from lambdatop.aws.session import ClientPool
from lambdatop.aws.traces import TraceReader
from lambdatop.clock import Clock
from lambdatop.model.cold_start_attribution import TimedReport
from lambdatop.model.function_build import DetailReads, build_snapshot
from lambdatop.model.function_snapshot import DetailRequest, FunctionSnapshot, PanelState, TracesView
from lambdatop.model.signatures import ErrorLine
from lambdatop.protocols import FunctionSnapshotCallback
from lambdatop.waiting import wait_event

CONFIG_EVERY_S = 300.0
METRICS_EVERY_S = 60.0
LOGS_EVERY_S = 30.0
RETRY_AFTER_FAILURE_S = 30.0
LATE_EVENTS = timedelta(minutes=2)  # logs arrive late: re-read this much of the last read
TRACES_WINDOW = timedelta(minutes=30)

PoolGetter = Callable[[], ClientPool | None]


class FunctionDetailRefresher:
    """`DetailSource` over AWS. `pool` is the collector's (shared clients and accountant)."""

    def __init__(
        self,
        pool: ClientPool | PoolGetter,
        clock: Clock,
        *,
        config_every_s: float = CONFIG_EVERY_S,
        metrics_every_s: float = METRICS_EVERY_S,
        logs_every_s: float = LOGS_EVERY_S,
        budget_for: Callable[[str], ControlPlaneBudget | None] | None = None,
    ) -> None:
        self._pool_getter: PoolGetter = pool if callable(pool) else (lambda: pool)
        # The budget of the collector the screen shows (for the open function's control-plane reads).
        self._budget_for = budget_for
        self.clock = clock
        self.config_every_s = config_every_s
        self.metrics_every_s = metrics_every_s
        self.logs_every_s = logs_every_s
        self._wake = asyncio.Event()
        self._traces_wanted = False
        self._refresh = False

    def refresh_now(self) -> None:
        self._refresh = True
        self._wake.set()

    def request_traces(self) -> None:
        self._traces_wanted = True
        self._wake.set()

    async def run(self, request: DetailRequest, on_snapshot: FunctionSnapshotCallback) -> None:
        self._traces_wanted = self._refresh = False
        pool = await self._wait_for_pool()
        budget = self._budget_for(request.region) if self._budget_for is not None else None
        session = DetailSession(pool, request, self.clock, budget)
        due = {"config": 0.0, "metrics": 0.0, "logs": 0.0}
        every = {"config": self.config_every_s, "metrics": self.metrics_every_s, "logs": self.logs_every_s}
        while True:
            if self._refresh:
                self._refresh = False
                due = dict.fromkeys(due, 0.0)
            for part in ("config", "metrics", "logs"):
                if self.clock.monotonic() >= due[part] and (part == "config" or session.config is not None):
                    ok = await session.step(part)
                    due[part] = self.clock.monotonic() + (
                        every[part] if ok else min(every[part], RETRY_AFTER_FAILURE_S)
                    )
                    on_snapshot(session.snapshot())
            if self._traces_wanted and session.config is not None:
                self._traces_wanted = False
                session.traces_loading()
                on_snapshot(session.snapshot())
                await session.step("traces")
                on_snapshot(session.snapshot())
            wait = max(0.05, min(due.values()) - self.clock.monotonic())
            self._wake.clear()
            await wait_event(self._wake, wait)

    async def _wait_for_pool(self) -> ClientPool:
        """The demo's pool exists only once its server is up: wait for it."""
        while True:
            pool = self._pool_getter()
            if pool is not None:
                return pool
            await asyncio.sleep(0.2)


async def _built(session: DetailSession) -> FunctionSnapshot:
    """The snapshot, built in a thread: a busy function's window holds ~10⁵ REPORT lines, and
    grouping them (and the error lines) must not stall the screen. Nothing mutates the session
    meanwhile: the refresher awaits this before its next read."""
    return await asyncio.to_thread(session.snapshot)


class DetailSession:
    """What has been read about one function, and the reads themselves. Used by `--once` too."""

    def __init__(
        self, pool: ClientPool, request: DetailRequest, clock: Clock, budget: ControlPlaneBudget | None = None
    ) -> None:
        self.pool = pool
        self.request = request
        self.clock = clock
        self.config_reader = FunctionDetailReader(pool, request.region, budget=budget)
        self.metrics_reader = FunctionMetricsReader(pool, request.region)
        self.log_reader = FunctionLogReader(pool, request.region)
        self.queue_reader = QueueReader(pool, request.region)
        self.trace_reader = TraceReader(pool, request.region)
        self.config: ConfigRead | None = None
        self.metrics: FunctionMetrics | None = None
        self.queue_depths: dict[str, int] = {}
        self.reports: dict[str, TimedReport] = {}
        self.errors: dict[tuple[datetime, str, str], ErrorLine] = {}
        self.logs_until: datetime | None = None
        self.no_log_group = False
        self.logs_behind = False  # the last read was capped: figures lag until reads catch up
        self.traces: TracesView | None = None
        self.panels: dict[str, PanelState] = {}

    def snapshot(self) -> FunctionSnapshot:
        reads = DetailReads(
            request=self.request,
            now=self.clock.now(),
            config=self.config.config if self.config else None,
            versions_published=[(v.version, v.last_modified) for v in self.config.versions] if self.config else [],
            account_limit=self.config.account_limit if self.config else None,
            unreserved_limit=self.config.unreserved_limit if self.config else None,
            metric_minutes=list(self.metrics.minutes) if self.metrics else [],
            metric_series=dict(self.metrics.series) if self.metrics else {},
            version_figures=dict(self.metrics.versions) if self.metrics else {},
            queue_series=dict(self.metrics.queues) if self.metrics else {},
            percentile_error=self.metrics.percentile_error if self.metrics else None,
            queue_arns=self.queue_arns(),
            redrive=dict(self.config.redrive) if self.config else {},
            queue_depths=dict(self.queue_depths),
            reports=list(self.reports.values()),
            error_lines=list(self.errors.values()),
            no_log_group=self.no_log_group,
            traces=self.traces,
            panels=dict(self.panels),
            api_calls=self.pool.accountant.snapshot(),
            cost_usd=self.pool.accountant.estimated_cost_usd(),
        )
        return build_snapshot(reads)

    def traces_loading(self) -> None:
        before = self.panels.get("traces", PanelState())
        self.panels["traces"] = replace(before, loading=True)

    def _after_logs(self) -> None:
        if self.logs_behind and self.logs_until is not None:
            note = f"catching up: REPORT lines read up to {self.logs_until:%H:%M:%S} UTC (busy log group)"
            self.panels["logs"] = PanelState(ok=True, updated_at=self.clock.now(), note=note)

    async def step(self, part: str) -> bool:
        """One read; True when it succeeded. A failure keeps the last answer and says why."""
        names = {"metrics": ("metrics", "versions", "queues"), "logs": ("logs",)}.get(part, (part,))
        try:
            await getattr(self, f"_read_{part}")()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = classify(exc).reason
            for name in names:
                before = self.panels.get(name, PanelState())
                self.panels[name] = replace(before, ok=False, error=reason, loading=False)
            return False
        now = self.clock.now()
        for name in names:
            self.panels[name] = PanelState(ok=True, updated_at=now)
        if part == "logs":
            self._after_logs()
        return True

    async def _read_config(self) -> None:
        read = await self.config_reader.read(self.request.name)
        self.config = read
        if read.problems:
            self.panels["config"] = PanelState(ok=True, updated_at=self.clock.now(), note="; ".join(read.problems))

    def queue_arns(self) -> list[str]:
        if self.config is None:
            return []
        cfg = self.config.config
        arns = [cfg.dead_letter_arn, cfg.on_failure_arn, *(e.on_failure_arn for e in cfg.event_sources)]
        arns += [e.source_arn for e in cfg.event_sources if e.kind == "sqs"]
        arns += list(self.config.redrive.values())
        seen: list[str] = []
        for arn in arns:
            if arn and arn.startswith("arn:aws:sqs:") and arn not in seen:
                seen.append(arn)
        return seen

    async def _read_metrics(self) -> None:
        assert self.config is not None
        cfg = self.config.config
        weighted = next((a for a in cfg.aliases if a.weights), None)
        versions = sorted({weighted.version, *weighted.weights}) if weighted else []
        queue_arns = self.queue_arns()
        self.metrics = await self.metrics_reader.read(
            cfg.name,
            end=self.clock.now(),
            minutes=self.request.window_minutes,
            alias=weighted.name if weighted else None,
            versions=versions,
            queue_arns=queue_arns,
            with_pc=bool(cfg.provisioned_concurrency),
            now_monotonic=self.clock.monotonic(),
        )
        depths = await self.queue_reader.depths(queue_arns)
        self.queue_depths.update(depths.depth)

    async def _read_logs(self) -> None:
        assert self.config is not None
        cfg = self.config.config
        now = self.clock.now()
        # The same whole minutes the metrics cover, so per-minute cold starts line up with them.
        window_start = now.replace(second=0, microsecond=0) - timedelta(minutes=self.request.window_minutes)
        start = window_start if self.logs_until is None else max(window_start, self.logs_until - LATE_EVENTS)
        group, fmt = cfg.log_group or f"/aws/lambda/{cfg.name}", cfg.log_format or "Text"
        try:
            reports = await self.log_reader.report_lines(group, fmt, start, now)
            capped_at = self.log_reader.truncated_at
            # A capped read stops where it got to: the next read goes on from there.
            end = capped_at if capped_at is not None else now
            errors = await self.log_reader.error_lines(group, fmt, start, end)
        except NoLogGroup:
            self.no_log_group = True
            self.logs_until = now
            return
        self.no_log_group = False
        for r in reports:
            self.reports[r.report.request_id] = r
        for line in errors.lines:
            self.errors[(line.timestamp, line.stream, line.message)] = line
        # Forget what slid out of the window.
        self.reports = {k: r for k, r in self.reports.items() if r.timestamp >= window_start}
        self.errors = {k: e for k, e in self.errors.items() if e.timestamp >= window_start}
        self.logs_until = end
        self.logs_behind = capped_at is not None

    async def _read_traces(self) -> None:
        assert self.config is not None
        if self.config.config.tracing_mode != "Active":
            # Lambda sends no segments without Active tracing: nothing to read, nothing to pay.
            self.traces = TracesView()
            return
        now = self.clock.now()
        self.traces = await self.trace_reader.read(self.config.config.name, now - TRACES_WINDOW, now)


class FunctionNotFound(Exception):
    """`--function NAME` names no function in the Region."""


async def collect_function_once(
    pool: ClientPool, name: str, region: str, clock: Clock, window_minutes: int
) -> FunctionSnapshot:
    """Everything the detail screen shows, read once (traces included): for `--once --function`."""
    from lambdatop.aws.errors import error_code

    session = DetailSession(pool, DetailRequest(name=name, region=region, window_minutes=window_minutes), clock)
    try:
        await session._read_config()
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            raise FunctionNotFound(f"no function {name!r} in {region}") from exc
        raise
    now = clock.now()
    session.panels.setdefault("config", PanelState(ok=True, updated_at=now))
    for part in ("metrics", "logs", "traces"):
        await session.step(part)
    return session.snapshot()
