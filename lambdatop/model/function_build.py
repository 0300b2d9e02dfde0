"""Everything read about one function → its FunctionSnapshot (pure: the numbers, no I/O).

The refresher and `--once --function` both hand their reads to `build_snapshot`, so the
screen and the script show the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from lambdatop.model.canary import CanaryVerdict, VersionStats, pick_pair, verdict
from lambdatop.model.cold_start_attribution import (
    ColdStarts,
    Deploy,
    TimedReport,
    cold_starts_per_minute,
    init_p99_per_minute,
    summarise,
)
from lambdatop.model.function_snapshot import (
    DetailRequest,
    EventSourceView,
    FunctionConfigView,
    FunctionSnapshot,
    Marker,
    PanelState,
    QueueView,
    Series,
    TracesView,
)
from lambdatop.model.queue_growth import growth_per_minute, latest_known
from lambdatop.model.signatures import ErrorLine, group_signatures
from lambdatop.model.throttle_diagnosis import MinuteFigures, ThrottledMinute, diagnose, top_consumers


@dataclass
class DetailReads:
    request: DetailRequest
    now: datetime
    config: FunctionConfigView | None = None
    versions_published: list[tuple[str, datetime | None]] = field(default_factory=list)
    account_limit: int | None = None
    unreserved_limit: int | None = None
    metric_minutes: list[datetime] = field(default_factory=list)
    metric_series: Mapping[str, Sequence[float | None]] = field(default_factory=dict)
    version_figures: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    queue_series: Mapping[str, Mapping[str, Sequence[float | None]]] = field(default_factory=dict)
    percentile_error: str | None = None
    queue_arns: list[str] = field(default_factory=list)
    redrive: Mapping[str, str] = field(default_factory=dict)
    queue_depths: Mapping[str, int] = field(default_factory=dict)
    reports: list[TimedReport] = field(default_factory=list)
    error_lines: list[ErrorLine] = field(default_factory=list)
    no_log_group: bool = False
    traces: TracesView | None = None
    panels: dict[str, PanelState] = field(default_factory=dict)
    api_calls: Mapping[str, int] = field(default_factory=dict)
    cost_usd: float = 0.0


def build_snapshot(reads: DetailReads) -> FunctionSnapshot:
    request = reads.request
    config = reads.config or FunctionConfigView(name=request.name, arn=request.arn, region=request.region)
    minutes = list(reads.metric_minutes)
    window_start = minutes[0] if minutes else None
    deploys = _deploys(reads, window_start)
    reports = sorted(reads.reports, key=lambda r: r.timestamp)
    concurrency = list(reads.metric_series.get("concurrency", ()))
    cold = summarise(reports, minutes, concurrency, deploys) if reports else ColdStarts()
    series_values = {k: tuple(v) for k, v in reads.metric_series.items()}
    if minutes and reports:
        series_values["cold_starts"] = cold_starts_per_minute(reports, minutes)
        series_values["init_p99_ms"] = init_p99_per_minute(reports, minutes)
    versions, canary = _versions(config, reads, reports)
    panels = dict(reads.panels)
    panels.update(_notes(reads, config, canary is not None))
    config = replace(config, event_sources=_event_sources(config, reads))
    return FunctionSnapshot(
        generated_at=reads.now,
        window_minutes=request.window_minutes,
        config=config,
        account_limit=reads.account_limit,
        unreserved_limit=reads.unreserved_limit,
        series=Series(tuple(minutes), series_values),
        markers=tuple(Marker(d.at, f"v{d.version}" if d.version else "config") for d in deploys),
        versions=versions,
        verdict=canary,
        throttled=tuple(_throttles(config, reads, minutes)),
        top_consumers=tuple(top_consumers(request.consumers, exclude=config.name)),
        cold_starts=cold,
        signatures=tuple(group_signatures(reads.error_lines)),
        traces=reads.traces,
        queues=tuple(_queues(config, reads)),
        panels=panels,
        api_calls=dict(reads.api_calls),
        estimated_cost_usd=reads.cost_usd,
    )


def _deploys(reads: DetailReads, window_start: datetime | None) -> list[Deploy]:
    """Versions published and the last configuration change, since the window's start.

    No upper bound: a LastModified ahead of our clock is the bastion's clock running slow, not a
    deploy from the future, and the deploy that just happened is the one the operator needs to see.
    """
    out = [Deploy(at, version) for version, at in reads.versions_published if at is not None]
    config = reads.config
    if config is not None and config.last_modified is not None:
        published_at = {d.at for d in out}
        if config.last_modified not in published_at:
            out.append(Deploy(config.last_modified, None))
    if window_start is not None:
        out = [d for d in out if window_start <= d.at]
    return sorted(out, key=lambda d: d.at)


def _versions(
    config: FunctionConfigView, reads: DetailReads, reports: Sequence[TimedReport]
) -> tuple[tuple[VersionStats, ...], CanaryVerdict | None]:
    weighted = next((a for a in config.aliases if a.weights), None)
    if weighted is None:
        return (), None
    cold: dict[str, int] = {}
    for r in reports:
        if r.report.is_cold_start and r.version:
            cold[r.version] = cold.get(r.version, 0) + 1
    stats = []
    for version in sorted({weighted.version, *weighted.weights}, key=lambda v: (len(v), v)):
        figures = reads.version_figures.get(version, {})
        weight = weighted.weights.get(version, weighted.primary_weight if version == weighted.version else 0.0)
        stats.append(
            VersionStats(
                version=version,
                weight=weight,
                invocations=_int(figures.get("invocations")),
                errors=_int(figures.get("errors")),
                throttles=_int(figures.get("throttles")),
                duration_p99_ms=figures.get("duration_p99_ms"),
                cold_starts=cold.get(version, 0) if reports else None,
            )
        )
    pair = pick_pair(weighted.version, dict(weighted.weights), stats)
    if pair is None or not reads.version_figures:
        return tuple(stats), None
    return tuple(stats), verdict(weighted.name, *pair)


def _throttles(config: FunctionConfigView, reads: DetailReads, minutes: Sequence[datetime]) -> list[ThrottledMinute]:
    series = reads.metric_series
    throttles = list(series.get("throttles", ()))
    concurrency = list(series.get("concurrency", ()))
    claimed = list(series.get("claimed_account", ()))
    spill = list(series.get("pc_spillover", ()))

    def at(values: list[float | None], i: int) -> float | None:
        return values[i] if i < len(values) else None

    figures = [
        MinuteFigures(m, at(throttles, i) or 0.0, at(concurrency, i), at(claimed, i), at(spill, i))
        for i, m in enumerate(minutes)
    ]
    return list(
        diagnose(
            figures,
            reserved=config.reserved_concurrency,
            provisioned=config.provisioned_concurrency,
            account_limit=reads.account_limit,
        )
    )


def _queues(config: FunctionConfigView, reads: DetailReads) -> list[QueueView]:
    kinds: dict[str, str] = {}
    for arn, kind in (
        (config.dead_letter_arn, "dead-letter"),
        (config.on_failure_arn, "on-failure"),
        *((e.on_failure_arn, "on-failure") for e in config.event_sources),
        *((dlq, "source-redrive") for dlq in reads.redrive.values()),
        *((e.source_arn, "event-source") for e in config.event_sources if e.kind == "sqs"),
    ):
        if arn and arn.startswith("arn:aws:sqs:"):
            kinds.setdefault(arn, kind)
    out = []
    for arn, kind in kinds.items():
        series = reads.queue_series.get(arn, {})
        depth_series = list(series.get("depth", ()))
        depth = reads.queue_depths.get(arn)
        out.append(
            QueueView(
                arn=arn,
                kind=kind,
                depth=depth if depth is not None else _int(latest_known(depth_series)),
                oldest_age_s=latest_known(list(series.get("oldest_age_s", ()))),
                growth_per_min=growth_per_minute(depth_series),
            )
        )
    return out


def _event_sources(config: FunctionConfigView, reads: DetailReads) -> tuple[EventSourceView, ...]:
    """Each mapping with its lag: IteratorAge for streams (a per-function metric, so shared by
    a function's stream mappings), the source queue's oldest message and depth for SQS."""
    iterator = latest_known(list(reads.metric_series.get("iterator_age_ms", ())))
    out = []
    for source in config.event_sources:
        if source.kind in ("kinesis", "dynamodb", "kafka"):
            source = replace(source, iterator_age_ms=iterator)
        elif source.kind == "sqs":
            series = reads.queue_series.get(source.source_arn, {})
            depth = reads.queue_depths.get(source.source_arn)
            if depth is None:
                depth = _int(latest_known(list(series.get("depth", ()))))
            source = replace(source, queue_age_s=latest_known(list(series.get("oldest_age_s", ()))), queue_depth=depth)
        out.append(source)
    return tuple(out)


def _notes(reads: DetailReads, config: FunctionConfigView, has_canary: bool) -> dict[str, PanelState]:
    """Panels that answered but have nothing to show say why."""
    out: dict[str, PanelState] = {}

    def note(name: str, text: str) -> None:
        before = reads.panels.get(name)
        if before is not None and before.ok:
            out[name] = PanelState(ok=True, updated_at=before.updated_at, note=text)

    if reads.no_log_group:
        note("logs", f"no data: log group {config.log_group} does not exist (the function never logged)")
    elif not reads.reports and not reads.error_lines:
        note("logs", "no data: no log lines in the window")
    if not any(a.weights for a in config.aliases):
        note("versions", "no data: no alias with weighted routing")
    elif not has_canary:
        note("versions", "no data: per-version metrics not read yet")
    if reads.traces is not None and not reads.traces.traces:
        mode = config.tracing_mode or "unknown"
        why = "tracing is off (PassThrough)" if mode == "PassThrough" else "no traces in the last 30 min"
        note("traces", f"no data: {why}")
    if reads.percentile_error:
        note("metrics", f"p99 unavailable: {reads.percentile_error}")
    return out


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)
