"""Stable against canary: per-version figures of a weighted alias and whether the gap is real.

The error counts are compared with Fisher's exact test (one-sided: is the canary worse?),
which stays right for the small counts a 5 % canary gets in a few minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from lambdatop.model.exact_test import fisher_exact

SIGNIFICANCE = 0.01  # a verdict needs p below this
# Below this many invocations on either side, a non-significant result says "not enough
# traffic" rather than "no difference".
ENOUGH_INVOCATIONS = 100

Outcome = Literal["worse", "better", "no-difference", "not-enough-traffic", "no-canary"]


@dataclass(frozen=True, slots=True)
class VersionStats:
    version: str
    weight: float | None = None  # share of the alias's traffic routed to it
    invocations: int | None = None
    errors: int | None = None
    throttles: int | None = None
    duration_p99_ms: float | None = None
    cold_starts: int | None = None

    @property
    def error_rate(self) -> float | None:
        if not self.invocations or self.errors is None:
            return None
        return self.errors / self.invocations


@dataclass(frozen=True, slots=True)
class CanaryVerdict:
    alias: str
    stable: str
    canary: str
    outcome: Outcome
    p_value: float | None
    text: str


def format_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _pct(rate: float) -> str:
    pct = rate * 100
    return f"{pct:.1f} %" if pct < 10 and pct != 0 else f"{pct:.0f} %"


def verdict(alias: str, stable: VersionStats, canary: VersionStats) -> CanaryVerdict:
    """Is `canary` worse than `stable` on errors, and by more than noise?"""
    n_c, e_c = canary.invocations or 0, canary.errors or 0
    n_s, e_s = stable.invocations or 0, stable.errors or 0
    vs = f"v{canary.version} vs v{stable.version}"
    if n_c == 0 or n_s == 0 or canary.errors is None or stable.errors is None:
        return CanaryVerdict(
            alias,
            stable.version,
            canary.version,
            "not-enough-traffic",
            None,
            f"{vs}: not enough traffic to tell ({n_c:,} / {n_s:,} invocations)",
        )
    e_c, e_s = min(e_c, n_c), min(e_s, n_s)
    worse = fisher_exact(e_c, n_c - e_c, e_s, n_s - e_s, "greater")
    better = fisher_exact(e_c, n_c - e_c, e_s, n_s - e_s, "less")
    rates = f"{_pct(e_c / n_c)} vs {_pct(e_s / n_s)}"
    over = f"over {n_c:,} / {n_s:,} invocations"
    if worse < SIGNIFICANCE:
        text = f"v{canary.version} worse than v{stable.version}: {rates}, {format_p(worse)} {over}"
        return CanaryVerdict(alias, stable.version, canary.version, "worse", worse, text)
    if better < SIGNIFICANCE:
        text = f"v{canary.version} better than v{stable.version}: {rates}, {format_p(better)} {over}"
        return CanaryVerdict(alias, stable.version, canary.version, "better", better, text)
    if min(n_c, n_s) < ENOUGH_INVOCATIONS:
        text = f"{vs}: not enough traffic to tell ({rates}, {format_p(worse)} {over})"
        return CanaryVerdict(alias, stable.version, canary.version, "not-enough-traffic", worse, text)
    text = f"{vs}: no significant difference in errors ({rates}, {format_p(worse)} {over})"
    return CanaryVerdict(alias, stable.version, canary.version, "no-difference", worse, text)


def pick_pair(
    primary: str, weights: dict[str, float], stats: Sequence[VersionStats]
) -> tuple[VersionStats, VersionStats] | None:
    """(stable, canary) for an alias: its primary version and its largest additional weight."""
    if not weights:
        return None
    canary_version = max(weights, key=lambda v: (weights[v], v))
    by_version = {s.version: s for s in stats}
    stable = by_version.get(primary, VersionStats(primary))
    canary = by_version.get(canary_version, VersionStats(canary_version))
    return stable, canary
