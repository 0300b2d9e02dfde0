"""The flat per-function table: the basis of the CSV export and of every worst-first view."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from lambdatop.model.derived import cap_use, error_rate, throttle_rate
from lambdatop.model.health import Health, health, sort_key
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import AliasRow, FunctionRow

ColumnKind = Literal["str", "int", "float"]
Cell = str | int | float | None

# One row per function, in this order, in CSV.
FLAT_COLUMNS: tuple[tuple[str, ColumnKind], ...] = (
    ("name", "str"),
    ("account_id", "str"),
    ("region", "str"),
    ("health", "str"),
    ("reason", "str"),
    ("runtime", "str"),
    ("architecture", "str"),
    ("memory_mb", "int"),
    ("timeout_s", "int"),
    ("reserved_concurrency", "int"),
    ("provisioned_concurrency", "int"),
    ("invocations", "int"),
    ("errors", "int"),
    ("error_rate", "float"),
    ("throttles", "int"),
    ("throttle_rate", "float"),
    ("concurrency_max", "float"),
    ("cap_use", "float"),
    ("duration_avg_ms", "float"),
    ("duration_p99_ms", "float"),
    ("cold_starts", "int"),
    ("cold_start_ratio", "float"),
    ("init_avg_ms", "float"),
    ("init_p99_ms", "float"),
    ("init_max_ms", "float"),
    ("iterator_age_max_ms", "float"),
    ("dlq_depth", "int"),
    ("aliases", "str"),
    ("stale", "str"),
    ("arn", "str"),
)


def flat_record(row: FunctionRow, verdict: Health | None = None) -> dict[str, Cell]:
    """One function as a flat record keyed like FLAT_COLUMNS; AWS text sanitised; None = unknown."""
    verdict = verdict if verdict is not None else health(row)
    return {
        "name": clean_text(row.name),
        "account_id": clean_text(row.account_id),
        "region": clean_text(row.region),
        "health": verdict.level,
        "reason": verdict.word,
        "runtime": _clean_or_none(row.runtime),
        "architecture": _clean_or_none(row.architecture),
        "memory_mb": row.memory_mb,
        "timeout_s": row.timeout_s,
        "reserved_concurrency": row.reserved_concurrency,
        "provisioned_concurrency": row.provisioned_concurrency,
        "invocations": row.invocations,
        "errors": row.errors,
        "error_rate": error_rate(row.errors, row.invocations),
        "throttles": row.throttles,
        "throttle_rate": throttle_rate(row.throttles, row.invocations),
        "concurrency_max": row.concurrency_max,
        "cap_use": cap_use(row.concurrency_max, row.reserved_concurrency),
        "duration_avg_ms": row.duration_avg_ms,
        "duration_p99_ms": row.duration_p99_ms,
        "cold_starts": row.cold_starts,
        "cold_start_ratio": row.cold_start_ratio,
        "init_avg_ms": row.init_avg_ms,
        "init_p99_ms": row.init_p99_ms,
        "init_max_ms": row.init_max_ms,
        "iterator_age_max_ms": row.iterator_age_max_ms,
        "dlq_depth": row.dlq_depth,
        "aliases": format_aliases(row.aliases) or None,
        "stale": ",".join(clean_text(s) for s in row.stale) or None,
        "arn": clean_text(row.arn),
    }


def worst_first(rows: Iterable[FunctionRow]) -> list[tuple[FunctionRow, Health]]:
    """Each row with its verdict, worst first (the order every view and export uses)."""
    judged = [(row, health(row)) for row in rows]
    judged.sort(key=lambda pair: sort_key(*pair))
    return judged


def format_aliases(aliases: Iterable[AliasRow]) -> str:
    """`live:1=90%,2=10%;beta:3=100%`: each alias, its versions and their traffic shares."""
    parts = []
    for alias in aliases:
        shares = [(alias.version, alias.primary_weight), *sorted(alias.weights.items())]
        split = ",".join(f"{clean_text(v)}={format_weight(w)}" for v, w in shares)
        parts.append(f"{clean_text(alias.name)}:{split}")
    return ";".join(parts)


def format_weight(fraction: float) -> str:
    """0.9 -> `90%`, 0.125 -> `12.5%`, 0.0005 -> `0.05%`: exact enough to read a canary split."""
    text = f"{fraction * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _clean_or_none(text: str | None) -> str | None:
    return clean_text(text) if text is not None else None
