"""Logs Insights queries evaluated exactly over stored events (see insights_query for the
language subset).

Fields are discovered as Logs Insights does for Lambda: @timestamp, @message, @log
(`<account>:<group>`), @logStream, and from text-format platform lines @type, @requestId,
@duration, @billedDuration, @initDuration, @maxMemoryUsed and @memorySize (bytes),
@xrayTraceId, @xraySegmentId; JSON events are flattened into dot notation
(`record.metrics.initDurationMs`). Percentiles are nearest rank. REPORT lines are read by
this server's own parser (report_fields), never the app's.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from lambdatop.demo.mends.insights_query import Aggregate, Query
from lambdatop.demo.mends.insights_values import Value, as_number, as_text, format_number
from lambdatop.demo.mends.report_fields import nearest_rank, report_fields


class LogEvent(NamedTuple):
    """One stored event (a tuple: tens of thousands are built per query)."""

    group: str
    stream: str
    timestamp_ms: int
    message: str


# -- records -----------------------------------------------------------------------------

_PLATFORM_TYPES = frozenset(
    {
        "START",
        "END",
        "REPORT",
        "INIT_START",
        "INIT_REPORT",
        "INIT_RUNTIME_DONE",
        "RESTORE_START",
        "RESTORE_REPORT",
        "RESTORE_RUNTIME_DONE",
        "EXTENSION",
        "TELEMETRY",
    }
)
_REQUEST_ID = re.compile(r"RequestId: ([0-9A-Za-z-]+)")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class _Record:
    """One event with its fields discovered lazily (most queries read only a few)."""

    __slots__ = ("_fields", "_type", "account", "computed", "event")

    def __init__(self, event: LogEvent, account: str) -> None:
        self.event = event
        self.account = account
        self._type: str | bool | None = False  # False = not computed yet
        self._fields: dict[str, Value] | None = None
        self.computed: dict[str, Value] | None = None  # `fields f(…) as name`

    def get(self, name: str) -> Value:
        if self.computed is not None and name in self.computed:
            return self.computed[name]
        event = self.event
        if name == "@message":
            return event.message
        if name == "@timestamp":
            return event.timestamp_ms
        if name == "@log":
            return f"{self.account}:{event.group}"
        if name == "@logStream":
            return event.stream
        if name == "@type":
            return self._platform_type()
        if self._fields is None:
            self._fields = self._discover()
        return self._fields.get(name)

    def _platform_type(self) -> str | None:
        if self._type is False:
            first = self.event.message.lstrip().split(" ", 1)[0].split("\t", 1)[0]
            self._type = first if first in _PLATFORM_TYPES else None
        return self._type if isinstance(self._type, str) else None

    def _discover(self) -> dict[str, Value]:
        message = self.event.message
        brace = message.find("{")
        if brace >= 0:
            try:
                document, _ = json.JSONDecoder().raw_decode(message, brace)
            except ValueError:
                document = None
            if isinstance(document, dict):
                flat: dict[str, Value] = {}
                _flatten(document, "", flat)
                return flat
        return self._text_fields()

    def _text_fields(self) -> dict[str, Value]:
        message = self.event.message
        kind = self._platform_type()
        fields: dict[str, Value] = {}
        if kind == "REPORT":
            fields.update(report_fields(message))
        elif kind is not None:
            if found := _REQUEST_ID.search(message):
                fields["@requestId"] = found.group(1)
        else:
            columns = message.split("\t", 3)
            if len(columns) >= 3 and _UUID.match(columns[1]):
                fields["@requestId"] = columns[1]
        return fields


def _flatten(node: dict[str, Any] | list[Any], prefix: str, out: dict[str, Value]) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in items:
        path = f"{prefix}{key}"
        if isinstance(value, dict | list):
            _flatten(value, path + ".", out)
        else:
            out[path] = value


# -- evaluation --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    rows: list[list[dict[str, str]]]
    records_matched: int
    records_scanned: int
    bytes_scanned: int


def run_query(query: Query, events: Iterable[LogEvent], account: str, default_limit: int = 1000) -> Outcome:
    scanned = 0
    scanned_bytes = 0
    matched: list[_Record] = []
    filters = query.filters
    for event in events:
        scanned += 1
        scanned_bytes += len(event.message.encode("utf-8"))
        record = _Record(event, account)
        if all(predicate(record) for predicate in filters):
            if query.computed:
                record.computed = {}
                for name, expression in query.computed:
                    record.computed[name] = expression(record)
            matched.append(record)
    if query.is_stats:
        table = _aggregate(query, matched)
    else:
        names = query.fields or ["@timestamp", "@message"]
        table = [{name: record.get(name) for name in names} | {"@ptr": _pointer(record)} for record in matched]
    if query.sort is not None:
        name, descending = query.sort
        present = [row for row in table if row.get(name) is not None]
        absent = [row for row in table if row.get(name) is None]
        present.sort(key=lambda row: _natural_key(row[name]), reverse=descending)
        table = present + absent
    limit = query.limit if query.limit is not None else default_limit
    rows = [
        [{"field": name, "value": _render(name, value)} for name, value in row.items() if value is not None]
        for row in table[:limit]
    ]
    return Outcome(rows, len(matched), scanned, scanned_bytes)


def _aggregate(query: Query, records: list[_Record]) -> list[dict[str, Value]]:
    groups: dict[tuple[str | None, ...], list[_Record]] = {}
    for record in records:
        key = tuple(None if (v := expr(record)) is None else as_text(v) for expr in query.group_expressions)
        groups.setdefault(key, []).append(record)
    wanted = {a.field: a.expression for a in query.aggregates if a.field is not None}
    table: list[dict[str, Value]] = []
    for key, members in groups.items():
        row: dict[str, Value] = dict(zip(query.group_by, key, strict=True))
        # Read each field once per group, however many aggregates use it.
        columns = {
            name: [expression(record) if expression else record.get(name) for record in members]
            for name, expression in wanted.items()
        }
        numbers: dict[str, list[float]] = {}
        for aggregate in query.aggregates:
            row[aggregate.name] = _compute(aggregate, len(members), columns, numbers)
        table.append(row)
    return table


def _compute(
    aggregate: Aggregate,
    size: int,
    columns: dict[str, list[Value]],
    numbers: dict[str, list[float]],
) -> Value:
    if aggregate.field is None:
        return size
    name = aggregate.field
    if aggregate.function == "count":
        return sum(1 for value in columns[name] if value is not None)
    if name not in numbers:
        numbers[name] = [n for v in columns[name] if (n := as_number(v)) is not None]
    found = numbers[name]
    if not found:
        return None
    if aggregate.function == "sum":
        return math.fsum(found)
    if aggregate.function == "avg":
        return math.fsum(found) / len(found)
    if aggregate.function == "min":
        return min(found)
    if aggregate.function == "max":
        return max(found)
    assert aggregate.p is not None
    return nearest_rank(found, aggregate.p)


def _pointer(record: _Record) -> str:
    event = record.event
    return f"{event.group}|{event.stream}|{event.timestamp_ms}"


def _render(name: str, value: Value) -> str:
    if name == "@timestamp" and isinstance(value, int):
        at = datetime.fromtimestamp(value / 1000, tz=UTC)
        return at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value)
    return str(value)


_CHUNKS = re.compile(r"\d+|\D+")


def _natural_key(value: Value) -> tuple[int, Any]:
    """Logs Insights' natural order: non-numbers first (chunked), then numbers by value."""
    number = as_number(value)
    if number is not None:
        return (1, number)
    chunks = []
    for chunk in _CHUNKS.findall(as_text(value)):
        if chunk.isdigit():
            chunks.append((1, len(chunk), int(chunk), ""))
        else:
            chunks.append((0, 0, 0, chunk))
    return (0, chunks)
