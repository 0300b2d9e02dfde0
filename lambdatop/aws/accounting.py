"""Counts every AWS call per `service:Operation` through botocore event hooks, and what it costs."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

from lambdatop.model.cost import cost_of_calls


class ApiAccountant:
    """Shared by every client lambdatop creates. Thread-safe (the demo seeder may share it)."""

    def __init__(self, monotonic: Any = None) -> None:
        import time

        self._lock = threading.Lock()
        self._monotonic = monotonic or time.monotonic
        self.calls: Counter[str] = Counter()
        self.metrics_requested = 0
        self.bytes_scanned = 0
        self.traces_billed = 0  # X-Ray traces scanned or retrieved
        self._recent: deque[float] = deque()

    def attach(self, client: Any) -> None:
        client.meta.events.register(
            "before-parameter-build.cloudwatch.GetMetricData",
            _note_metric_queries,
            unique_id="lambdatop-accounting-metrics",
        )
        client.meta.events.register("before-call.*.*", self._on_before_call, unique_id="lambdatop-accounting")

    def _on_before_call(self, model: Any, context: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        with self._lock:
            self.calls[f"{service}:{model.name}"] += 1
            self.metrics_requested += int(context.get(_METRIC_QUERIES_KEY, 0))
            now = self._monotonic()
            self._recent.append(now)
            while self._recent and self._recent[0] < now - 60.0:
                self._recent.popleft()

    def add_bytes_scanned(self, n: int) -> None:
        with self._lock:
            self.bytes_scanned += n

    def add_traces(self, n: int) -> None:
        with self._lock:
            self.traces_billed += n

    def calls_per_minute(self) -> int:
        with self._lock:
            now = self._monotonic()
            while self._recent and self._recent[0] < now - 60.0:
                self._recent.popleft()
            return len(self._recent)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self.calls.items()))

    def estimated_cost_usd(self) -> float:
        with self._lock:
            return cost_of_calls(
                dict(self.calls), self.metrics_requested, self.bytes_scanned, traces=self.traces_billed
            )


# before-call sees the serialised request, not the API parameters; the query count is noted
# while they are still parameters, in the context botocore hands on to before-call.
_METRIC_QUERIES_KEY = "lambdatop_metric_queries"


def _note_metric_queries(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_METRIC_QUERIES_KEY] = len(params.get("MetricDataQueries", ()))
