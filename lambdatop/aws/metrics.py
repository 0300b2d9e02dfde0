"""GetMetricData in batches of at most 500 queries, calls in parallel.

The number of calls for a refresh is ⌈queries / 500⌉. Percentile statistics make some
endpoints (plain moto) fail the whole call with HTTP 500; when that happens the call is
repeated once without them, percentiles are switched off for this endpoint for a while,
and the caller is told, so one query kind never takes the others down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdatop.aws.errors import classify, http_status
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


def batches(queries: Sequence[MetricQuery], size: int = MAX_QUERIES_PER_CALL) -> list[list[MetricQuery]]:
    """Split into the fewest calls: ⌈len / size⌉ of them."""
    return [list(queries[i : i + size]) for i in range(0, len(queries), size)]


class MetricsReader:
    def __init__(self, pool: ClientPool, region: str, max_parallel_calls: int = 4) -> None:
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
        result = MetricsResult()
        if not self.percentiles_enabled(now_monotonic):
            queries = [q for q in queries if not q.is_percentile]
            result.percentile_error = self.percentile_reason
        elif self._percentiles_off_until is not None:
            self._percentiles_off_until = None
            self.percentile_reason = None
        chunks = batches(queries)
        answers = await asyncio.gather(*(self._call(chunk, start, end, now_monotonic, result) for chunk in chunks))
        for answer in answers:
            result.series.update(answer)
        return result

    async def _call(
        self,
        chunk: list[MetricQuery],
        start: datetime,
        end: datetime,
        now_monotonic: float,
        result: MetricsResult,
    ) -> dict[str, MetricSeries]:
        try:
            return await self._get_metric_data(chunk, start, end, result)
        except Exception as exc:
            status = http_status(exc)
            failure = classify(exc)
            has_percentiles = any(q.is_percentile for q in chunk)
            server_fault = (status is not None and status >= 500) or failure.unsupported
            if not (has_percentiles and server_fault):
                raise
            reason = f"percentile statistics refused by endpoint ({failure.reason})"
            self._percentiles_off_until = now_monotonic + PERCENTILE_RETRY_AFTER_S
            self.percentile_reason = reason
            result.percentile_error = reason
            plain = [q for q in chunk if not q.is_percentile]
            return await self._get_metric_data(plain, start, end, result) if plain else {}

    async def _get_metric_data(
        self, chunk: list[MetricQuery], start: datetime, end: datetime, result: MetricsResult
    ) -> dict[str, MetricSeries]:
        cloudwatch = await self.pool.client("cloudwatch", self.region)
        out: dict[str, MetricSeries] = {}
        partial: dict[str, list[tuple[datetime, float]]] = {}
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
                    rows = partial.setdefault(item["Id"], [])
                    rows.extend(zip(item.get("Timestamps", []), item.get("Values", []), strict=False))
                    if item.get("StatusCode") not in (None, "Complete", "PartialData"):
                        out[item["Id"]] = MetricSeries((), (), complete=False)
                token = response.get("NextToken")
                if not token:
                    break
        for query_id, rows in partial.items():
            if query_id in out:
                continue
            rows.sort()
            out[query_id] = MetricSeries(tuple(t for t, _ in rows), tuple(float(v) for _, v in rows), complete=True)
        return out
