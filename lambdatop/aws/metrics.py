"""GetMetricData in batches of at most 500 queries, calls in parallel.

The number of calls for a refresh is ⌈queries / 500⌉, in parallel. Each call stands alone:
one that fails marks only its own queries failed, and the others' answers are kept.
Percentiles are switched off for this endpoint (for half an hour) only on what means
"unsupported": a call with percentiles that still fails with a 5xx after botocore's retries
and then answers once they are left out (plain moto fails the whole call on any percentile),
or a 404/501. A 5xx that the call without percentiles gets too is the server's trouble: those
queries fail this pass, and percentiles stay on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdatop.aws.code_errors import is_code_error
from lambdatop.aws.errors import Failure, classify, http_status
from lambdatop.aws.metric_queries import MetricQuery
from lambdatop.aws.session import ClientPool

MAX_QUERIES_PER_CALL = 500
PERCENTILE_RETRY_AFTER_S = 1800.0


@dataclass(frozen=True, slots=True)
class MetricSeries:
    """One query's answer, oldest first."""

    timestamps: tuple[datetime, ...]
    values: tuple[float, ...]
    complete: bool = True

    def total(self) -> float:
        return float(sum(self.values))

    def maximum(self) -> float | None:
        return max(self.values) if self.values else None

    def latest(self) -> float | None:
        return self.values[-1] if self.values else None


@dataclass
class MetricsResult:
    series: dict[str, MetricSeries] = field(default_factory=dict)
    # Why percentile queries have no answer (None when they were answered or not asked).
    percentile_error: str | None = None
    calls: int = 0
    # query id -> why the call that carried it failed (its target keeps its last value, stale)
    failed: dict[str, Failure] = field(default_factory=dict)


def batches(queries: Sequence[MetricQuery], size: int = MAX_QUERIES_PER_CALL) -> list[list[MetricQuery]]:
    """Split into the fewest calls: ⌈len / size⌉ of them."""
    return [list(queries[i : i + size]) for i in range(0, len(queries), size)]


class MetricsReader:
    # GetMetricData allows 50 calls/s per Region: the first pass over 2,000 functions (28 calls)
    # goes out in one wave instead of seven.
    def __init__(self, pool: ClientPool, region: str, max_parallel_calls: int = 32) -> None:
        self.pool = pool
        self.region = region
        self._parallel = asyncio.Semaphore(max_parallel_calls)
        self._percentiles_off_until: float | None = None
        self.percentile_reason: str | None = None

    def percentiles_enabled(self, now_monotonic: float) -> bool:
        return self._percentiles_off_until is None or now_monotonic >= self._percentiles_off_until

    async def fetch(
        self,
        queries: Sequence[MetricQuery],
        start: datetime,
        end: datetime,
        now_monotonic: float,
    ) -> MetricsResult:
        """Every query's answer, or in `failed` why its call failed. Raises only when every
        call failed (the source as a whole is down) or on a code error."""
        result = MetricsResult()
        if not self.percentiles_enabled(now_monotonic):
            queries = [q for q in queries if not q.is_percentile]
            result.percentile_error = self.percentile_reason
        elif self._percentiles_off_until is not None:
            self._percentiles_off_until = None
            self.percentile_reason = None
        chunks = batches(queries)
        outcomes = await asyncio.gather(
            *(self._call(chunk, start, end, now_monotonic, result) for chunk in chunks), return_exceptions=True
        )
        errors: list[tuple[list[MetricQuery], BaseException]] = []
        for chunk, outcome in zip(chunks, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                if is_code_error(outcome):
                    raise outcome
                errors.append((chunk, outcome))
            else:
                result.series.update(outcome)
        if chunks and len(errors) == len(chunks):
            raise errors[0][1]
        for chunk, exc in errors:
            failure = classify(exc)
            for query in chunk:
                result.failed[query.id] = failure
        return result

    async def _call(
        self, chunk: list[MetricQuery], start: datetime, end: datetime, now_monotonic: float, result: MetricsResult
    ) -> dict[str, MetricSeries]:
        try:
            return await self._get_metric_data(chunk, start, end, result)
        except Exception as exc:
            failure = classify(exc)
            status = http_status(exc)
            plain = [q for q in chunk if not q.is_percentile]
            if (
                not plain
                or len(plain) == len(chunk)
                or not (failure.unsupported or (status is not None and status >= 500))
            ):
                raise
            answers = await self._get_metric_data(plain, start, end, result)
            # It answered without them: percentiles are what this endpoint refuses.
            reason = f"percentile statistics refused by endpoint ({failure.reason})"
            self._percentiles_off_until = now_monotonic + PERCENTILE_RETRY_AFTER_S
            self.percentile_reason = result.percentile_error = reason
            return answers

    async def _get_metric_data(
        self, chunk: list[MetricQuery], start: datetime, end: datetime, result: MetricsResult
    ) -> dict[str, MetricSeries]:
        cloudwatch = await self.pool.client("cloudwatch", self.region)
        out: dict[str, MetricSeries] = {}
        partial: dict[str, tuple[list[datetime], list[float]]] = {}
        token: str | None = None
        async with self._parallel:
            while True:
                kwargs: dict[str, Any] = {
                    "MetricDataQueries": [q.to_api() for q in chunk],
                    "StartTime": start,
                    "EndTime": end,
                    "ScanBy": "TimestampAscending",
                }
                if token:
                    kwargs["NextToken"] = token
                response = await cloudwatch.get_metric_data(**kwargs)
                result.calls += 1
                for item in response.get("MetricDataResults", []):
                    times, values = partial.setdefault(item["Id"], ([], []))
                    times.extend(item.get("Timestamps", []))
                    values.extend(item.get("Values", []))
                    if item.get("StatusCode") not in (None, "Complete", "PartialData"):
                        out[item["Id"]] = MetricSeries((), (), complete=False)
                token = response.get("NextToken")
                if not token:
                    break
        # Tens of thousands of datapoints a pass: no per-datapoint Python loop; reordered only
        # if an endpoint ignored ScanBy (sorted() on sorted input is linear, in C).
        for query_id, (times, values) in partial.items():
            if query_id in out:
                continue
            if times != sorted(times):
                order = sorted(range(len(times)), key=times.__getitem__)
                times, values = [times[i] for i in order], [values[i] for i in order]
            out[query_id] = MetricSeries(tuple(times), tuple(map(float, values)), complete=True)
        return out
