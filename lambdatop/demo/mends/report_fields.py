"""The fields Logs Insights discovers in a text REPORT line, found the server's own way.

Deliberately independent of lambdatop.model.reports (the app's parser): the app reads what
this server answers, so a bug shared by both would pass every test. The app splits on TABs
and knows every key; this scans for `Label: number` pairs with one regular expression.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

_MB = 1024 * 1024
# Longest labels first, so "Init Duration" is never read as "Duration".
_NUMBERS = re.compile(
    r"(?<![A-Za-z])(Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|"
    r"Max Memory Used|Memory Size|Duration): (-?[0-9]+(?:\.[0-9]+)?)"
)
_FIELD_NAMES = {
    "Duration": "@duration",
    "Billed Duration": "@billedDuration",
    "Init Duration": "@initDuration",
    "Memory Size": "@memorySize",
    "Max Memory Used": "@maxMemoryUsed",
}
_REQUEST = re.compile(r"^\s*REPORT RequestId: (\S+)")
_TRACE = re.compile(r"XRAY TraceId: (\S+)")
_SEGMENT = re.compile(r"SegmentId: ([0-9a-fA-F]+)")


def report_fields(message: str) -> dict[str, str | float]:
    """@requestId, @duration, @billedDuration, @initDuration (cold starts only), @memorySize and
    @maxMemoryUsed (in bytes, as Insights reports them), @xrayTraceId, @xraySegmentId."""
    request = _REQUEST.match(message)
    if request is None:
        return {}
    fields: dict[str, str | float] = {"@requestId": request.group(1)}
    for label, number in _NUMBERS.findall(message):
        name = _FIELD_NAMES.get(label)
        if name is None or name in fields:
            continue  # restore durations are not discovered fields
        value = float(number)
        fields[name] = value * _MB if name in ("@memorySize", "@maxMemoryUsed") else value
    if trace := _TRACE.search(message):
        fields["@xrayTraceId"] = trace.group(1)
        if segment := _SEGMENT.search(message):
            fields["@xraySegmentId"] = segment.group(1)
    return fields


def nearest_rank(values: Sequence[float], p: float) -> float | None:
    """Insights' pct(): the value at rank ceil(p/100 · n) of the sorted values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(round(p * len(ordered) / 100, 9)))
    return ordered[min(rank, len(ordered)) - 1]
