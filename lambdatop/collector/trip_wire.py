"""When account-level trouble pulls the fleet tier forward.

The account's Errors and Throttles (read every pass) are compared with what the functions
explain: the hot rows as just read, the fleet rows as of the last fleet pass. Fleet rows'
background errors move a little from minute to minute, so a fixed "anything unexplained"
rule fires nearly every pass on a big account. Instead the rule works on deltas: how much
the unexplained part grew since the last fleet pass, against an absolute floor, a share of
what the fleet tier itself last saw, and that share's own noise (counts of rare events vary
like a Poisson count: ± its square root). New trouble of some ten events a minute anywhere
fires within a pass or two; the regular fleet pass catches anything smaller within its period.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Set
from dataclasses import dataclass, field

from lambdatop.collector.region_state import RegionState

WATCHED = ("errors", "throttles")
ABSOLUTE_EXCESS = 5.0  # events over the window
RELATIVE_EXCESS = 0.10  # of what the fleet rows last showed
NOISE_SIGMAS = 3.0  # × √(what the fleet rows last showed)
HOUR_S = 3600.0


def unexplained(state: RegionState, name: str) -> float | None:
    account = state.account_metrics.get(name)
    if account is None or account.value is None:
        return None
    return account.value - sum(state.metric(a, name) or 0.0 for a in state.functions)


def fleet_seen(state: RegionState, name: str, hot: Set[str]) -> float:
    return sum(state.metric(a, name) or 0.0 for a in state.functions if a not in hot)


@dataclass
class TripWire:
    baseline: dict[str, float] = field(default_factory=dict)  # unexplained at the last fleet pass
    forced_at: deque[float] = field(default_factory=deque)  # monotonic times of forced passes

    def after_fleet_pass(self, state: RegionState) -> None:
        for name in WATCHED:
            value = unexplained(state, name)
            self.baseline[name] = max(0.0, value) if value is not None else 0.0

    def excess(self, state: RegionState, hot: Set[str]) -> str | None:
        """The metric whose unexplained part grew past the thresholds, if any."""
        for name in WATCHED:
            value = unexplained(state, name)
            if value is None:
                continue
            grown = value - self.baseline.get(name, 0.0)
            seen = fleet_seen(state, name, hot)
            if grown >= max(ABSOLUTE_EXCESS, RELATIVE_EXCESS * seen, NOISE_SIGMAS * math.sqrt(seen)):
                return name
        return None

    def forced(self, mono: float) -> None:
        self.forced_at.append(mono)

    def forced_per_hour(self, mono: float) -> int:
        while self.forced_at and self.forced_at[0] < mono - HOUR_S:
            self.forced_at.popleft()
        return len(self.forced_at)
