"""Why cold starts spiked: scale-out, a new version, or a configuration change — with evidence.

A spike is a minute whose cold starts stand well above the window's usual level. Its cause is
looked for in this order, because each later one also raises concurrency or churns
environments and would otherwise take the credit:
1. a new version published in the minutes before (every environment of it starts cold);
2. a configuration change (LastModified) in the minutes before (Lambda replaces every
   environment after UpdateFunctionConfiguration);
3. concurrency rising above its level of the minutes before (new environments for new load);
otherwise the spike stays "unexplained".
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from lambdatop.model.reports import Report, percentile

Cause = Literal["new-version", "config-change", "scale-out", "unexplained"]

# How long after a deploy or config change the cold starts it causes keep coming.
AFTERMATH = timedelta(minutes=5)
SCALE_OUT_LOOKBACK = 5  # minutes of concurrency before the spike to compare with
SPIKE_MIN_COLD_STARTS = 3  # fewer than this in a minute is never a spike
SPIKE_FACTOR = 3.0  # a spike is at least this many times the window's median minute


@dataclass(frozen=True, slots=True)
class ColdMinute:
    minute: datetime
    cold_starts: float
    concurrency_max: float | None = None


@dataclass(frozen=True, slots=True)
class Deploy:
    """A version published (version set) or a configuration change (version None) at `at`."""

    at: datetime
    version: str | None = None


@dataclass(frozen=True, slots=True)
class ColdStartSpike:
    minute: datetime
    cold_starts: int
    cause: Cause
    evidence: str


def spike_threshold(minutes: Sequence[ColdMinute]) -> float:
    counts = [m.cold_starts for m in minutes]
    median = statistics.median(counts) if counts else 0.0
    return max(float(SPIKE_MIN_COLD_STARTS), median * SPIKE_FACTOR)


def attribute(minutes: Sequence[ColdMinute], deploys: Sequence[Deploy]) -> list[ColdStartSpike]:
    """Each spike minute with its cause, oldest first. `minutes` must be oldest first."""
    threshold = spike_threshold(minutes)
    out: list[ColdStartSpike] = []
    for i, m in enumerate(minutes):
        if m.cold_starts < threshold:
            continue
        cause, evidence = _cause(m, minutes[max(0, i - SCALE_OUT_LOOKBACK) : i], deploys)
        out.append(ColdStartSpike(m.minute, round(m.cold_starts), cause, evidence))
    return out


def _cause(m: ColdMinute, before: Sequence[ColdMinute], deploys: Sequence[Deploy]) -> tuple[Cause, str]:
    end = m.minute + timedelta(minutes=1)
    recent = sorted((d for d in deploys if m.minute - AFTERMATH <= d.at < end), key=lambda d: d.at)
    published = [d for d in recent if d.version is not None]
    if published:
        d = published[-1]
        return "new-version", f"version {d.version} published {d.at:%H:%M} UTC"
    if recent:
        return "config-change", f"configuration changed {recent[-1].at:%H:%M} UTC"
    earlier = [b.concurrency_max for b in before if b.concurrency_max is not None]
    if m.concurrency_max is not None and earlier and m.concurrency_max > max(earlier):
        return "scale-out", f"concurrency rose from {max(earlier):g} to {m.concurrency_max:g}"
    peak = f"concurrency {m.concurrency_max:g}" if m.concurrency_max is not None else "concurrency unknown"
    return "unexplained", f"no deploy, no config change, {peak} not above the minutes before"


@dataclass(frozen=True, slots=True)
class ColdStartGroup:
    key: str  # "v7" or "1024 MB"
    reports: int
    cold_starts: int
    init_p99_ms: float | None


@dataclass(frozen=True, slots=True)
class ColdStarts:
    reports: int = 0
    cold_starts: int = 0
    restores: int = 0
    init_p50_ms: float | None = None
    init_p99_ms: float | None = None
    init_max_ms: float | None = None
    by_version: tuple[ColdStartGroup, ...] = ()
    by_memory: tuple[ColdStartGroup, ...] = ()
    spikes: tuple[ColdStartSpike, ...] = ()
    # Every cold start of the window by cause (same rules as a spike's), biggest share first.
    attribution: tuple[tuple[Cause, int], ...] = ()

    @property
    def ratio(self) -> float | None:
        return self.cold_starts / self.reports if self.reports else None


@dataclass(frozen=True, slots=True)
class TimedReport:
    """A REPORT line with when it was logged and in which stream (`…/[version]<env>`)."""

    timestamp: datetime
    stream: str
    report: Report

    @property
    def version(self) -> str | None:
        start, end = self.stream.find("["), self.stream.find("]")
        return self.stream[start + 1 : end] if 0 <= start < end else None


def summarise(
    reports: Sequence[TimedReport],
    minutes: Sequence[datetime],
    concurrency: Sequence[float | None],
    deploys: Sequence[Deploy],
) -> ColdStarts:
    """Count, ratio, init percentiles, restores, splits by version and memory, and spikes."""
    inits = [r.report.init_ms for r in reports if r.report.init_ms is not None]
    per_minute: dict[datetime, int] = {}
    for r in reports:
        if r.report.is_cold_start or r.report.restore_ms is not None:
            key = r.timestamp.replace(second=0, microsecond=0)
            per_minute[key] = per_minute.get(key, 0) + 1
    cold_minutes = [
        ColdMinute(m, float(per_minute.get(m, 0)), concurrency[i] if i < len(concurrency) else None)
        for i, m in enumerate(minutes)
    ]
    return ColdStarts(
        reports=len(reports),
        cold_starts=len(inits),
        restores=sum(1 for r in reports if r.report.restore_ms is not None),
        init_p50_ms=percentile(inits, 50),
        init_p99_ms=percentile(inits, 99),
        init_max_ms=max(inits) if inits else None,
        by_version=_groups(reports, lambda r: f"v{r.version}" if r.version else None, _version_order),
        by_memory=_groups(
            reports,
            lambda r: f"{r.report.memory_mb:g} MB" if r.report.memory_mb is not None else None,
            lambda k: (float(k.split()[0]), ""),
        ),
        spikes=tuple(attribute(cold_minutes, deploys)) if minutes else (),
        attribution=attribution_counts(cold_minutes, deploys),
    )


def attribution_counts(minutes: Sequence[ColdMinute], deploys: Sequence[Deploy]) -> tuple[tuple[Cause, int], ...]:
    """All cold starts of the window, each minute's counted under that minute's cause."""
    counts: dict[Cause, int] = {}
    for i, m in enumerate(minutes):
        if m.cold_starts <= 0:
            continue
        cause, _ = _cause(m, minutes[max(0, i - SCALE_OUT_LOOKBACK) : i], deploys)
        counts[cause] = counts.get(cause, 0) + round(m.cold_starts)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


CAUSE_WORDS: dict[Cause, str] = {
    "new-version": "after a new version",
    "config-change": "after a configuration change",
    "scale-out": "during scale-out (concurrency rising)",
    "unexplained": "with flat concurrency and no deploy (environment recycling)",
}


def cold_starts_per_minute(reports: Sequence[TimedReport], minutes: Sequence[datetime]) -> tuple[float | None, ...]:
    counts: dict[datetime, int] = {}
    for r in reports:
        if r.report.is_cold_start:
            key = r.timestamp.replace(second=0, microsecond=0)
            counts[key] = counts.get(key, 0) + 1
    return tuple(float(counts.get(m, 0)) for m in minutes)


def init_p99_per_minute(reports: Sequence[TimedReport], minutes: Sequence[datetime]) -> tuple[float | None, ...]:
    inits: dict[datetime, list[float]] = {}
    for r in reports:
        if r.report.init_ms is not None:
            inits.setdefault(r.timestamp.replace(second=0, microsecond=0), []).append(r.report.init_ms)
    return tuple(percentile(inits[m], 99) if m in inits else None for m in minutes)


def _version_order(key: str) -> tuple[float, str]:
    body = key[1:]
    return (float(body), "") if body.isdigit() else (float("inf"), body)


def _groups(
    reports: Sequence[TimedReport],
    key_of: Callable[[TimedReport], str | None],
    order: Callable[[str], tuple[float, str]],
) -> tuple[ColdStartGroup, ...]:
    grouped: dict[str, list[TimedReport]] = {}
    for r in reports:
        key = key_of(r)
        if key is not None:
            grouped.setdefault(key, []).append(r)
    out = []
    for key in sorted(grouped, key=order):
        members = grouped[key]
        inits = [r.report.init_ms for r in members if r.report.init_ms is not None]
        out.append(ColdStartGroup(key, len(members), len(inits), percentile(inits, 99)))
    return tuple(out)
