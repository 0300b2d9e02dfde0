"""What the collector knows about one account+Region.

Mutable, owned by the collector and touched only from the event loop. Every value keeps the
time it was read, so the snapshot can say how old it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lambdatop.aws.inventory import AccountLimits, EventSourceMapping, FunctionConfig
from lambdatop.aws.metric_discovery import MetricEvidence
from lambdatop.collector.knowledge import FunctionKnowledge
from lambdatop.model.reports import ColdStartStats
from lambdatop.model.snapshot import DlqKind, SourceStatus


@dataclass
class SourceState:
    name: str
    ok: bool | None = None  # None: never answered nor failed yet
    updated_at: datetime | None = None
    stale_since: datetime | None = None
    error: str | None = None
    unsupported: bool = False

    def succeeded(self, now: datetime) -> None:
        self.ok, self.updated_at, self.stale_since, self.error = True, now, None, None
        self.unsupported = False

    def failed(self, now: datetime, reason: str, unsupported: bool = False) -> None:
        if self.ok is not False:
            self.stale_since = now
        self.ok, self.error, self.unsupported = False, reason, unsupported

    def status(self) -> SourceStatus:
        return SourceStatus(
            name=self.name,
            ok=bool(self.ok),
            updated_at=self.updated_at,
            stale_since=self.stale_since,
            error=self.error if self.ok is not None else "waiting for first answer",
        )


@dataclass
class Timed:
    value: float | None
    at: datetime


@dataclass
class RegionState:
    region: str
    profile: str | None = None
    account_id: str | None = None
    limits: AccountLimits | None = None
    functions: dict[str, FunctionConfig] = field(default_factory=dict)
    knowledge: dict[str, FunctionKnowledge] = field(default_factory=dict)
    # Which functions have alias, async and PC metrics (None: ListMetrics not answered yet).
    evidence: MetricEvidence | None = None
    mappings: list[EventSourceMapping] = field(default_factory=list)
    redrive_targets: dict[str, str] = field(default_factory=dict)  # source queue -> DLQ
    metrics: dict[str, dict[str, Timed]] = field(default_factory=dict)  # arn -> field -> value
    series: dict[str, tuple[float, ...]] = field(default_factory=dict)
    # (function arn, alias, version) -> field -> value, for weighted aliases
    canary_metrics: dict[tuple[str, str, str], dict[str, Timed]] = field(default_factory=dict)
    account_metrics: dict[str, Timed] = field(default_factory=dict)
    # function -> (reason, since) while the GetMetricData call carrying its queries fails
    metric_failures: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    # queue -> (reason, since) while its depth cannot be read
    queue_failures: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    cold_starts: dict[str, tuple[ColdStartStats | None, datetime]] = field(default_factory=dict)
    queue_depth: dict[str, Timed] = field(default_factory=dict)
    queue_age: dict[str, Timed] = field(default_factory=dict)
    sources: dict[str, SourceState] = field(default_factory=dict)
    metrics_window_min: int | None = None  # the window the stored metrics were read over
    metrics_window: tuple[datetime, datetime] | None = None  # and its minutes, [start, end)
    logs_window_min: int | None = None
    logs_path: str | None = None  # "insights" | "filter": where the REPORT figures came from
    # Indexes rebuilt by reindex() whenever functions or mappings change.
    _group_sizes: dict[str, int] = field(default_factory=dict)
    _mappings_by_name: dict[str, list[EventSourceMapping]] = field(default_factory=dict)

    def reindex(self) -> None:
        sizes: dict[str, int] = {}
        for config in self.functions.values():
            sizes[config.log_group] = sizes.get(config.log_group, 0) + 1
        self._group_sizes = sizes
        by_name: dict[str, list[EventSourceMapping]] = {}
        for mapping in self.mappings:
            by_name.setdefault(function_name(mapping.function_arn), []).append(mapping)
        self._mappings_by_name = by_name

    def known(self, arn: str) -> FunctionKnowledge:
        knowledge = self.knowledge.get(arn)
        if knowledge is None:
            knowledge = self.knowledge[arn] = FunctionKnowledge()
        return knowledge

    def source(self, name: str) -> SourceState:
        state = self.sources.get(name)
        if state is None:
            state = self.sources[name] = SourceState(name)
        return state

    # ---- what belongs to which function -------------------------------------------------
    def failure_queues(self, arn: str) -> list[tuple[str, DlqKind]]:
        config = self.functions[arn]
        queues: list[tuple[str, DlqKind]] = []
        if config.dead_letter_arn:
            queues.append((config.dead_letter_arn, "dead-letter"))
        known = self.knowledge.get(arn)
        for target in known.destinations.value if known and known.destinations else ():
            queues.append((target, "on-failure"))
        for mapping in self._mappings_of(arn):
            if mapping.on_failure_arn:
                queues.append((mapping.on_failure_arn, "on-failure"))
            redrive = self.redrive_targets.get(mapping.source_arn)
            if redrive:
                queues.append((redrive, "source-redrive"))
        seen: set[str] = set()
        unique = []
        for queue_arn, kind in queues:
            if queue_arn not in seen:
                seen.add(queue_arn)
                unique.append((queue_arn, kind))
        return unique

    def all_queue_arns(self) -> set[str]:
        return {q for arn in self.functions for q, _ in self.failure_queues(arn)}

    def _mappings_of(self, arn: str) -> list[EventSourceMapping]:
        return self._mappings_by_name.get(function_name(arn), [])

    def has_stream_source(self, arn: str) -> bool:
        return any(m.is_stream for m in self._mappings_of(arn))

    def log_groups(self) -> dict[str, list[str]]:
        """log group -> functions writing to it (several functions may share one)."""
        groups: dict[str, list[str]] = {}
        for arn, config in self.functions.items():
            groups.setdefault(config.log_group, []).append(arn)
        return groups

    # ---- assembly -----------------------------------------------------------------------
    def metric(self, arn: str, name: str) -> float | None:
        timed = self.metrics.get(arn, {}).get(name)
        return timed.value if timed else None


def function_name(arn: str) -> str:
    """The function name from a function ARN, qualified or not."""
    parts = arn.split(":function:", 1)
    return parts[1].split(":", 1)[0] if len(parts) == 2 else arn
