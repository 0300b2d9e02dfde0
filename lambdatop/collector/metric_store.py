"""Answers of a GetMetricData round into the Region state, each where its target says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from lambdatop.aws.errors import Failure
from lambdatop.aws.metric_queries import MetricQuery, TargetKind
from lambdatop.aws.metrics import MetricSeries
from lambdatop.collector.region_state import RegionState, Timed

COUNT_FIELDS = frozenset(
    {
        "invocations",
        "errors",
        "throttles",
        "async_events_dropped",
        "dead_letter_errors",
        "destination_delivery_failures",
    }
)


def store_answers(
    state: RegionState,
    queries: Iterable[MetricQuery],
    answers: dict[str, MetricSeries],
    start: datetime,
    window_minutes: int,
    now: datetime,
) -> None:
    canaries_read: dict[str, set[tuple[str, str, str]]] = {}
    for query in queries:
        target = query.target
        if target.kind is TargetKind.CANARY:
            canaries_read.setdefault(target.key, set()).add((target.key, target.alias or "", target.version or ""))
        series = answers.get(query.id)
        if series is None:
            continue  # not answered (percentiles refused): keep what we had, marked stale
        if target.kind is TargetKind.SERIES:
            minutes = [0.0] * window_minutes
            for t, v in zip(series.timestamps, series.values, strict=True):
                index = int((t - start).total_seconds() // 60)
                if 0 <= index < len(minutes):
                    minutes[index] = v
            state.series[target.key] = tuple(minutes)
            continue
        if not series.complete:
            value: float | None = None  # CloudWatch could not answer it (InternalError, Forbidden)
        elif target.field in COUNT_FIELDS:
            value = series.total()  # no datapoint = nothing happened = 0
        else:
            value = series.latest() if target.kind is TargetKind.QUEUE else series.maximum()
        timed = Timed(value, now)
        if target.kind is TargetKind.FUNCTION:
            state.metrics.setdefault(target.key, {})[target.field] = timed
        elif target.kind is TargetKind.ACCOUNT:
            state.account_metrics[target.field] = timed
        elif target.kind is TargetKind.QUEUE:
            state.queue_age[target.key] = timed
        elif target.kind is TargetKind.CANARY:
            key = (target.key, target.alias or "", target.version or "")
            state.canary_metrics.setdefault(key, {})[target.field] = timed
    # A version no longer behind a weighted alias of a function read now is forgotten.
    for key in [k for k in state.canary_metrics if k[0] in canaries_read and k not in canaries_read[k[0]]]:
        del state.canary_metrics[key]


def forget_unread(state: RegionState, read: Iterable[MetricQuery]) -> None:
    """Drop what this pass left out for the functions it read (the fleet tier reads counts
    only): a gauge from an older read is over another window and must not pass for current."""
    fields: dict[str, set[str]] = {}
    for query in read:
        if query.target.kind is TargetKind.FUNCTION:
            fields.setdefault(query.target.key, set()).add(query.target.field)
    for arn, names in fields.items():
        stored = state.metrics.get(arn, {})
        for name in set(stored) - names:
            del stored[name]


def note_failed_targets(
    state: RegionState,
    queries: Iterable[MetricQuery],
    failed: Mapping[str, Failure],
    answered: Iterable[MetricQuery],
    now: datetime,
) -> set[str]:
    """Functions whose call failed keep their last numbers, marked stale since the first
    failure; those answered now are fresh again. Returns the functions that failed."""
    fresh = {q.target.key for q in answered if q.target.kind is TargetKind.FUNCTION}
    failing: dict[str, str] = {}
    for query in queries:
        failure = failed.get(query.id)
        if failure is not None and query.target.kind in (TargetKind.FUNCTION, TargetKind.CANARY):
            failing[query.target.key] = failure.reason
    for arn in fresh - set(failing):
        state.metric_failures.pop(arn, None)
    for arn, reason in failing.items():
        since = state.metric_failures.get(arn, (reason, now))[1]
        state.metric_failures[arn] = (reason, since)
    return set(failing)
