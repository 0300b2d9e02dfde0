"""X-Ray read APIs answered over the segments moto stores, where moto answers wrongly.

- GetServiceGraph: moto always returns `Services: []`. Built here from the stored segment
  documents as X-Ray builds it: a node per segment name and origin (`AWS::Lambda` service
  node, `AWS::Lambda::Function` node) and per downstream subsegment (`aws` namespace →
  `AWS::<Name>`, `remote` → `remote`), an edge from each caller with request, error (4xx),
  throttle (429) and fault (5xx) counts and the total response time.
- GetTraceSummaries with the filter expression `service("name")` (the one lambdatop sends):
  moto answers every filter with HTTP 500. Here: the traces with a segment of that name,
  newest first, with HasFault / HasError / HasThrottle from every segment and subsegment (as
  X-Ray does; moto looks at top-level segments only). Any other expression goes to moto.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from lambdatop.demo.mends.protocol import Call, Reply, epoch_seconds, json_reply

SERVICE_FILTER = re.compile(r'^\s*service\(\s*"((?:[^"\\]|\\.)*)"\s*\)\s*$')
_CONTENT = "application/json"


class XRayMends:
    PATHS = frozenset({"/ServiceGraph", "/TraceSummaries"})

    def handle(self, call: Call) -> Reply | None:
        request = call.json() if call.body else {}
        if call.path == "/ServiceGraph":
            return self._service_graph(call, request)
        if call.path == "/TraceSummaries":
            match = SERVICE_FILTER.match(str(request.get("FilterExpression") or ""))
            if not match:
                return None  # moto answers (its 500 for a filter, its summaries without one)
            return self._summaries(call, request, match.group(1).replace('\\"', '"').replace("\\\\", "\\"))
        return None

    def _traces(self, call: Call, request: Mapping[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        from moto.xray.models import xray_backends

        start = epoch_seconds(request.get("StartTime"))
        end = epoch_seconds(request.get("EndTime"))
        backend = xray_backends[call.account][call.region]
        for trace_id, trace in list(backend._segment_collection._traces.items()):
            segments = list(trace.get("segments", ()))
            if not trace.get("finished") or not segments:
                continue
            first = min(s.start_time for s in segments)
            last = max(s.end_time or s.start_time for s in segments)
            if start <= first and last <= end:
                yield trace_id, [_document(s) for s in segments]

    def _summaries(self, call: Call, request: Mapping[str, Any], name: str) -> Reply:
        summaries: list[dict[str, Any]] = []
        scanned = 0
        for trace_id, documents in self._traces(call, request):
            scanned += 1
            if not any(d.get("name") == name for d in documents):
                continue
            every = [part for d in documents for part in _walk(d)]
            starts = [float(d["start_time"]) for d in documents if "start_time" in d]
            ends = [float(d.get("end_time", d["start_time"])) for d in documents if "start_time" in d]
            summaries.append(
                {
                    "Id": trace_id,
                    "Duration": round(max(ends) - min(starts), 3),
                    "ResponseTime": round(max(ends) - min(starts), 3),
                    "HasFault": any(bool(p.get("fault")) for p in every),
                    "HasError": any(bool(p.get("error")) for p in every),
                    "HasThrottle": any(bool(p.get("throttle")) for p in every),
                    "IsPartial": False,
                    "StartTime": min(starts),
                }
            )
        summaries.sort(key=lambda s: -s["StartTime"])
        for s in summaries:
            del s["StartTime"]
        return json_reply(
            {
                "TraceSummaries": summaries,
                "TracesProcessedCount": scanned,
                "ApproximateTime": epoch_seconds(request.get("EndTime")),
            },
            content_type=_CONTENT,
        )

    def _service_graph(self, call: Call, request: Mapping[str, Any]) -> Reply:
        nodes: dict[tuple[str, str], dict[str, Any]] = {}
        edges: dict[tuple[tuple[str, str], tuple[str, str]], dict[str, float]] = {}

        def node(name: str, kind: str) -> tuple[str, str]:
            key = (name, kind)
            nodes.setdefault(
                key, {"ReferenceId": len(nodes), "Name": name, "Names": [name], "Type": kind, "Root": False}
            )
            return key

        for _, documents in self._traces(call, request):
            for document in documents:
                origin = str(document.get("origin") or "")
                me = node(str(document.get("name")), origin or "client")
                if origin == "AWS::Lambda":
                    nodes[me]["Root"] = True
                    for other in documents:
                        if other.get("parent_id") == document.get("id"):
                            _count(edges, me, node(str(other.get("name")), str(other.get("origin") or "")), other)
                    continue
                for sub in _walk(document):
                    namespace = sub.get("namespace")
                    if namespace not in ("aws", "remote"):
                        continue
                    kind = f"AWS::{sub.get('name')}" if namespace == "aws" else "remote"
                    _count(edges, me, node(str(sub.get("name")), kind), sub)
        services = []
        for key, info in nodes.items():
            out = [
                {"ReferenceId": nodes[dst]["ReferenceId"], "SummaryStatistics": _statistics(stats)}
                for (src, dst), stats in edges.items()
                if src == key
            ]
            services.append({**info, "AccountId": call.account, "State": "active", "Edges": out})
        return json_reply(
            {
                "Services": services,
                "StartTime": epoch_seconds(request.get("StartTime")),
                "EndTime": epoch_seconds(request.get("EndTime")),
            },
            content_type=_CONTENT,
        )


def _document(segment: Any) -> dict[str, Any]:
    raw = getattr(segment, "raw", None)
    try:
        document = json.loads(raw) if isinstance(raw, str | bytes) else dict(raw or {})
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _walk(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield document
    for sub in document.get("subsegments") or ():
        if isinstance(sub, Mapping):
            yield from _walk(sub)


def _count(
    edges: dict[tuple[tuple[str, str], tuple[str, str]], dict[str, float]],
    src: tuple[str, str],
    dst: tuple[str, str],
    segment: Mapping[str, Any],
) -> None:
    stats = edges.setdefault((src, dst), {"total": 0, "ok": 0, "error": 0, "throttle": 0, "fault": 0, "time": 0.0})
    stats["total"] += 1
    if segment.get("fault"):
        stats["fault"] += 1
    elif segment.get("throttle"):
        stats["throttle"] += 1
    elif segment.get("error"):
        stats["error"] += 1
    else:
        stats["ok"] += 1
    start, end = segment.get("start_time"), segment.get("end_time")
    if isinstance(start, int | float) and isinstance(end, int | float):
        stats["time"] += max(0.0, float(end) - float(start))


def _statistics(stats: Mapping[str, float]) -> dict[str, Any]:
    errors = int(stats["error"] + stats["throttle"])
    return {
        "OkCount": int(stats["ok"]),
        "ErrorStatistics": {
            "ThrottleCount": int(stats["throttle"]),
            "OtherCount": int(stats["error"]),
            "TotalCount": errors,
        },
        "FaultStatistics": {"OtherCount": int(stats["fault"]), "TotalCount": int(stats["fault"])},
        "TotalCount": int(stats["total"]),
        "TotalResponseTime": round(stats["time"], 6),
    }
