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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

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
