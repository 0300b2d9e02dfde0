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


def canary_targets(state: RegionState, arn: str) -> list[tuple[str, str]]:
    """(alias, version) pairs to read for a function. From its weighted aliases once read;
    before that, from CloudWatch's list: an alias that served two versions is split."""
    known = state.knowledge.get(arn)
    if known is not None and known.aliases is not None:
        return [(alias.name, version) for alias in weighted_aliases(state, arn) for version in alias_versions(alias)]
    if state.evidence is None:
        return []
    name = state.functions[arn].name
    by_resource: dict[str, set[str]] = {}
    for resource, version in state.evidence.versions.get(name, ()):
        by_resource.setdefault(resource, set()).add(version)
    return [
        (resource.split(":", 1)[1], version)
        for resource, versions in sorted(by_resource.items())
        if len(versions) > 1 and ":" in resource
        for version in sorted(versions)
    ]


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
