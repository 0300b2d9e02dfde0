"""Ground truth over a window: what the traffic model wrote, for tests to compare against.

An app reading the demo account should see these figures; the tests compare what it reads
with what was written.
"""

from __future__ import annotations

from dataclasses import dataclass

from lambdatop.demo.configuration import FleetState, FunctionState, initial_state
from lambdatop.demo.fleet import Fleet
from lambdatop.demo.traffic import DEFAULT_ORIGIN_MINUTE, lookback_minutes, minute_traffic


@dataclass(frozen=True, slots=True)
class WindowTotals:
    """What was written for one function over minutes [first, last].

    Metric figures count invocations by arrival minute (Lambda stamps metrics at invocation
    start); report figures count REPORT lines whose timestamp falls inside the window, as a
    log reader with that time range sees them.
    """

    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    concurrency_max: int = 0
    durations_ms: tuple[float, ...] = ()
    reports: int = 0
    cold_starts: int = 0
    init_durations_ms: tuple[float, ...] = ()
    failure_messages: int = 0
    iterator_age_max_ms: float | None = None

    @property
    def duration_avg_ms(self) -> float | None:
        return sum(self.durations_ms) / len(self.durations_ms) if self.durations_ms else None

    @property
    def init_max_ms(self) -> float | None:
        return max(self.init_durations_ms) if self.init_durations_ms else None

    @property
    def init_avg_ms(self) -> float | None:
        inits = self.init_durations_ms
        return sum(inits) / len(inits) if inits else None


def expected_window_totals(
    fleet: Fleet,
    seed: int | str,
    first_minute_index: int,
    last_minute_index: int,
    config_state: FleetState | None = None,
    *,
    origin_minute_index: int = DEFAULT_ORIGIN_MINUTE,
) -> dict[str, WindowTotals]:
    """Per function, the totals the model wrote over the window, under one configuration."""
    states = config_state if config_state is not None else initial_state(fleet)
    window_start_s, window_end_s = first_minute_index * 60.0, (last_minute_index + 1) * 60.0
    totals: dict[str, WindowTotals] = {}
    for spec in fleet.functions:
        state = states.get(spec.name) or FunctionState.from_spec(spec)
        counts = {"invocations": 0, "errors": 0, "throttles": 0, "reports": 0, "failures": 0}
        concurrency = 0
        durations: list[float] = []
        inits: list[float] = []
        ages: list[float] = []
        first = max(origin_minute_index, first_minute_index - lookback_minutes(spec))
        for minute in range(first, last_minute_index + 1):
            traffic = minute_traffic(spec, minute, state, seed)
            base_s = minute * 60.0
            if minute >= max(first_minute_index, origin_minute_index):
                counts["invocations"] += len(traffic.invocations)
                counts["errors"] += traffic.errors
                counts["throttles"] += traffic.throttles
                concurrency = max(concurrency, traffic.concurrency_max)
                durations.extend(traffic.durations_ms)
                if traffic.iterator_age_ms is not None:
                    ages.append(traffic.iterator_age_ms)
            for inv in traffic.invocations:
                if window_start_s <= base_s + inv.end_s < window_end_s:
                    counts["reports"] += 1
                    if inv.init_ms is not None:
                        inits.append(inv.init_ms)
            counts["failures"] += sum(
                1 for msg in traffic.failure_messages if window_start_s <= base_s + msg.at_s < window_end_s
            )
        totals[spec.name] = WindowTotals(
            invocations=counts["invocations"],
            errors=counts["errors"],
            throttles=counts["throttles"],
            concurrency_max=concurrency,
            durations_ms=tuple(durations),
            reports=counts["reports"],
            cold_starts=len(inits),
            init_durations_ms=tuple(inits),
            failure_messages=counts["failures"],
            iterator_age_max_ms=max(ages) if ages else None,
        )
    return totals
