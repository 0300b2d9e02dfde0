"""X-Ray for one function, on demand: its recent traces and its downstream edges.

GetTraceSummaries filtered with `service("name")` gives the newest traces first; the
documents of the ones shown come from BatchGetTraces (≤ 5 ids per call), and the edges from
GetServiceGraph. Endpoints without filter expressions (moto answers HTTP 500) are read
without one and the traces kept client-side by segment name; an empty service graph (moto
again) is replaced by edges counted from the documents read. X-Ray bills traces scanned
(every summary evaluated) and retrieved (every document read): both are reported, and added
to the shared accountant so the cost meter shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lambdatop.aws.errors import classify, http_status
from lambdatop.aws.session import ClientPool
from lambdatop.model.function_snapshot import TracesView
from lambdatop.model.trace_documents import (
    edges_from_documents,
    edges_from_service_graph,
    is_function_trace,
    parse_documents,
    trace_view,
)

TRACES_SHOWN = 10
FAILED_SHOWN = 5  # of the traces shown, up to this many are failed ones (fault/error/throttle)
BATCH_GET_MAX_IDS = 5
MAX_SUMMARY_PAGES = 3
# Without a filter, read at most this many documents looking for the function's traces.
UNFILTERED_DOCUMENT_BUDGET = 40


class TraceReader:
    def __init__(self, pool: ClientPool, region: str) -> None:
        self.pool = pool
        self.region = region
        self.filter_supported: bool | None = None
        self._retrieved = 0

    async def read(self, function_name: str, start: datetime, end: datetime) -> TracesView:
        xray = await self.pool.client("xray", self.region)
        ids, scanned = await self._summaries(xray, function_name, start, end)
        filtered = bool(self.filter_supported)
        documents: list[tuple[str, list[dict[str, Any]]]] = []
        self._retrieved = 0
        budget = TRACES_SHOWN if filtered else UNFILTERED_DOCUMENT_BUDGET
        for i in range(0, min(len(ids), budget), BATCH_GET_MAX_IDS):
            answer = await xray.batch_get_traces(TraceIds=ids[i : i + BATCH_GET_MAX_IDS])
            self._retrieved += len(answer.get("Traces", []))
            for trace in answer.get("Traces", []):
                docs = parse_documents(s.get("Document", "") for s in trace.get("Segments", []))
                if filtered or is_function_trace(docs, function_name):
                    documents.append((str(trace.get("Id", "")), docs))
            if len(documents) >= TRACES_SHOWN:
                break
        retrieved = self._retrieved
        self._bill(scanned + retrieved)
        views = [trace_view(tid, docs, function_name) for tid, docs in documents[:TRACES_SHOWN]]
        views.sort(key=lambda v: v.started.timestamp() if v.started else 0.0, reverse=True)
        edges = await self._edges(xray, function_name, start, end)
        if not edges:
            edges = edges_from_documents((docs for _, docs in documents), function_name)
        return TracesView(traces=tuple(views), edges=tuple(edges), scanned=scanned, retrieved=retrieved)

    def _bill(self, traces: int) -> None:
        self.pool.accountant.add_traces(traces)

    async def _summaries(self, xray: Any, name: str, start: datetime, end: datetime) -> tuple[list[str], int]:
        if self.filter_supported is not False:
            try:
                found = await self._summary_pages(xray, start, end, f'service("{_quoted(name)}")')
                self.filter_supported = True
                return found
            except Exception as exc:
                status = http_status(exc)
                if not (classify(exc).unsupported or (status is not None and status >= 500)):
                    raise
                self.filter_supported = False
        return await self._summary_pages(xray, start, end, None)

    async def _summary_pages(
        self, xray: Any, start: datetime, end: datetime, expression: str | None
    ) -> tuple[list[str], int]:
        summaries: list[dict[str, Any]] = []
        scanned = 0
        token: str | None = None
        for _ in range(MAX_SUMMARY_PAGES):
            kwargs: dict[str, Any] = {"StartTime": start, "EndTime": end, "Sampling": False}
            if expression:
                kwargs["FilterExpression"] = expression
            if token:
                kwargs["NextToken"] = token
            page = await xray.get_trace_summaries(**kwargs)
            scanned += int(page.get("TracesProcessedCount") or len(page.get("TraceSummaries", [])))
            summaries.extend(s for s in page.get("TraceSummaries", []) if s.get("Id"))
            token = page.get("NextToken")
            if not token or len(summaries) >= UNFILTERED_DOCUMENT_BUDGET:
                break
        return pick_traces(summaries, TRACES_SHOWN if expression else UNFILTERED_DOCUMENT_BUDGET), scanned

    async def _edges(self, xray: Any, name: str, start: datetime, end: datetime) -> list[Any]:
        try:
            answer = await xray.get_service_graph(StartTime=start, EndTime=end)
        except Exception as exc:
            if classify(exc).unsupported:
                return []
            raise
        services: Sequence[dict[str, Any]] = answer.get("Services", [])
        return edges_from_service_graph(services, name)


def trace_time(trace_id: str) -> int:
    """A trace id's request time: `1-<epoch seconds, 8 hex>-<24 hex>`."""
    parts = trace_id.split("-")
    try:
        return int(parts[1], 16)
    except (IndexError, ValueError):
        return 0


def pick_traces(summaries: Sequence[dict[str, Any]], count: int) -> list[str]:
    """Ids to read: the newest failed traces (up to FAILED_SHOWN), then the newest of the rest."""
    newest = sorted(summaries, key=lambda s: trace_time(str(s["Id"])), reverse=True)
    failed = [s for s in newest if s.get("HasFault") or s.get("HasError") or s.get("HasThrottle")]
    chosen = [str(s["Id"]) for s in failed[: min(FAILED_SHOWN, count)]]
    chosen += [str(s["Id"]) for s in newest if str(s["Id"]) not in chosen][: count - len(chosen)]
    return chosen


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')
