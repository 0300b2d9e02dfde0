"""REPORT-line figures per log group and minute, merged exactly across incremental reads.

Each logs pass reads only the minutes it does not hold yet (plus the provisional last ones)
and stores them here. Counts add per minute; init durations are kept as values (cold starts
are rare), so the average, p50, p99 and max over any window are exactly those of one read of
the whole window. Minutes are integers: epoch seconds // 60.

Provisional minutes: logs arrive late (Lambda ships them asynchronously; Insights indexes
them after ingestion), so a minute read too soon after it ended may miss lines. A read says
up to which minute it trusts its answer (`settled_until`); every minute from there on is read
again by the next pass and *replaced* (never added to), so a late line is counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from lambdatop.model.reports import ColdStartStats, stats_over

Range = tuple[int, int]  # [first minute, end minute)


def minute_of(at: datetime) -> int:
    """The epoch minute `at` falls in."""
    return int(at.timestamp()) // 60


def settled_until(read_at_s: float, provisional_s: float) -> int:
    """The first minute a read made at `read_at_s` (epoch seconds) cannot trust yet: minutes
    that ended less than `provisional_s` before the read."""
    return int((read_at_s - provisional_s) // 60)


@dataclass(frozen=True, slots=True)
class MinuteReports:
    """What one minute of one log group held: REPORT lines, SnapStart restores, init durations."""

    reports: int = 0
    restores: int = 0
    inits: tuple[float, ...] = ()

    def __add__(self, other: MinuteReports) -> MinuteReports:
        return MinuteReports(self.reports + other.reports, self.restores + other.restores, self.inits + other.inits)


class GroupReports:
    """One log group's minutes, the contiguous range they cover, and where provisional starts."""

    __slots__ = ("covered", "minutes", "settled_until")

    def __init__(self) -> None:
        self.minutes: dict[int, MinuteReports] = {}
        self.covered: Range | None = None
        self.settled_until: int | None = None  # minutes >= this are re-read by the next pass

    def missing_ranges(self, start: int, end: int) -> list[Range]:
        """What to read so that [start, end) is known and no provisional minute is trusted."""
        if start >= end:
            return []
        covered = self.covered
        if covered is None or covered[1] < start or covered[0] > end:
            return [(start, end)]
        ranges: list[Range] = []
        if start < covered[0]:
            ranges.append((start, covered[0]))  # the window grew backwards
        tail = covered[1] if self.settled_until is None else min(covered[1], self.settled_until)
        tail = max(tail, start)
        if tail < end:
            if ranges and ranges[-1][1] >= tail:
                ranges[-1] = (ranges[-1][0], end)
            else:
                ranges.append((tail, end))
        return ranges

    def store(self, start: int, end: int, minutes: Mapping[int, MinuteReports], settled_until: int) -> None:
        """Replace [start, end) with what a read found there (a minute absent = no REPORT line)."""
        if start >= end:
            return
        covered = self.covered
        if covered is None or end < covered[0] or start > covered[1]:
            self.minutes.clear()  # not contiguous with what we hold: start afresh
            self.covered = (start, end)
            self.settled_until = None
        else:
            self.covered = (min(covered[0], start), max(covered[1], end))
        for minute in range(start, end):
            found = minutes.get(minute)
            if found is not None and (found.reports or found.restores or found.inits):
                self.minutes[minute] = found
            else:
                self.minutes.pop(minute, None)
        assert self.covered is not None
        if end >= self.covered[1]:
            # This read reached the newest minute held: it says from where to read again.
            self.settled_until = min(settled_until, end)

    def forget_before(self, start: int) -> None:
        """Drop minutes older than the window; they will never be shown again."""
        if self.covered is None:
            return
        for minute in [m for m in self.minutes if m < start]:
            del self.minutes[minute]
        first, last = self.covered
        if last <= start:
            self.covered, self.settled_until = None, None
        elif first < start:
            self.covered = (start, last)

    def covers(self, start: int, end: int) -> bool:
        return self.covered is not None and self.covered[0] <= start and self.covered[1] >= end

    def stats(self, start: int, end: int) -> ColdStartStats:
        """Exact figures over [start, end) from the minutes held."""
        return merge_minutes(found for minute, found in self.minutes.items() if start <= minute < end)


def merge_minutes(minutes: Iterable[MinuteReports]) -> ColdStartStats:
    reports = restores = 0
    inits: list[float] = []
    for found in minutes:
        reports += found.reports
        restores += found.restores
        inits.extend(found.inits)
    return stats_over(reports, restores, inits)
