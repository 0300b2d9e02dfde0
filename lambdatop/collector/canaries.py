"""Weighted aliases: which versions to read through them, and their rows (issue 9, point 1)."""

from __future__ import annotations

from lambdatop.aws.inventory import AliasConfig
from lambdatop.collector.region_state import RegionState, Timed
from lambdatop.model.snapshot import CanaryRow, VersionFigures


def weighted_aliases(state: RegionState, arn: str) -> list[AliasConfig]:
    """Aliases of a function that split traffic between two versions (as last read)."""
    known = state.knowledge.get(arn)
    if known is None or known.aliases is None:
        return []
    return [a for a in known.aliases.value if a.weights]


def alias_versions(alias: AliasConfig) -> list[str]:
    """The stable version first, then the extra one(s)."""
    return [alias.version, *sorted(v for v in alias.weights if v != alias.version)]


def canary_rows(state: RegionState, arn: str) -> tuple[CanaryRow, ...]:
    rows = []
    for alias in weighted_aliases(state, arn):
        figures = []
        for version in alias_versions(alias):
            stored = state.canary_metrics.get((arn, alias.name, version), {})

            figures.append(
                VersionFigures(
                    version=version,
                    invocations=_count(stored, "invocations"),
                    errors=_count(stored, "errors"),
                    throttles=_count(stored, "throttles"),
                    duration_p99_ms=_value(stored, "duration_p99_ms"),
                )
            )
        rows.append(
            CanaryRow(
                alias=alias.name, stable_version=alias.version, weights=dict(alias.weights), versions=tuple(figures)
            )
        )
    return tuple(rows)


def _value(stored: dict[str, Timed], field: str) -> float | None:
    timed = stored.get(field)
    return timed.value if timed is not None else None


def _count(stored: dict[str, Timed], field: str) -> int | None:
    value = _value(stored, field)
    return round(value) if value is not None else None
