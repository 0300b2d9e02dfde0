"""CloudWatch datums of the traffic model: invocation counts and durations, per-minute gauges.

Everything goes into a `MetricBatch`, sent in PutMetricData calls within the API's limits.
Counts and durations are stamped inside the minute the invocations arrived in (Lambda stamps
metrics at invocation start); Maximum-type gauges once, when their minute completes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from lambdatop.demo.configuration import FleetState, FunctionState
from lambdatop.demo.fleet import Fleet, FunctionSpec
from lambdatop.demo.traffic import FunctionMinutes

_MAX_DATUMS_PER_CALL = 1000  # PutMetricData limit
_MAX_VALUES_PER_CALL = 30_000  # keeps a request far below the 1 MB payload limit
_MAX_VALUES_PER_DATUM = 150  # Values/Counts limit
STAMP_MARGIN_S = 0.25  # metric timestamps stay strictly inside their minute


class MetricBatch:
    """PutMetricData datums, sent in calls of at most 1,000 datums."""

    def __init__(self) -> None:
        self._datums: dict[str, list[dict[str, Any]]] = {}

    def put(
        self,
        dims: Sequence[tuple[str, str]],
        name: str,
        stamp: datetime,
        value: float,
        namespace: str = "AWS/Lambda",
    ) -> None:
        self._datums.setdefault(namespace, []).append(
            {
                "MetricName": name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                "Timestamp": stamp,
                "Value": float(value),
            }
        )

    def counts(
        self, dims: Sequence[tuple[str, str]], stamp: datetime, invocations: int, errors: int, throttles: int
    ) -> None:
        self.put(dims, "Invocations", stamp, invocations)
        self.put(dims, "Errors", stamp, errors)
        self.put(dims, "Throttles", stamp, throttles)

    def durations(self, dims: Sequence[tuple[str, str]], stamp: datetime, values: Iterable[float]) -> None:
        """Raw durations as Values/Counts, so percentile statistics work."""
        tally: dict[float, int] = {}
        for value in values:
            tally[value] = tally.get(value, 0) + 1
        items = sorted(tally.items())
        for start in range(0, len(items), _MAX_VALUES_PER_DATUM):
            chunk = items[start : start + _MAX_VALUES_PER_DATUM]
            self._datums.setdefault("AWS/Lambda", []).append(
                {
                    "MetricName": "Duration",
                    "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                    "Timestamp": stamp,
                    "Values": [v for v, _ in chunk],
                    "Counts": [float(c) for _, c in chunk],
                    "Unit": "Milliseconds",
                }
            )

    def flush(self, cloudwatch: Any) -> int:
        sent = 0
        for namespace, datums in self._datums.items():
            start = 0
            while start < len(datums):
                end, values = start, 0
                while end < len(datums) and end - start < _MAX_DATUMS_PER_CALL:
                    values += len(datums[end].get("Values", ())) or 1
                    if values > _MAX_VALUES_PER_CALL and end > start:
                        break
                    end += 1
                cloudwatch.put_metric_data(Namespace=namespace, MetricData=datums[start:end])
                sent += end - start
                start = end
        self._datums.clear()
        return sent


def invocation_metrics(
    fleet: Fleet,
    traffic: Sequence[FunctionMinutes],
    lo_s: float,
    hi_s: float,
    stamp_in: Callable[[int], datetime],
    metrics: MetricBatch,
) -> None:
    """Counts and durations of the invocations that arrived in (lo_s, hi_s], per series.

    `stamp_in(minute)` is the timestamp the minute's datums get.
    """
    account: dict[int, list[int]] = {}
    for spec, state, minutes in traffic:
        for minute in minutes:
            base = minute.minute_index * 60
            invs = [i for i in minute.invocations if lo_s < base + i.arrival_s <= hi_s]
            throttled = [t for t in minute.throttled if lo_s < base + t[0] <= hi_s]
            if not invs and not throttled:
                continue
            stamp = stamp_in(minute.minute_index)
            errors = sum(1 for i in invs if i.error)
            totals = account.setdefault(minute.minute_index, [0, 0, 0])
            totals[0] += len(invs)
            totals[1] += errors
            totals[2] += len(throttled)
            dims = [("FunctionName", spec.name)]
            metrics.counts(dims, stamp, len(invs), errors, len(throttled))
            metrics.durations(dims, stamp, [i.duration_ms for i in invs])
            failed = [m for m in minute.failure_messages if any(i.request_id == m.request_id for i in invs)]
            _extra_function_metrics(fleet, spec, dims, stamp, len(failed), metrics, received=len(invs))
            if state.alias is not None:
                resource = [*dims, ("Resource", f"{spec.name}:{state.alias.name}")]
                metrics.counts(resource, stamp, len(invs), errors, len(throttled))
                metrics.durations(resource, stamp, [i.duration_ms for i in invs])
                for version in sorted({i.version for i in invs} | {v for _, v in throttled}):
                    mine = [i for i in invs if i.version == version]
                    executed = [*resource, ("ExecutedVersion", version)]
                    metrics.counts(
                        executed,
                        stamp,
                        len(mine),
                        sum(1 for i in mine if i.error),
                        sum(1 for _, v in throttled if v == version),
                    )
                    metrics.durations(executed, stamp, [i.duration_ms for i in mine])
                if spec.provisioned_concurrency:
                    on_pc = sum(1 for i in invs if i.provisioned)
                    for pc_dims in (dims, resource):
                        metrics.put(pc_dims, "ProvisionedConcurrencyInvocations", stamp, on_pc)
                        metrics.put(
                            pc_dims,
                            "ProvisionedConcurrencySpilloverInvocations",
                            stamp,
                            len(invs) - on_pc,
                        )
    for minute_index, (invocations, errors, throttles) in sorted(account.items()):
        metrics.counts([], stamp_in(minute_index), invocations, errors, throttles)


def _extra_function_metrics(
    fleet: Fleet,
    spec: FunctionSpec,
    dims: list[tuple[str, str]],
    stamp: datetime,
    failed: int,
    metrics: MetricBatch,
    received: int = 0,
) -> None:
    target = fleet.failure_queue(spec)
    if spec.is_async:
        # As Lambda does: every async function's queue intake, which is also how lambdatop
        # learns (ListMetrics) which functions can drop events or have destinations.
        metrics.put(dims, "AsyncEventsReceived", stamp, received)
        metrics.put(dims, "AsyncEventsDropped", stamp, failed)
    if target and target[1] == "dead-letter":
        metrics.put(dims, "DeadLetterErrors", stamp, 0)
    if target and target[1] in ("on-failure", "stream-on-failure"):
        metrics.put(dims, "DestinationDeliveryFailures", stamp, 0)


def function_gauges(
    fleet: Fleet,
    traffic: Sequence[FunctionMinutes],
    current: int,
    completed: Sequence[int],
    states: FleetState,
    gauge_max: dict[tuple[str, int], tuple[int, Mapping[str, int]]],
    zero_at: datetime,
    metrics: MetricBatch,
) -> None:
    """Maximum-type gauges, written once per minute when the minute completes.

    The configuration may change while a minute runs, so each emit that touches a minute
    remembers the largest concurrency seen; the minute's gauge is that largest value.
    """
    done = set(completed)
    account: dict[int, list[tuple[FunctionState, int]]] = {}
    for spec, state, minutes in traffic:
        for minute in minutes:
            index = minute.minute_index
            if index < current:
                continue  # completed (and written) by an earlier emit
            key = (spec.name, index)
            previous = gauge_max.get(key)
            if previous is None or minute.concurrency_max > previous[0]:
                split = {v: t.concurrency_max for v, t in minute.by_version().items()}
                gauge_max[key] = (minute.concurrency_max, split)
            if index not in done:
                continue
            concurrency, version_split = gauge_max.pop(key)
            account.setdefault(index, []).append((state, concurrency))
            stamp = zero_at + timedelta(seconds=index * 60 + 60 - STAMP_MARGIN_S)
            dims = [("FunctionName", spec.name)]
            if minute.iterator_age_ms is not None:
                metrics.put(dims, "IteratorAge", stamp, minute.iterator_age_ms)
            if concurrency <= 0:
                continue
            metrics.put(dims, "ConcurrentExecutions", stamp, concurrency)
            if state.alias is not None:
                resource = [*dims, ("Resource", f"{spec.name}:{state.alias.name}")]
                metrics.put(resource, "ConcurrentExecutions", stamp, concurrency)
                for version, value in sorted(version_split.items()):
                    if value > 0:
                        executed = [*resource, ("ExecutedVersion", version)]
                        metrics.put(executed, "ConcurrentExecutions", stamp, value)
    floor = claimed_floor(fleet, states)
    for index, rows in sorted(account.items()):
        stamp = zero_at + timedelta(seconds=index * 60 + 60 - STAMP_MARGIN_S)
        unreserved = sum(c for st, c in rows if st.reserved_concurrency is None)
        metrics.put([], "ConcurrentExecutions", stamp, sum(c for _, c in rows))
        metrics.put([], "UnreservedConcurrentExecutions", stamp, unreserved)
        metrics.put([], "ClaimedAccountConcurrency", stamp, unreserved + floor)


def claimed_floor(fleet: Fleet, states: FleetState) -> int:
    """Concurrency claimed whatever runs: Σ reserved + Σ provisioned of uncapped functions."""
    claimed = 0
    for spec in fleet.functions:
        state = states.get(spec.name) or FunctionState.from_spec(spec)
        if state.reserved_concurrency is not None:
            claimed += state.reserved_concurrency
        else:
            claimed += spec.provisioned_concurrency or 0
    return claimed
