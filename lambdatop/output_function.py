"""`lambdatop --once --function NAME`: the detail screen's content as JSON or a text table.

JSON schema `lambdatop.function/1` (documented in the README). Every string from AWS is
sanitised; unknown values are null, never 0. Exit codes as for the fleet: 0 when every
panel's source answered, 3 when one was stale or failed.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.text import Text

from lambdatop.model.function_snapshot import SCHEMA, FunctionSnapshot, PanelState
from lambdatop.model.sanitize import clean_text

EXIT_OK = 0
EXIT_STALE = 3


def exit_code(snapshot: FunctionSnapshot) -> int:
    return EXIT_OK if snapshot.all_panels_ok else EXIT_STALE


def _t(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _c(value: object, max_len: int = 500) -> str | None:
    return clean_text(str(value), max_len=max_len) if value is not None else None


def _r(value: float | None, digits: int = 2) -> float | None:
    return round(value, digits) if value is not None else None


def _panel(state: PanelState) -> dict[str, Any]:
    return {"ok": state.ok, "updated_at": _t(state.updated_at), "error": _c(state.error), "note": _c(state.note)}


def to_document(snap: FunctionSnapshot) -> dict[str, Any]:
    c = snap.config
    cold = snap.cold_starts
    return {
        "schema": SCHEMA,
        "generated_at": _t(snap.generated_at),
        "window_minutes": snap.window_minutes,
        "function": {
            "name": _c(c.name),
            "arn": _c(c.arn),
            "region": c.region,
            "state": _c(c.state),
            "state_reason": _c(c.state_reason),
            "last_update_status": _c(c.last_update_status),
            "runtime": _c(c.runtime),
            "architecture": _c(c.architecture),
            "memory_mb": c.memory_mb,
            "timeout_s": c.timeout_s,
            "reserved_concurrency": c.reserved_concurrency,
            "provisioned_concurrency": c.provisioned_concurrency,
            "aliases": [
                {
                    "name": _c(a.name),
                    "version": _c(a.version),
                    "weights": {_c(v): w for v, w in sorted(a.weights.items())},
                    "provisioned": a.provisioned,
                }
                for a in c.aliases
            ],
            "dead_letter_arn": _c(c.dead_letter_arn),
            "on_failure_arn": _c(c.on_failure_arn),
            "on_success_arn": _c(c.on_success_arn),
            "event_sources": [
                {
                    "uuid": _c(e.uuid),
                    "source_arn": _c(e.source_arn),
                    "kind": e.kind,
                    "state": _c(e.state),
                    "batch_size": e.batch_size,
                    "max_concurrency": e.max_concurrency,
                    "parallelization": e.parallelization,
                    "iterator_age_ms": _r(e.iterator_age_ms),
                    "queue_age_s": _r(e.queue_age_s),
                    "queue_depth": e.queue_depth,
                }
                for e in c.event_sources
            ],
            "tracing_mode": _c(c.tracing_mode),
            "log_group": _c(c.log_group),
            "log_format": _c(c.log_format),
            "snap_start": _c(c.snap_start),
            "last_modified": _t(c.last_modified),
            "version": _c(c.version),
        },
        "account": {"concurrency_limit": snap.account_limit, "unreserved_concurrency_limit": snap.unreserved_limit},
        "versions": [
            {
                "version": _c(v.version),
                "weight": v.weight,
                "invocations": v.invocations,
                "errors": v.errors,
                "error_rate": _r(v.error_rate, 4),
                "duration_p99_ms": _r(v.duration_p99_ms),
                "throttles": v.throttles,
                "cold_starts": v.cold_starts,
            }
            for v in snap.versions
        ],
        "verdict": None
        if snap.verdict is None
        else {
            "alias": _c(snap.verdict.alias),
            "stable": _c(snap.verdict.stable),
            "canary": _c(snap.verdict.canary),
            "outcome": snap.verdict.outcome,
            "p_value": snap.verdict.p_value,
            "text": snap.verdict.text,
        },
        "throttle_diagnosis": [
            {
                "minute": _t(m.minute),
                "throttles": m.throttles,
                "cause": m.cause,
                "evidence": m.evidence,
                "action": m.action,
            }
            for m in snap.throttled
        ],
        "top_consumers": [
            {"name": _c(t.name), "concurrency_max": t.concurrency_max, "reserved": t.reserved}
            for t in snap.top_consumers
        ],
        "cold_starts": {
            "reports": cold.reports,
            "cold_starts": cold.cold_starts,
            "ratio": _r(cold.ratio, 4),
            "restores": cold.restores,
            "init_p50_ms": _r(cold.init_p50_ms),
            "init_p99_ms": _r(cold.init_p99_ms),
            "init_max_ms": _r(cold.init_max_ms),
            "by_version": [
                {"version": g.key, "reports": g.reports, "cold_starts": g.cold_starts, "init_p99_ms": _r(g.init_p99_ms)}
                for g in cold.by_version
            ],
            "by_memory": [
                {"memory": g.key, "reports": g.reports, "cold_starts": g.cold_starts, "init_p99_ms": _r(g.init_p99_ms)}
                for g in cold.by_memory
            ],
            "attribution": {cause: n for cause, n in cold.attribution},
            "spikes": [
                {"minute": _t(s.minute), "cold_starts": s.cold_starts, "cause": s.cause, "evidence": s.evidence}
                for s in cold.spikes
            ],
        },
        "error_signatures": [
            {
                "signature": s.text,
                "count": s.count,
                "first_seen": _t(s.first_seen),
                "last_seen": _t(s.last_seen),
                "versions": list(s.versions),
                "new_since_version": s.new_since_version,
                "latest_request_id": _c(s.latest_request_id, 80),
                "latest_lines": [_c(line.message) for line in s.latest],
            }
            for s in snap.signatures
        ],
        "traces": None
        if snap.traces is None
        else {
            "scanned": snap.traces.scanned,
            "retrieved": snap.traces.retrieved,
            "count": len(snap.traces.traces),
            "faults": sum(1 for t in snap.traces.traces if t.fault),
            "errors": sum(1 for t in snap.traces.traces if t.error),
            "throttles": sum(1 for t in snap.traces.traces if t.throttle),
            "cold": sum(1 for t in snap.traces.traces if t.init_ms is not None),
            "recent": [
                {
                    "id": t.trace_id,
                    "started": _t(t.started),
                    "duration_ms": _r(t.duration_ms),
                    "init_ms": _r(t.init_ms),
                    "fault": t.fault,
                    "error": t.error,
                    "throttle": t.throttle,
                    "slowest_calls": [
                        {"name": k.name, "duration_ms": _r(k.duration_ms), "status": k.status} for k in t.calls
                    ],
                }
                for t in snap.traces.traces
            ],
            "downstream": [
                {
                    "target": e.target,
                    "type": e.target_type,
                    "requests": e.requests,
                    "errors": e.errors,
                    "faults": e.faults,
                    "throttles": e.throttles,
                    "avg_latency_ms": _r(e.avg_latency_ms),
                }
                for e in snap.traces.edges
            ],
        },
        "queues": [
            {
                "arn": _c(q.arn),
                "kind": q.kind,
                "depth": q.depth,
                "oldest_age_s": _r(q.oldest_age_s),
                "growth_per_min": _r(q.growth_per_min, 3),
            }
            for q in snap.queues
        ],
        "markers": [{"at": _t(m.at), "label": m.label} for m in snap.markers],
        "panels": {name: _panel(state) for name, state in sorted(snap.panels.items())},
        "api_calls": dict(sorted(snap.api_calls.items())),
        "estimated_cost_usd": round(snap.estimated_cost_usd, 6),
    }


def render_json(snap: FunctionSnapshot) -> str:
    return json.dumps(to_document(snap), indent=2, ensure_ascii=False)


def render_table(snap: FunctionSnapshot, width: int = 120) -> str:
    """The screen's panels one after another, as plain text (no colour)."""
    from lambdatop.ui import detail_render as render

    # (title, body, the panel state that says why it is empty or stale)
    sections = [
        ("Configuration", render.configuration(snap, {}), "config"),
        ("Canary", render.versions(snap, {}), "versions"),
        ("Throttles", render.throttles(snap, {}), "metrics"),
        ("Cold starts", render.cold_starts(snap, {}), "logs"),
        ("Per minute", render.graphs(snap, {}, min(width, 120)), "metrics"),
        ("Queues and streams", render.queues(snap, {}), "queues"),
        ("Errors", _signatures(snap), "logs"),
        ("Traces", render.traces(snap.traces, snap, {}), "traces"),
    ]
    console = Console(
        width=width, no_color=True, color_system=None, force_terminal=False, record=True, file=io.StringIO()
    )
    console.print(render.header(snap, {}))
    for title, body, state_name in sections:
        console.print(Text(f"\n{title}", style="bold"))
        state = snap.panels.get(state_name)
        status = render.status_line(state, snap.generated_at, {}) if state is not None else None
        if body.plain:
            console.print(body, soft_wrap=False, overflow="fold")
        if status is not None:
            console.print(status, soft_wrap=False, overflow="fold")
        elif not body.plain:
            console.print(Text("no data"))
    return console.export_text()


def _signatures(snap: FunctionSnapshot) -> Text:
    text = Text()
    if not snap.signatures and snap.panels.get("logs") and snap.panels["logs"].ok and not snap.panels["logs"].note:
        return Text("no error, timeout or crash lines in the window")
    for s in snap.signatures:
        new = f" (new since v{s.new_since_version})" if s.new_since_version else ""
        text.append(f"{s.count:>5}  {s.first_seen:%H:%M}–{s.last_seen:%H:%M}  {s.text}{new}\n")
    return text


def render(snap: FunctionSnapshot, output_format: str, width: int = 120) -> str:
    if output_format == "json":
        return render_json(snap)
    if output_format == "table":
        return render_table(snap, width)
    raise ValueError(f"--function output supports json and table, not {output_format}")
