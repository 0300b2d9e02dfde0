"""X-Ray segment documents of a sampled invocation, as Lambda and the X-Ray SDK record them.

Each sampled invocation of a function with Active tracing gives two segments, both named after
the function: the service side (`origin` `AWS::Lambda`) and the function (`AWS::Lambda::Function`,
whose `parent_id` is the service segment). The function segment has the old-style subsegments:
`Initialization` on a cold start (exactly the REPORT line's Init Duration), `Invocation` (exactly
its Duration) holding the downstream calls of `FunctionSpec.downstream`, and `Overhead`.

Flags follow the traffic model: a failed invocation is a `fault` of the function segment, with
its message as the cause; a failure the function spec attributes to a downstream call also
flags that call's subsegment (`error`, `throttle` + `error`, or `fault`). A flag is written only
when set: readers (moto among them) may take a flag's presence for its value.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lambdatop.demo.fleet import DownstreamSpec, FunctionSpec
from lambdatop.demo.logformat import error_message, error_type, trace_ids
from lambdatop.demo.traffic import Invocation

# The handler's own work before its first call, as a share of its duration.
_LEAD_SHARE = 0.03
TIMEOUT_ERROR_TYPE = "Sandbox.Timedout"


def trace_segments(
    spec: FunctionSpec, inv: Invocation, minute_start_ms: int, function_arn: str, region: str
) -> list[dict[str, Any]]:
    """The two segment documents of one sampled invocation: service first, then function."""
    arrival_ms, _, _ = inv.stamps_ms(minute_start_ms)
    trace_id, function_id = trace_ids(inv, arrival_ms)
    arrival = arrival_ms / 1000
    handler_start = arrival + (inv.init_ms or 0.0) / 1000
    handler_end = handler_start + inv.duration_ms / 1000
    overhead_ms = 0.2 + (inv.trace_bits >> 40) % 800 / 1000  # runtime work after the response
    done = handler_end + overhead_ms / 1000
    service_id = _id(trace_id, "AWS::Lambda")

    service: dict[str, Any] = {
        "name": spec.name,
        "id": service_id,
        "trace_id": trace_id,
        "start_time": _s(arrival),
        "end_time": _s(done),
        "origin": "AWS::Lambda",
        "resource_arn": function_arn,
        "aws": {"request_id": inv.request_id},
        "http": {"response": {"status": 200}},
    }
    subsegments: list[dict[str, Any]] = []
    if inv.init_ms is not None:
        subsegments.append(_span(trace_id, "Initialization", arrival, handler_start))
    invocation = _span(trace_id, "Invocation", handler_start, handler_end)
    calls = _downstream(spec, inv, trace_id, handler_start, handler_end, region)
    if calls:
        invocation["subsegments"] = calls
    subsegments.append(invocation)
    subsegments.append(_span(trace_id, "Overhead", handler_end, done))
    function: dict[str, Any] = {
        "name": spec.name,
        "id": function_id,
        "trace_id": trace_id,
        "parent_id": service_id,
        "start_time": _s(arrival),
        "end_time": _s(done),
        "origin": "AWS::Lambda::Function",
        "resource_arn": function_arn,
        "aws": {"function_arn": f"{function_arn}:{inv.version}"},
        "subsegments": subsegments,
    }
    if inv.error:
        message, kind = _failure(spec, inv)
        cause = {"exceptions": [{"id": _id(trace_id, "exception"), "message": message, "type": kind}]}
        function.update(fault=True, cause=cause)
        invocation["fault"] = True
    return [service, function]


def _failure(spec: FunctionSpec, inv: Invocation) -> tuple[str, str]:
    if inv.timed_out:
        return f"Task timed out after {spec.timeout_s:.2f} seconds", TIMEOUT_ERROR_TYPE
    message = error_message(spec, inv)
    return message, error_type(message)


def failing_call(spec: FunctionSpec, inv: Invocation) -> DownstreamSpec | None:
    """The downstream call that made this invocation fail, if the spec names one."""
    if not inv.error:
        return None
    if inv.timed_out:
        return next((d for d in spec.downstream if d.hangs_on_timeout), None)
    if inv.hostile:
        return None
    message = error_message(spec, inv)
    return next((d for d in spec.downstream if any(message.startswith(p) for p in d.fails_on)), None)


def _downstream(
    spec: FunctionSpec, inv: Invocation, trace_id: str, start: float, end: float, region: str
) -> list[dict[str, Any]]:
    """The calls, one after another; none after the one that failed."""
    culprit = failing_call(spec, inv)
    span = end - start
    at = start + span * _LEAD_SHARE
    calls: list[dict[str, Any]] = []
    for index, call in enumerate(spec.downstream):
        failed = call is culprit
        # A timed-out invocation was still waiting on its call when Lambda stopped it.
        call_end = end if failed and inv.timed_out else min(end, at + span * call.share)
        sub = _span(trace_id, f"{call.name}#{index}", at, call_end, name=call.name)
        if call.kind == "aws":
            sub["namespace"] = "aws"
            sub["aws"] = {"operation": call.operation, "region": region, "retries": 0}
            if call.resource:
                sub["aws"]["table_name"] = call.resource
        else:
            method, _, url = call.operation.partition(" ")
            sub["namespace"] = "remote"
            sub["http"] = {"request": {"method": method, "url": url}}
        status = call.failure_status if failed else 200
        if status is not None:
            sub.setdefault("http", {})["response"] = {"status": status}
        if failed:
            message, kind = _failure(spec, inv)
            sub["cause"] = {"exceptions": [{"id": _id(trace_id, f"cause#{index}"), "message": message, "type": kind}]}
            if call.failure == "fault":
                sub["fault"] = True
            else:
                sub["error"] = True
                if call.failure == "throttle":
                    sub["throttle"] = True
        calls.append(sub)
        at = call_end
        if failed:
            break
    return calls


def _span(trace_id: str, key: str, start: float, end: float, *, name: str | None = None) -> dict[str, Any]:
    return {"id": _id(trace_id, key), "name": name or key, "start_time": _s(start), "end_time": _s(end)}


def _id(trace_id: str, key: str) -> str:
    """A 16-hex segment id, the same for the same trace and key (deterministic by seed)."""
    return hashlib.blake2b(f"{trace_id}:{key}".encode(), digest_size=8).hexdigest()


def _s(seconds: float) -> float:
    """Epoch seconds to the microsecond, as the X-Ray SDKs write them."""
    return round(seconds, 6)
