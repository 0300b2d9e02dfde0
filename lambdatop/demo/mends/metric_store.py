"""An indexed CloudWatch metric store: time-sorted samples per series, queried by bisection.

moto rescans every stored datapoint for every query and every period, and fails any call with
a percentile statistic. Here a series is one dictionary lookup away and a query reads only the
samples inside its window, so 500 queries over a large fleet answer in milliseconds.

Semantics follow CloudWatch:
- a series is (account, region, namespace, metric name, exact dimension set); dimension order
  does not matter, and a query with no dimensions matches only samples written with none;
- Sum / SampleCount / Minimum / Maximum / Average combine raw values, Values/Counts and
  StatisticValues alike;
- percentiles (nearest rank) need raw values: StatisticValues sets count only when they are
  "uniform" (Minimum = Maximum and Sum = Minimum × SampleCount), as CloudWatch documents.
"""

from __future__ import annotations

import math
import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Dimensions = frozenset[tuple[str, str]]
SeriesKey = tuple[str, str, str, str, Dimensions]  # account, region, namespace, name, dims
MetricId = tuple[str, str, Dimensions]  # namespace, name, dims

# Sample kinds.
_UNIFORM = 0  # raw value `min` seen `count` times (a plain Value, or a uniform statistic set)
_AGGREGATE = 1  # a statistic set: no raw values, so it takes no part in percentiles
_HISTOGRAM = 2  # Values/Counts: raw (value, count) pairs kept beside the aggregates

BASIC_STATS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,3}(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class Statistic:
    """A parsed `Stat`: one of BASIC_STATS, or a percentile with `p` in 0..100."""

    name: str
    p: float | None = None

    @property
    def is_percentile(self) -> bool:
        return self.p is not None


def parse_statistic(text: str) -> Statistic | None:
    """The statistic for `Sum`, `p99`, `p99.9`…; None for anything this store cannot compute."""
    if text in BASIC_STATS:
        return Statistic(text)
    match = _PERCENTILE.match(text)
    if match:
        p = float(match.group(1))
        if 0 <= p <= 100:
            return Statistic(text, p)
    return None


@dataclass(frozen=True, slots=True)
class Sample:
    """One datum as PutMetricData carries it, already validated. Time in epoch seconds."""

    timestamp_s: float
    sum: float
    count: float
    minimum: float
    maximum: float
    kind: int
    pairs: tuple[tuple[float, float], ...] | None = None

    @staticmethod
    def value(timestamp_s: float, value: float) -> Sample:
        return Sample(timestamp_s, value, 1.0, value, value, _UNIFORM)

    @staticmethod
    def histogram(timestamp_s: float, values: Sequence[float], counts: Sequence[float]) -> Sample:
        pairs = tuple((v, c) for v, c in zip(values, counts, strict=True) if c > 0)
        total = sum(c for _, c in pairs)
        return Sample(
            timestamp_s,
            sum(v * c for v, c in pairs),
            total,
            min((v for v, _ in pairs), default=math.nan),
            max((v for v, _ in pairs), default=math.nan),
            _HISTOGRAM,
            pairs,
        )

    @staticmethod
    def statistic_set(timestamp_s: float, sample_count: float, total: float, minimum: float, maximum: float) -> Sample:
        uniform = minimum == maximum and math.isclose(total, minimum * sample_count)
        kind = _UNIFORM if uniform and sample_count > 0 else _AGGREGATE
        return Sample(timestamp_s, total, sample_count, minimum, maximum, kind)


class _Series:
    """Parallel, time-sorted columns of one series in one unit."""

    __slots__ = ("counts", "kinds", "last_write_s", "maxs", "mins", "pairs", "sums", "times")

    def __init__(self) -> None:
        self.times = array("d")
        self.sums = array("d")
        self.counts = array("d")
        self.mins = array("d")
        self.maxs = array("d")
        self.kinds = array("b")
        # Only series that ever received Values/Counts pay for this column.
        self.pairs: list[tuple[tuple[float, float], ...] | None] | None = None
        self.last_write_s = 0.0

    def add(self, sample: Sample) -> None:
        if sample.count <= 0:
            return
        if sample.pairs is not None and self.pairs is None:
            self.pairs = [None] * len(self.times)
        if not self.times or sample.timestamp_s >= self.times[-1]:
            self.times.append(sample.timestamp_s)
            self.sums.append(sample.sum)
            self.counts.append(sample.count)
            self.mins.append(sample.minimum)
            self.maxs.append(sample.maximum)
            self.kinds.append(sample.kind)
            if self.pairs is not None:
                self.pairs.append(sample.pairs)
            return
        at = bisect_right(self.times, sample.timestamp_s)
        self.times.insert(at, sample.timestamp_s)
        self.sums.insert(at, sample.sum)
        self.counts.insert(at, sample.count)
        self.mins.insert(at, sample.minimum)
        self.maxs.insert(at, sample.maximum)
        self.kinds.insert(at, sample.kind)
        if self.pairs is not None:
            self.pairs.insert(at, sample.pairs)


@dataclass(frozen=True, slots=True)
class SeriesAnswer:
    """Datapoints of one query, oldest first. `units` lists every unit found in the window."""

    timestamps_s: list[float]
    values: list[float]
    units: tuple[str, ...]


class _Bucket:
    __slots__ = ("count", "maximum", "minimum", "raw", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.raw: list[tuple[float, float]] | None = None


class MetricStore:
    """Thread-safe store of every sample put through the demo server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._series: dict[SeriesKey, dict[str, _Series]] = {}
        self._by_scope: dict[tuple[str, str], set[MetricId]] = {}

    def put(
        self,
        account: str,
        region: str,
        namespace: str,
        name: str,
        dimensions: Dimensions,
        unit: str,
        samples: Iterable[Sample],
    ) -> None:
        key: SeriesKey = (account, region, namespace, name, dimensions)
        with self._lock:
            by_unit = self._series.get(key)
            if by_unit is None:
                by_unit = self._series[key] = {}
                self._by_scope.setdefault((account, region), set()).add((namespace, name, dimensions))
            series = by_unit.get(unit)
            if series is None:
                series = by_unit[unit] = _Series()
            for sample in samples:
                series.add(sample)
                series.last_write_s = max(series.last_write_s, sample.timestamp_s)

    def units(self, key: SeriesKey) -> list[str]:
        """The units a series was written in (one, unless the writer changed its mind)."""
        with self._lock:
            return sorted(self._series.get(key, {}))

    def metrics(self, account: str, region: str) -> list[tuple[MetricId, float]]:
        """Every metric of a scope with the newest sample time, for ListMetrics."""
        with self._lock:
            found = []
            for metric in self._by_scope.get((account, region), ()):
                by_unit = self._series[(account, region, *metric)]
                newest = max(series.last_write_s for series in by_unit.values())
                found.append((metric, newest))
            return found

    def query(
        self,
        key: SeriesKey,
        statistic: Statistic,
        start_s: float,
        end_s: float,
        period_s: int,
        unit: str | None = None,
    ) -> SeriesAnswer:
        """Buckets of `period_s` from `start_s` (inclusive) to `end_s` (exclusive)."""
        with self._lock:
            by_unit = self._series.get(key)
            if not by_unit:
                return SeriesAnswer([], [], ())
            chosen = [(u, s) for u, s in by_unit.items() if unit is None or u == unit]
            buckets: dict[int, _Bucket] = {}
            units: list[str] = []
            for series_unit, series in chosen:
                if _fill_buckets(series, statistic, start_s, end_s, period_s, buckets):
                    units.append(series_unit)
        timestamps: list[float] = []
        values: list[float] = []
        for index in sorted(buckets):
            value = _finish(buckets[index], statistic)
            if value is not None:
                timestamps.append(start_s + index * period_s)
                values.append(value)
        return SeriesAnswer(timestamps, values, tuple(sorted(units)))


def _fill_buckets(
    series: _Series,
    statistic: Statistic,
    start_s: float,
    end_s: float,
    period_s: int,
    buckets: dict[int, _Bucket],
) -> bool:
    """Fold the series' samples inside the window into `buckets`; True if any was found."""
    lo = bisect_left(series.times, start_s)
    hi = bisect_left(series.times, end_s)
    if lo >= hi:
        return False
    times, sums, counts = series.times, series.sums, series.counts
    mins, maxs, kinds, pairs = series.mins, series.maxs, series.kinds, series.pairs
    want_raw = statistic.is_percentile
    for i in range(lo, hi):
        index = int((times[i] - start_s) // period_s)
        bucket = buckets.get(index)
        if bucket is None:
            bucket = buckets[index] = _Bucket()
        bucket.total += sums[i]
        bucket.count += counts[i]
        if mins[i] < bucket.minimum:
            bucket.minimum = mins[i]
        if maxs[i] > bucket.maximum:
            bucket.maximum = maxs[i]
        if want_raw:
            kind = kinds[i]
            if kind == _AGGREGATE:
                continue
            if bucket.raw is None:
                bucket.raw = []
            if kind == _UNIFORM:
                bucket.raw.append((mins[i], counts[i]))
            elif pairs is not None:
                bucket.raw.extend(pairs[i] or ())
    return True


def _finish(bucket: _Bucket, statistic: Statistic) -> float | None:
    name = statistic.name
    if statistic.p is not None:
        return weighted_percentile(bucket.raw or [], statistic.p)
    if name == "Sum":
        return bucket.total
    if name == "SampleCount":
        return bucket.count
    if name == "Average":
        return bucket.total / bucket.count if bucket.count else None
    if name == "Minimum":
        return bucket.minimum
    if name == "Maximum":
        return bucket.maximum
    return None


def weighted_percentile(pairs: Sequence[tuple[float, float]], p: float) -> float | None:
    """Nearest rank over values seen `count` times each (same rule as reports.percentile)."""
    total = sum(count for _, count in pairs)
    if total <= 0:
        return None
    rank = max(math.ceil(p * total / 100 - 1e-9), 1)
    seen = 0.0
    for value, count in sorted(pairs):
        seen += count
        if seen >= rank - 1e-9:
            return value
    return max(value for value, _ in pairs)
