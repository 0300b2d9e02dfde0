"""Lambda REPORT lines (text and JSON log formats) and exact cold-start statistics over them.

Used by the app's client-side fallback (FilterLogEvents + parsing) and to read the init and
restore durations of the cold rows Insights returns. The demo server's Insights emulation has
its own parser (lambdatop.demo.mends.report_fields), so a bug here cannot hide behind the same
bug in the server.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_TEXT_PREFIX = "REPORT "
# Keys that may appear in a text REPORT line. Used to split lines whose fields were joined by
# spaces instead of TABs (copied or re-shipped logs), longest first so that "Init Duration"
# is not taken for "Duration".
_KNOWN_KEYS = (
    "Billed Restore Duration",
    "Restore Duration",
    "Billed Duration",
    "Init Duration",
    "Duration",
    "Memory Size",
    "Max Memory Used",
    "Status",
    "Error Type",
    "XRAY TraceId",
    "SegmentId",
    "Sampled",
)
# A space starts a new field only if it does not sit inside a longer key ("Billed Duration").
_SPACE_SPLIT = re.compile(
    r"(?<!Billed)(?<!Init)(?<!Restore)\s+(?=(?:" + "|".join(re.escape(key) for key in _KNOWN_KEYS) + r"): )"
)


@dataclass(frozen=True, slots=True)
class Report:
    """One invocation's REPORT line. Durations in ms, memory in MB; None = not on the line."""

    request_id: str
    duration_ms: float | None = None
    billed_ms: float | None = None
    memory_mb: float | None = None
    max_memory_mb: float | None = None
    init_ms: float | None = None
    restore_ms: float | None = None
    status: str = "success"
    error_type: str | None = None
    xray_trace_id: str | None = None

    @property
    def is_cold_start(self) -> bool:
        """Init Duration appears only on the first invocation in a new environment."""
        return self.init_ms is not None


def parse_report_line(message: str) -> Report | None:
    """A Report from a text or JSON REPORT log event; None for any other line or junk."""
    if not isinstance(message, str):
        return None
    stripped = message.strip()
    if stripped.startswith(_TEXT_PREFIX):
        return _parse_text(stripped)
    if stripped.startswith("{") and "platform.report" in stripped:
        return _parse_json(stripped)
    return None


def _parse_text(line: str) -> Report | None:
    body = line[len(_TEXT_PREFIX) :].strip("\t\r\n ")
    parts = [part.strip() for part in body.split("\t")]
    if len(parts) == 1:
        parts = [part.strip() for part in _SPACE_SPLIT.split(body)]
    fields: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition(": ")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    request_id = fields.get("RequestId", "").split(" ")[0]
    if not request_id:
        return None
    return Report(
        request_id=request_id,
        duration_ms=_leading_number(fields.get("Duration")),
        billed_ms=_leading_number(fields.get("Billed Duration")),
        memory_mb=_leading_number(fields.get("Memory Size")),
        max_memory_mb=_leading_number(fields.get("Max Memory Used")),
        init_ms=_leading_number(fields.get("Init Duration")),
        restore_ms=_leading_number(fields.get("Restore Duration")),
        status=fields.get("Status") or "success",
        error_type=fields.get("Error Type") or None,
        xray_trace_id=fields.get("XRAY TraceId") or None,
    )


def _leading_number(text: str | None) -> float | None:
    """The number in "182.44 ms" / "512 MB"; None when absent or not a finite number."""
    if not text:
        return None
    try:
        value = float(text.split()[0])
    except (ValueError, IndexError):
        return None
    return value if math.isfinite(value) else None


def _parse_json(line: str) -> Report | None:
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, Mapping) or event.get("type") != "platform.report":
        return None
    record = event.get("record")
    if not isinstance(record, Mapping):
        return None
    request_id = record.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        return None
    metrics = record.get("metrics")
    if not isinstance(metrics, Mapping):
        metrics = {}
    status = record.get("status")
    error_type = record.get("errorType")
    tracing = record.get("tracing")
    return Report(
        request_id=request_id,
        duration_ms=_number(metrics.get("durationMs")),
        billed_ms=_number(metrics.get("billedDurationMs")),
        memory_mb=_number(metrics.get("memorySizeMB")),
        max_memory_mb=_number(metrics.get("maxMemoryUsedMB")),
        init_ms=_number(metrics.get("initDurationMs")),
        restore_ms=_number(metrics.get("restoreDurationMs")),
        status=status if isinstance(status, str) and status else "success",
        error_type=error_type if isinstance(error_type, str) and error_type else None,
        xray_trace_id=_trace_id(tracing),
    )


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _trace_id(tracing: object) -> str | None:
    """The Root=… part of an X-Amzn-Trace-Id tracing value, as the text format shows it."""
    if not isinstance(tracing, Mapping):
        return None
    value = tracing.get("value")
    if not isinstance(value, str):
        return None
    for part in value.split(";"):
        key, sep, trace = part.partition("=")
        if sep and key.strip() == "Root" and trace:
            return trace.strip()
    return None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the ceil(p/100·n)-th smallest value; None when empty.

    The same definition as CloudWatch's pNN over raw values and Logs Insights' pct().
    """
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    if not values:
        return None
    ordered = sorted(values)
    # Multiply before dividing, and forgive float noise, so p99 of 100 values is rank 99.
    rank = math.ceil(p * len(ordered) / 100 - 1e-9)
    return ordered[min(max(rank, 1), len(ordered)) - 1]


@dataclass(frozen=True, slots=True)
class ColdStartStats:
    """Cold starts over a set of REPORT lines. Init figures in ms; None when no cold start."""

    reports: int
    cold_starts: int
    init_avg_ms: float | None = None
    init_p50_ms: float | None = None
    init_p99_ms: float | None = None
    init_max_ms: float | None = None
    # SnapStart restores (REPORT lines with a Restore Duration): counted apart from cold starts.
    restores: int = 0

    @property
    def cold_start_ratio(self) -> float | None:
        """Share of invocations that were cold (0..1); None without any report."""
        return self.cold_starts / self.reports if self.reports else None


def cold_start_stats(reports: Iterable[Report]) -> ColdStartStats:
    """Exact statistics over every line given (no sampling)."""
    count = 0
    restores = 0
    inits: list[float] = []
    for report in reports:
        count += 1
        if report.init_ms is not None:
            inits.append(report.init_ms)
        if report.restore_ms is not None:
            restores += 1
    return stats_over(count, restores, inits)


def stats_over(reports: int, restores: int, inits: Sequence[float]) -> ColdStartStats:
    """Exact statistics from a count of REPORT lines, of restores, and every init duration."""
    if not inits:
        return ColdStartStats(reports=reports, cold_starts=0, restores=restores)
    return ColdStartStats(
        reports=reports,
        restores=restores,
        cold_starts=len(inits),
        init_avg_ms=sum(inits) / len(inits),
        init_p50_ms=percentile(inits, 50),
        init_p99_ms=percentile(inits, 99),
        init_max_ms=max(inits),
    )
