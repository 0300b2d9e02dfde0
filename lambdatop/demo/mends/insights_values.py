"""Values in the Logs Insights query language subset: numbers, text, and the functions.

Functions: coalesce(…), strcontains(field, "text") (1 or 0, as Insights answers),
ispresent(field), and bin(N[smhd]) for `stats … by`, whose value is the start of the event's
period (`2026-11-29 13:04:00.000`, UTC), as Insights shows it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

Value = str | float | int | bool | None


class Unsupported(Exception):
    """The query uses something outside the emulated subset."""


class FieldSource(Protocol):
    """A log event as filters see it: a field's value, or None when absent."""

    def get(self, name: str) -> Value: ...


Expression = Callable[[FieldSource], Value]


def as_number(value: Value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(value)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def as_text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


_BIN_UNITS_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def function(name: str, arguments: list[tuple[str, Expression]], raw_text: str) -> Expression:
    if name == "coalesce":
        if not arguments:
            raise Unsupported("coalesce() needs arguments")
        expressions = [e for _, e in arguments]

        def coalesce(record: FieldSource) -> Value:
            for expression in expressions:
                value = expression(record)
                if value is not None:
                    return value
            return None

        return coalesce
    if name == "strcontains":
        if len(arguments) != 2:
            raise Unsupported("strcontains(field, text) takes two arguments")
        (_, haystack), (_, needle) = arguments

        def strcontains(record: FieldSource) -> Value:
            value, wanted = haystack(record), needle(record)
            if value is None or wanted is None:
                return None
            return 1 if as_text(wanted) in as_text(value) else 0

        return strcontains
    if name == "ispresent":
        if len(arguments) != 1:
            raise Unsupported("ispresent(field) takes one argument")
        inner = arguments[0][1]
        return lambda r: 1 if inner(r) is not None else 0
    if name == "bin":
        text = raw_text
        match = re.fullmatch(r"(\d+)\s*([smhd])", text)
        if not match:
            raise Unsupported(f"bin({text})")
        period_ms = int(match.group(1)) * _BIN_UNITS_MS[match.group(2)]

        def bin_start(record: FieldSource) -> Value:
            stamp = record.get("@timestamp")
            if not isinstance(stamp, int):
                return None
            return _bin_text(stamp - stamp % period_ms)

        return bin_start
    raise Unsupported(f"function {name}()")


def _bin_text(timestamp_ms: int) -> str:
    at = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    return at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def format_number(value: float) -> str:
    """A double as Logs Insights prints it (Java's Double.toString: 188.21, 100.0, 6.7108864E7)."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value == 0:
        return "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    figures = "".join(map(str, digits)).rstrip("0") or "0"
    scale = len(digits) + int(exponent) - 1
    mantissa = figures[0] + "." + (figures[1:] or "0")
    return ("-" if sign else "") + f"{mantissa}E{scale}"
