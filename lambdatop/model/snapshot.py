"""The immutable picture of a fleet that every layer above the collector consumes.

`None` always means "unknown" (not fetched, not supported by the endpoint, or failed);
it is never silently turned into 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# Every data source the collector polls. A function's `stale` names the ones whose data
# for that function is missing or old.
SOURCE_NAMES: tuple[str, ...] = (
    "inventory",  # ListFunctions + per-function config (reserved concurrency, aliases, DLQs)
    "account",  # GetAccountSettings (concurrency limits), STS account id
    "provisioned",  # ListProvisionedConcurrencyConfigs
    "metrics",  # GetMetricData: counts, concurrency, duration average
    "percentiles",  # GetMetricData percentile statistics (Duration p99)
    "logs",  # cold starts and init durations from REPORT lines
    "queues",  # DLQ / on-failure / redrive queue depth and age
)

DlqKind = Literal["dead-letter", "on-failure", "source-redrive"]


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """How fresh one source is. `updated_at` is the last successful answer."""

    name: str
    ok: bool
    updated_at: datetime | None = None
    stale_since: datetime | None = None
    error: str | None = None
    # The endpoint can never answer this source (an emulator without the API): nothing the
    # operator can fix by waiting, so the status bar summarises it instead of alarming.
    unsupported: bool = False

    @property
    def cannot_answer(self) -> bool:
        return self.unsupported or (not self.ok and "not supported by this endpoint" in (self.error or ""))

    def age_s(self, now: datetime) -> float | None:
        if self.updated_at is None:
            return None
        return max(0.0, (now - self.updated_at).total_seconds())


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A queue that receives a function's failed events."""

    arn: str
    kind: DlqKind
    depth: int | None = None
    oldest_age_s: float | None = None

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]

    @property
    def is_sqs(self) -> bool:
        return self.arn.startswith("arn:aws:sqs:")


@dataclass(frozen=True, slots=True)
class AliasRow:
    """An alias and its traffic split: `weights` maps additional versions to fractions 0..1."""

    name: str
    version: str
    weights: Mapping[str, float] = field(default_factory=dict)
    revision_id: str | None = None

    @property
    def primary_weight(self) -> float:
        return max(0.0, 1.0 - sum(self.weights.values()))


@dataclass(frozen=True, slots=True)
class VersionFigures:
    """One version's numbers over the window, as served through an alias (ExecutedVersion)."""

    version: str
    invocations: int | None = None
    errors: int | None = None
    throttles: int | None = None
    duration_p99_ms: float | None = None

    @property
    def error_rate(self) -> float | None:
        from lambdatop.model.derived import ratio

        return ratio(self.errors, self.invocations)


@dataclass(frozen=True, slots=True)
class CanaryRow:
    """A weighted alias: its stable version, the extra version(s) and each one's figures."""

    alias: str
    stable_version: str
    weights: Mapping[str, float] = field(default_factory=dict)  # extra version -> fraction 0..1
    versions: tuple[VersionFigures, ...] = ()

    def figures(self, version: str) -> VersionFigures | None:
        for figures in self.versions:
            if figures.version == version:
                return figures
        return None


@dataclass(frozen=True, slots=True)
class FunctionRow:
    """One function: configuration plus numbers over the snapshot's window."""

    arn: str
    name: str
    account_id: str
    region: str
    runtime: str | None = None
    architecture: str | None = None
    memory_mb: int | None = None
    timeout_s: int | None = None
    log_group: str | None = None
    log_format: str = "Text"  # "Text" | "JSON"
    tracing_mode: str | None = None
    last_modified: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    # Control-plane configuration. reserved_concurrency: None = not set, 0 = stopped.
    reserved_concurrency: int | None = None
    provisioned_concurrency: int | None = None
    dlqs: tuple[QueueRow, ...] = ()
    aliases: tuple[AliasRow, ...] = ()
    has_stream_source: bool = False
    # CloudWatch metrics over the window.
    invocations: int | None = None
    errors: int | None = None
    throttles: int | None = None
    concurrency_max: float | None = None
    duration_avg_ms: float | None = None
    duration_p99_ms: float | None = None
    iterator_age_max_ms: float | None = None
    async_events_dropped: int | None = None
    # Only read where a DLQ / an on-failure destination exists (None elsewhere or unknown).
    dead_letter_errors: int | None = None
    destination_delivery_failures: int | None = None
    # Per-version figures of each weighted alias (empty when none or not read yet).
    canaries: tuple[CanaryRow, ...] = ()
    # Per-minute invocations over the window, oldest first (empty when not fetched).
    invocations_series: tuple[float, ...] = ()
    # REPORT lines over the window.
    reports: int | None = None
    cold_starts: int | None = None
    restores: int | None = None  # SnapStart restores (counted apart from cold starts)
    init_avg_ms: float | None = None
    init_p50_ms: float | None = None
    init_p99_ms: float | None = None
    init_max_ms: float | None = None
    # When each group of numbers was last refreshed (None = never).
    metrics_at: datetime | None = None
    logs_at: datetime | None = None
    # When the oldest of the per-function configuration reads (GetFunction, ListAliases...) was made.
    details_at: datetime | None = None
    stale: tuple[str, ...] = ()

    @property
    def error_rate(self) -> float | None:
        from lambdatop.model.derived import ratio

        return ratio(self.errors, self.invocations)

    @property
    def throttle_rate(self) -> float | None:
        from lambdatop.model.derived import throttle_rate

        return throttle_rate(self.throttles, self.invocations)

    @property
    def cold_start_ratio(self) -> float | None:
        from lambdatop.model.derived import ratio

        return ratio(self.cold_starts, self.reports)

    @property
    def cap_use(self) -> float | None:
        """Peak concurrency as a fraction of the reserved cap (None when uncapped/unknown)."""
        from lambdatop.model.derived import cap_use

        return cap_use(self.concurrency_max, self.reserved_concurrency)

    @property
    def dlq_depth(self) -> int | None:
        depths = [q.depth for q in self.dlqs if q.depth is not None]
        return sum(depths) if depths else None


@dataclass(frozen=True, slots=True)
class RegionSummary:
    """Account-level figures for one (account, region)."""

    account_id: str | None
    region: str
    concurrency_limit: int | None = None
    unreserved_concurrency_limit: int | None = None
    concurrent_executions_max: float | None = None
    claimed_account_concurrency_max: float | None = None
    unreserved_concurrent_executions_max: float | None = None
    invocations: int | None = None
    errors: int | None = None
    throttles: int | None = None
    profile: str | None = None

    @property
    def reserved_total(self) -> int | None:
        if self.concurrency_limit is None or self.unreserved_concurrency_limit is None:
            return None
        return self.concurrency_limit - self.unreserved_concurrency_limit


@dataclass(frozen=True, slots=True)
class FleetSnapshot:
    """Everything the screen or `--once` shows, as of `generated_at`."""

    generated_at: datetime
    window_minutes: int
    regions: tuple[RegionSummary, ...] = ()
    functions: tuple[FunctionRow, ...] = ()
    sources: Mapping[str, SourceStatus] = field(default_factory=dict)
    api_calls: Mapping[str, int] = field(default_factory=dict)
    estimated_cost_usd: float = 0.0
    cost_usd_per_hour: float | None = None
    # Metrics stamped after this instant may still grow (Lambda stamps at invocation start).
    provisional_after: datetime | None = None
    # True when painted from the on-disk cache before the first live refresh.
    from_cache: bool = False
    # A cached picture whose account STS has not confirmed yet (shown under its own id only).
    account_unconfirmed: bool = False
    # Monitoring spend per cadence tier ($/h) and why the cadence differs from the default.
    tier_cost_usd_per_hour: Mapping[str, float] = field(default_factory=dict)
    cadence_note: str | None = None
    api_calls_per_minute: int | None = None
    next_refresh_at: datetime | None = None
    paused: bool = False
    # Where the REPORT-line figures came from: "insights" (Logs Insights) or "filter" (the
    # FilterLogEvents fallback); None before the first logs pass.
    logs_path: str | None = None
    # The minutes the metrics shown cover, [start, end): `window_minutes` is their length, so a
    # window asked for but not read yet still shows the old one (None before the first read).
    window_start: datetime | None = None
    window_end: datetime | None = None
    # Set while credentials are expired or invalid: the one sentence that says what to run.
    # Every source is paused and every figure shown is the last one read.
    credential_hint: str | None = None

    @property
    def all_sources_ok(self) -> bool:
        return all(s.ok for s in self.sources.values())

    def function(self, arn: str) -> FunctionRow | None:
        for row in self.functions:
            if row.arn == arn:
                return row
        return None
