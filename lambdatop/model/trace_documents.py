"""X-Ray segment documents → what the traces panel shows (pure: no I/O).

Handles both of Lambda's segment structures (reference §5.1): old style (`Initialization`,
`Invocation` holding the calls, `Overhead`) and new style (`Init`, calls directly under the
function segment). `Restore` is a SnapStart restore. Downstream calls are the subsegments
with a `namespace` of `aws` or `remote` (what the X-Ray SDKs write for AWS SDK and HTTP calls).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from lambdatop.model.function_snapshot import DownstreamCall, EdgeView, TraceView
from lambdatop.model.sanitize import clean_text

INIT_NAMES = frozenset({"Initialization", "Init", "Restore"})
FUNCTION_ORIGIN = "AWS::Lambda::Function"
CALLS_KEPT = 3


def parse_documents(raw: Iterable[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in raw:
        try:
            document = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(document, dict):
            out.append(document)
    return out


def _walk(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for sub in document.get("subsegments") or ():
        if isinstance(sub, Mapping):
            yield sub
            yield from _walk(sub)


def _ms(segment: Mapping[str, Any]) -> float | None:
    start, end = segment.get("start_time"), segment.get("end_time")
    if isinstance(start, int | float) and isinstance(end, int | float):
        return max(0.0, (float(end) - float(start)) * 1000)
    return None


def _status(segment: Mapping[str, Any]) -> str:
    if segment.get("fault"):
        return "fault"
    if segment.get("throttle"):
        return "throttle"
    if segment.get("error"):
        return "error"
    return "ok"


def _call_name(sub: Mapping[str, Any]) -> str:
    name = clean_text(str(sub.get("name", "?")), max_len=60)
    operation = (sub.get("aws") or {}).get("operation") if isinstance(sub.get("aws"), Mapping) else None
    return f"{name} {clean_text(str(operation), max_len=40)}" if operation else name


def is_function_trace(documents: Sequence[Mapping[str, Any]], function_name: str) -> bool:
    return any(d.get("name") == function_name for d in documents)


def trace_view(trace_id: str, documents: Sequence[Mapping[str, Any]], function_name: str) -> TraceView:
    """The trace as one row: the function segment's timing, init, flags and slowest calls."""
    mine = [d for d in documents if d.get("name") == function_name]
    function = next((d for d in mine if d.get("origin") == FUNCTION_ORIGIN), mine[0] if mine else {})
    service = next((d for d in mine if d.get("origin") == "AWS::Lambda"), function)
    starts = [d["start_time"] for d in mine if isinstance(d.get("start_time"), int | float)]
    ends = [d["end_time"] for d in mine if isinstance(d.get("end_time"), int | float)]
    duration = (max(ends) - min(starts)) * 1000 if starts and ends else None
    subs = list(_walk(function))
    init = next((_ms(s) for s in subs if s.get("name") in INIT_NAMES), None)
    calls = [
        DownstreamCall(_call_name(s), _ms(s) or 0.0, _status(s))
        for s in subs
        if s.get("namespace") in ("aws", "remote")
    ]
    calls.sort(key=lambda c: -c.duration_ms)
    flagged = [function, service, *subs]
    return TraceView(
        trace_id=clean_text(trace_id, max_len=40),
        started=datetime.fromtimestamp(min(starts), UTC) if starts else None,
        duration_ms=duration,
        init_ms=init,
        fault=any(bool(s.get("fault")) for s in flagged),
        error=any(bool(s.get("error")) for s in flagged),
        throttle=any(bool(s.get("throttle")) for s in flagged),
        calls=tuple(calls[:CALLS_KEPT]),
    )


def edges_from_documents(traces: Iterable[Sequence[Mapping[str, Any]]], function_name: str) -> list[EdgeView]:
    """Downstream edges of the function, counted from the trace documents themselves.

    For endpoints whose GetServiceGraph has nothing (moto): the same figures the service
    graph would give for the sampled traces read.
    """
    totals: dict[tuple[str, str], list[float]] = {}
    for documents in traces:
        for document in documents:
            if document.get("name") != function_name or document.get("origin") != FUNCTION_ORIGIN:
                continue
            for sub in _walk(document):
                if sub.get("namespace") not in ("aws", "remote"):
                    continue
                kind = (
                    "AWS::" + clean_text(str(sub.get("name")), max_len=40)
                    if sub.get("namespace") == "aws"
                    else "remote"
                )
                key = (clean_text(str(sub.get("name", "?")), max_len=60), kind)
                row = totals.setdefault(key, [0, 0, 0, 0, 0.0])
                status = _status(sub)
                row[0] += 1
                row[1] += status == "error"
                row[2] += status == "fault"
                row[3] += status == "throttle"
                row[4] += _ms(sub) or 0.0
    edges = [
        EdgeView(name, kind, int(r[0]), int(r[1] + r[3]), int(r[2]), int(r[3]), r[4] / r[0] if r[0] else None)
        for (name, kind), r in totals.items()
    ]
    edges.sort(key=lambda e: (-(e.errors + e.faults), -e.requests, e.target))
    return edges


def edges_from_service_graph(services: Sequence[Mapping[str, Any]], function_name: str) -> list[EdgeView]:
    """Downstream edges of the function's node(s) in a GetServiceGraph answer."""
    by_ref = {s.get("ReferenceId"): s for s in services}
    edges: list[EdgeView] = []
    for node in services:
        if node.get("Name") != function_name:
            continue
        for edge in node.get("Edges") or ():
            target = by_ref.get(edge.get("ReferenceId")) or {}
            if target.get("Name") == function_name:
                continue  # the service node's edge to the function node
            stats = edge.get("SummaryStatistics") or {}
            total = int(stats.get("TotalCount") or 0)
            errors = stats.get("ErrorStatistics") or {}
            faults = stats.get("FaultStatistics") or {}
            response = stats.get("TotalResponseTime")
            edges.append(
                EdgeView(
                    target=clean_text(str(target.get("Name", "?")), max_len=60),
                    target_type=clean_text(str(target.get("Type")), max_len=40) if target.get("Type") else None,
                    requests=total,
                    errors=int(errors.get("TotalCount") or 0),
                    faults=int(faults.get("TotalCount") or 0),
                    throttles=int(errors.get("ThrottleCount") or 0),
                    avg_latency_ms=float(response) / total * 1000 if total and response is not None else None,
                )
            )
    edges.sort(key=lambda e: (-(e.errors + e.faults), -e.requests, e.target))
    return edges
