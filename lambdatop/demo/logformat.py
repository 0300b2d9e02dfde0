"""Log events as Lambda writes them: START/END/REPORT lines (text) or platform events (JSON).

`invocation_log_events` renders one invocation of the traffic model in the function's log
format, with the stream name of its execution environment (`YYYY/MM/DD/[version]<env>`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from lambdatop.demo.fleet import FunctionSpec
from lambdatop.demo.traffic import MINUTE_MS, Invocation

HOSTILE_MESSAGE = (
    "upstream returned garbage: \x1b[2J\x1b[31m[bold red]ALL SYSTEMS NOMINAL[/]\x1b[0m "
    "\x1b]52;c;cm0gLXJmIH4=\x07[link=https://evil.example]details[/link]\x1b]0;pwned\x07"
)

_RUNTIME_VERSIONS = {
    "python3.12": "python:3.12.v38",
    "python3.13": "python:3.13.v21",
    "nodejs22.x": "nodejs:22.v41",
    "java21": "java:21.v29",
    "provided.al2023": "provided:al2023.v77",
    "ruby3.3": "ruby:3.3.v25",
    "dotnet8": "dotnet:8.v47",
}


@dataclass(frozen=True, slots=True)
class LogEvent:
    stream: str
    timestamp_ms: int
    message: str


def iso_ms(timestamp_ms: int) -> str:
    return f"{_second(timestamp_ms // 1000)}.{timestamp_ms % 1000:03d}Z"


@functools.lru_cache(maxsize=8192)
def _second(timestamp_s: int) -> str:
    return f"{datetime.fromtimestamp(timestamp_s, UTC):%Y-%m-%dT%H:%M:%S}"


def stream_name(inv: Invocation, zero_ms: int) -> str:
    """`YYYY/MM/DD/[version]<env>`: the day the execution environment started."""
    return f"{_day(zero_ms + inv.env_born_minute * MINUTE_MS)}/[{inv.version}]{inv.env_id}"


@functools.lru_cache(maxsize=4096)
def _day(timestamp_ms: int) -> str:
    return f"{datetime.fromtimestamp(timestamp_ms // 1000, UTC):%Y/%m/%d}"


def _runtime_version(runtime: str) -> str:
    return _RUNTIME_VERSIONS.get(runtime, runtime.replace(".", ":", 1) + ".v1")


def _runtime_arn(runtime: str, region: str) -> str:
    digest = hashlib.sha256(runtime.encode()).hexdigest()
    return f"arn:aws:lambda:{region}::runtime:{digest}"


def trace_ids(inv: Invocation, arrival_ms: int) -> tuple[str, str]:
    """(trace id, function segment id): `1-<arrival epoch s, 8 hex>-<24 hex>` and 16 hex."""
    bits = f"{inv.trace_bits:024x}"
    return f"1-{arrival_ms // 1000:08x}-{bits}", bits[:16]


def error_message(spec: FunctionSpec, inv: Invocation) -> str:
    """The message an invocation that failed (and did not time out) logs."""
    if inv.hostile:
        return HOSTILE_MESSAGE
    messages = spec.traffic.version_error_messages.get(inv.version) or spec.traffic.error_messages
    return messages[inv.message_index % len(messages)]


def error_type(message: str) -> str:
    """`errorType` as the runtimes derive it from an exception message (`Error` otherwise)."""
    head = message.split(":", 1)[0].strip()
    return head.rsplit(".", 1)[-1] if head.replace(".", "").isidentifier() else "Error"


def invocation_log_events(
    spec: FunctionSpec, inv: Invocation, minute_start_ms: int, zero_ms: int, region: str
) -> list[LogEvent]:
    """The log events of one invocation, in time order, in the function's log format."""
    stream = stream_name(inv, zero_ms)
    arrival_ms, start_ms, end_ms = inv.stamps_ms(minute_start_ms)
    info_ms = start_ms + (end_ms - start_ms) // 3
    error_ms = start_ms + (end_ms - start_ms) * 9 // 10
    render = _json_lines if spec.log_format == "JSON" else _text_lines
    lines = render(spec, inv, region, arrival_ms, (info_ms, error_ms, end_ms))
    return [LogEvent(stream, ts, message) for ts, message in lines]


def _text_lines(
    spec: FunctionSpec, inv: Invocation, region: str, arrival_ms: int, marks: tuple[int, int, int]
) -> list[tuple[int, str]]:
    info_ms, error_ms, end_ms = marks
    rid = inv.request_id
    lines: list[tuple[int, str]] = []
    if inv.cold:
        lines.append(
            (
                arrival_ms,
                f"INIT_START Runtime Version: {_runtime_version(spec.runtime)}\t"
                f"Runtime Version ARN: {_runtime_arn(spec.runtime, region)}",
            )
        )
    lines.append((arrival_ms + round(inv.init_ms or 0.0), f"START RequestId: {rid} Version: {inv.version}"))
    if inv.info_line:
        info = spec.traffic.info_messages[inv.message_index % len(spec.traffic.info_messages)]
        lines.append((info_ms, f"{iso_ms(info_ms)}\t{rid}\tINFO\t{info}"))
    if inv.error and not inv.timed_out:
        lines.append((error_ms, f"{iso_ms(error_ms)}\t{rid}\tERROR\t{error_message(spec, inv)}"))
    lines.append((end_ms, f"END RequestId: {rid}"))
    report = (
        f"REPORT RequestId: {rid}\tDuration: {inv.duration_ms:.2f} ms\t"
        f"Billed Duration: {inv.billed_ms} ms\tMemory Size: {spec.memory_mb} MB\t"
        f"Max Memory Used: {inv.max_memory_mb} MB\t"
    )
    if inv.init_ms is not None:
        report += f"Init Duration: {inv.init_ms:.2f} ms\t"
    if inv.timed_out:
        report += "Status: timeout\t"
    if spec.tracing_active and inv.sampled:  # only sampled requests name their trace
        trace_id, segment = trace_ids(inv, arrival_ms)
        report += f"\nXRAY TraceId: {trace_id}\tSegmentId: {segment}\tSampled: true\t"
    lines.append((end_ms, report))
    return lines


def _json_lines(
    spec: FunctionSpec, inv: Invocation, region: str, arrival_ms: int, marks: tuple[int, int, int]
) -> list[tuple[int, str]]:
    info_ms, error_ms, end_ms = marks
    rid = inv.request_id
    lines: list[tuple[int, dict[str, object]]] = []
    if inv.cold:
        init_record = {
            "initializationType": "on-demand",
            "phase": "init",
            "runtimeVersion": _runtime_version(spec.runtime),
            "runtimeVersionArn": _runtime_arn(spec.runtime, region),
            "functionName": spec.name,
            "functionVersion": inv.version,
        }
        lines.append((arrival_ms, _platform(arrival_ms, "platform.initStart", init_record)))
    start_ms = arrival_ms + round(inv.init_ms or 0.0)
    start_record: dict[str, object] = {"requestId": rid, "version": inv.version}
    tracing: dict[str, str] | None = None
    if spec.tracing_active:  # the header travels with every request; Sampled says if traced
        trace_id, segment = trace_ids(inv, arrival_ms)
        header = f"Root={trace_id};Parent={segment};Sampled={int(inv.sampled)}"
        tracing = {"type": "X-Amzn-Trace-Id", "value": header}
        start_record["tracing"] = tracing
    lines.append((start_ms, _platform(start_ms, "platform.start", start_record)))
    if inv.info_line:
        info = spec.traffic.info_messages[inv.message_index % len(spec.traffic.info_messages)]
        lines.append((info_ms, _app_line(info_ms, "INFO", rid, info)))
    if inv.error and not inv.timed_out:
        lines.append((error_ms, _app_line(error_ms, "ERROR", rid, error_message(spec, inv))))
    metrics: dict[str, object] = {
        "durationMs": inv.duration_ms,
        "billedDurationMs": inv.billed_ms,
        "memorySizeMB": spec.memory_mb,
        "maxMemoryUsedMB": inv.max_memory_mb,
    }
    if inv.init_ms is not None:
        metrics["initDurationMs"] = inv.init_ms
    report: dict[str, object] = {"requestId": rid, "metrics": metrics, "status": "success"}
    if inv.timed_out:
        report["status"] = "timeout"
    elif inv.error:
        report.update(status="error", errorType=error_type(error_message(spec, inv)))
    if tracing is not None and inv.sampled:
        report["tracing"] = tracing
    lines.append((end_ms, _platform(end_ms, "platform.report", report)))
    return [(ts, json.dumps(body, separators=(",", ":"))) for ts, body in lines]


def _platform(ts: int, kind: str, record: Mapping[str, object]) -> dict[str, object]:
    return {"time": iso_ms(ts), "type": kind, "record": record}


def _app_line(ts: int, level: str, rid: str, message: str) -> dict[str, object]:
    return {"timestamp": iso_ms(ts), "level": level, "requestId": rid, "message": message}
