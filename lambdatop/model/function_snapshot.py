"""The detail screen's immutable picture of one function (schema `lambdatop.function/1`).

Built by the detail refresher from its own reads, consumed by the detail screen and by
`--once --function`. `None` means unknown, never 0. Each panel carries a `PanelState`, so a
panel whose source failed or has nothing to show says so instead of showing a blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdatop.model.canary import CanaryVerdict, VersionStats
from lambdatop.model.cold_start_attribution import ColdStarts
from lambdatop.model.signatures import Signature
from lambdatop.model.throttle_diagnosis import Consumer, ThrottledMinute

SCHEMA = "lambdatop.function/1"
PANELS: tuple[str, ...] = ("config", "metrics", "versions", "logs", "traces", "queues")


@dataclass(frozen=True, slots=True)
class DetailRequest:
    """Which function to read, and what the fleet already knows that the detail needs."""

    name: str
    region: str
    arn: str = ""
    window_minutes: int = 60
    # Every function's peak concurrency and cap, for "free account concurrency" advice.
    consumers: tuple[Consumer, ...] = ()


@dataclass(frozen=True, slots=True)
class PanelState:
    """How one panel's source answered. `note` says why there is nothing ("no traces")."""

    ok: bool = True
    updated_at: datetime | None = None
    error: str | None = None
    note: str | None = None
    loading: bool = False


@dataclass(frozen=True, slots=True)
class AliasView:
    name: str
    version: str
    weights: Mapping[str, float] = field(default_factory=dict)
    provisioned: int | None = None

    @property
    def primary_weight(self) -> float:
        return max(0.0, 1.0 - sum(self.weights.values()))


@dataclass(frozen=True, slots=True)
class EventSourceView:
    uuid: str
    source_arn: str
    state: str | None
    batch_size: int | None = None
    max_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency (SQS)
    parallelization: int | None = None  # ParallelizationFactor (streams)
    on_failure_arn: str | None = None
    # Streams: IteratorAge maximum over the last minute; SQS: the source queue's oldest message.
    iterator_age_ms: float | None = None
    queue_age_s: float | None = None
    queue_depth: int | None = None

    @property
    def kind(self) -> str:
        for marker, kind in (
            (":sqs:", "sqs"),
            (":kinesis:", "kinesis"),
            (":dynamodb:", "dynamodb"),
            (":kafka:", "kafka"),
        ):
            if marker in self.source_arn:
                return kind
        return "other"

    @property
    def source_name(self) -> str:
        return (
            self.source_arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
            if ":sqs:" in self.source_arn
            else self.source_arn.rsplit("/", 1)[-1]
        )


@dataclass(frozen=True, slots=True)
class FunctionConfigView:
    """Configuration as GetFunction and friends describe it; `raw` is GetFunction's Configuration."""

    name: str
    arn: str
    region: str
    state: str | None = None
    state_reason: str | None = None
    last_update_status: str | None = None
    runtime: str | None = None
    architecture: str | None = None
    memory_mb: int | None = None
    timeout_s: int | None = None
    reserved_concurrency: int | None = None
    provisioned_concurrency: int | None = None
    aliases: tuple[AliasView, ...] = ()
    dead_letter_arn: str | None = None
    on_failure_arn: str | None = None
    on_success_arn: str | None = None
    event_sources: tuple[EventSourceView, ...] = ()
    tracing_mode: str | None = None
    log_group: str | None = None
    log_format: str | None = None
    last_modified: datetime | None = None
    version: str | None = None
    snap_start: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Series:
    """Per-minute figures over the window, aligned on `minutes` (oldest first)."""

    minutes: tuple[datetime, ...] = ()
    values: Mapping[str, tuple[float | None, ...]] = field(default_factory=dict)

    def get(self, name: str) -> tuple[float | None, ...]:
        return self.values.get(name, ())


@dataclass(frozen=True, slots=True)
class Marker:
    """A deploy (version published) or a configuration change, for the time axis."""

    at: datetime
    label: str


@dataclass(frozen=True, slots=True)
class DownstreamCall:
    name: str
    duration_ms: float
    status: str  # "ok" | "error" | "throttle" | "fault"


@dataclass(frozen=True, slots=True)
class TraceView:
    trace_id: str
    started: datetime | None
    duration_ms: float | None
    init_ms: float | None
    fault: bool
    error: bool
    throttle: bool
    calls: tuple[DownstreamCall, ...] = ()  # slowest first


@dataclass(frozen=True, slots=True)
class EdgeView:
    """A downstream edge of the function's node in the service graph."""

    target: str
    target_type: str | None
    requests: int
    errors: int
    faults: int
    throttles: int
    avg_latency_ms: float | None


@dataclass(frozen=True, slots=True)
class TracesView:
    traces: tuple[TraceView, ...] = ()
    edges: tuple[EdgeView, ...] = ()
    scanned: int = 0  # traces the summaries evaluated (priced as scanned)
    retrieved: int = 0  # traces whose documents were read (priced as retrieved)


@dataclass(frozen=True, slots=True)
class QueueView:
    arn: str
    kind: str  # dead-letter | on-failure | source-redrive | event-source
    depth: int | None = None
    oldest_age_s: float | None = None
    growth_per_min: float | None = None  # change in depth per minute over the samples seen

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]


@dataclass(frozen=True, slots=True)
class FunctionSnapshot:
    generated_at: datetime
    window_minutes: int
    config: FunctionConfigView
    account_limit: int | None = None
    unreserved_limit: int | None = None
    series: Series = field(default_factory=Series)
    markers: tuple[Marker, ...] = ()
    versions: tuple[VersionStats, ...] = ()
    verdict: CanaryVerdict | None = None
    throttled: tuple[ThrottledMinute, ...] = ()
    top_consumers: tuple[Consumer, ...] = ()
    cold_starts: ColdStarts = field(default_factory=ColdStarts)
    signatures: tuple[Signature, ...] = ()
    traces: TracesView | None = None  # None: not asked for yet (`t`)
    queues: tuple[QueueView, ...] = ()
    panels: Mapping[str, PanelState] = field(default_factory=dict)
    api_calls: Mapping[str, int] = field(default_factory=dict)
    estimated_cost_usd: float = 0.0

    def panel(self, name: str) -> PanelState:
        return self.panels.get(name, PanelState(ok=False, loading=True, note="waiting for the first read"))

    @property
    def all_panels_ok(self) -> bool:
        return all(p.ok for p in self.panels.values())
