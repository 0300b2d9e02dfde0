"""Incremental reading of REPORT lines merges exactly: the same figures as one full read."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from lambdatop.model.report_buckets import GroupReports, MinuteReports, merge_minutes, settled_until
from lambdatop.model.reports import ColdStartStats, stats_over

PROVISIONAL_S = 60.0


@dataclass(frozen=True)
class Line:
    """One REPORT line: when it is stamped, when it becomes readable (logs arrive late)."""

    at_s: float
    visible_s: float
    init_ms: float | None
    restore: bool


def random_lines(rng: random.Random, first_s: float, last_s: float) -> list[Line]:
    lines = []
    for _ in range(rng.randint(0, 400)):
        at = rng.uniform(first_s, last_s)
        cold = rng.random() < 0.1
        # Inits repeat on purpose: equal values must keep their multiplicity.
        init = float(rng.choice([80, 120.5, 120.5, 900, 2500])) if cold else None
        lines.append(Line(at, at + rng.uniform(0, PROVISIONAL_S), init, rng.random() < 0.03))
    return lines


def read(lines: Sequence[Line], start: int, end: int, now_s: float) -> dict[int, MinuteReports]:
    """What a query made at `now_s` over minutes [start, end) answers: only lines visible by then."""
    found: dict[int, MinuteReports] = {}
    for line in lines:
        minute = int(line.at_s // 60)
        if start <= minute < end and line.visible_s <= now_s:
            inits = (line.init_ms,) if line.init_ms is not None else ()
            add = MinuteReports(1, int(line.restore), inits)
            found[minute] = found[minute] + add if minute in found else add
    return found


def truth(lines: Sequence[Line], start: int, end: int) -> ColdStartStats:
    chosen = [line for line in lines if start <= int(line.at_s // 60) < end]
    inits = [line.init_ms for line in chosen if line.init_ms is not None]
    return stats_over(len(chosen), sum(line.restore for line in chosen), inits)


def one_pass(history: GroupReports, lines: Sequence[Line], now_s: float, window_min: int) -> ColdStartStats:
    end = int(now_s // 60)
    start = end - window_min
    history.forget_before(start)
    for lo, hi in history.missing_ranges(start, end):
        history.store(lo, hi, read(lines, lo, hi, now_s), settled_until(now_s, PROVISIONAL_S))
    assert history.covers(start, end)
    return history.stats(start, end)


@pytest.mark.parametrize("seed", range(40))
def test_incremental_passes_equal_a_full_read_of_the_same_window(seed: int) -> None:
    rng = random.Random(seed)
    base = 1_800_000_000.0
    lines = random_lines(rng, base, base + 3 * 3600)
    history = GroupReports()
    now = base + 20 * 60 + rng.uniform(0, 60)
    window = rng.choice([5, 15, 60])
    while now < base + 3 * 3600:
        incremental = one_pass(history, lines, now, window)
        end = int(now // 60)
        # Settled minutes equal the truth; compare over what a full read made later would see.
        settled = settled_until(now, PROVISIONAL_S)
        assert history.stats(end - window, settled) == truth(lines, end - window, settled)
        # And the whole window equals one fresh read made at the same moment.
        fresh = GroupReports()
        assert incremental == one_pass(fresh, lines, now, window)
        now += rng.uniform(20, 300)
        if rng.random() < 0.15:
            window = rng.choice([5, 15, 60, 180])  # the operator changes the window


def test_each_steady_pass_reads_its_new_minutes_and_about_one_provisional() -> None:
    history = GroupReports()
    base = 1_800_000_030.0  # half a minute past a minute
    one_pass(history, [], base, 15)
    read_minutes = []
    now = base
    for _ in range(30):
        now += 120
        end = int(now // 60)
        ranges = history.missing_ranges(end - 15, end)
        read_minutes.append(sum(hi - lo for lo, hi in ranges))
        one_pass(history, [], now, 15)
    assert set(read_minutes) == {3}  # 2 new minutes + 1 re-read: 1.5 × what was written


def test_a_late_line_in_a_provisional_minute_is_counted_once() -> None:
    minute = 30_000_000
    history = GroupReports()
    early = Line(minute * 60 + 50, minute * 60 + 55, 300.0, False)
    late = Line(minute * 60 + 58, minute * 60 + 100, None, False)  # visible 40 s after the minute
    now = minute * 60 + 65  # 5 s after the minute ended: provisional
    assert one_pass(history, [early, late], now, 5).reports == 1
    now += 60
    stats = one_pass(history, [early, late], now, 5)
    assert (stats.reports, stats.cold_starts, stats.init_max_ms) == (2, 1, 300.0)
    now += 60
    assert one_pass(history, [early, late], now, 5).reports == 2  # settled: not added again


def test_a_longer_window_reads_only_the_older_minutes_it_lacks() -> None:
    history = GroupReports()
    now = 1_800_000_000.0
    one_pass(history, [], now, 15)
    end = int(now // 60)
    ranges = history.missing_ranges(end - 60, end)
    assert ranges[0] == (end - 60, end - 15)
    assert all(hi - lo <= 1 for lo, hi in ranges[1:])  # besides the provisional minute


def test_restores_and_inits_merge_across_minutes() -> None:
    stats = merge_minutes([MinuteReports(3, 1, (100.0,)), MinuteReports(2, 0, (100.0, 900.0))])
    assert (stats.reports, stats.restores, stats.cold_starts) == (5, 1, 3)
    assert stats.init_p50_ms == 100.0
    assert stats.init_max_ms == 900.0
    assert stats.init_avg_ms == pytest.approx(1100.0 / 3)
