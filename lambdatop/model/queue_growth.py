"""How fast a queue grows: the least-squares slope of its per-minute depth, per minute."""

from __future__ import annotations

from collections.abc import Sequence

GROWTH_MINUTES = 15  # the recent stretch the slope is fitted over
MIN_POINTS = 3


def growth_per_minute(depths: Sequence[float | None], recent: int = GROWTH_MINUTES) -> float | None:
    """Messages per minute over the last `recent` minutes; None with fewer than 3 known points."""
    tail = list(depths)[-recent:]
    points = [(float(i), float(v)) for i, v in enumerate(tail) if v is not None]
    if len(points) < MIN_POINTS:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def latest_known(values: Sequence[float | None]) -> float | None:
    return next((v for v in reversed(values) if v is not None), None)
