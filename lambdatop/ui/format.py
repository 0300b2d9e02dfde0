"""Renderings the model's formatters do not cover: sparklines, gauges, countdowns (pure).

Counts, percentages, durations and ages come from `lambdatop.model.health` (`format_count`,
`format_pct`, `format_duration_ms`, `format_age_s`) so the screen and `--once` read the same.
Every function shows an unknown value (`None`) as `—`, never as 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

DASH = "—"
SPARK_LEVELS = "▁▂▃▄▅▆▇█"
GAUGE_FULL = "█"
GAUGE_EMPTY = "░"
GAUGE_FLOOR_MARK = "|"
# AWS keeps this much account concurrency unreserved: reserving beyond limit - floor fails.
UNRESERVED_FLOOR = 100


def countdown(seconds: float) -> str:
    """Time until the next refresh: 46s, 4m05s."""
    s = max(0, math.ceil(seconds))
    if s < 60:
        return f"{s}s"
    return f"{s // 60}m{s % 60:02d}s"


def money_per_hour(usd: float | None) -> str:
    if usd is None:
        return f"${DASH}/h"
    if usd < 0.01:
        return f"${usd:.3f}/h"
    return f"${usd:.2f}/h"


def resample(series: Sequence[float], width: int) -> list[float]:
    """At most `width` points: consecutive buckets keep their peak (a spike stays visible)."""
    if width <= 0:
        return []
    if len(series) <= width:
        return list(series)
    out: list[float] = []
    for i in range(width):
        start = i * len(series) // width
        end = (i + 1) * len(series) // width
        out.append(max(series[start:end]))
    return out


def bucket_size(points: int, width: int) -> float:
    """How many source points each sparkline character stands for (>= 1)."""
    if width <= 0 or points <= width:
        return 1.0
    return points / width


def sparkline(series: Sequence[float], width: int) -> str:
    """Unicode blocks scaled to the series' own peak, newest on the right; '' when no data."""
    points = resample(series, width)
    if not points:
        return ""
    peak = max(points)
    if peak <= 0:
        return SPARK_LEVELS[0] * len(points)
    scale = (len(SPARK_LEVELS) - 1) / peak
    levels = SPARK_LEVELS
    return "".join([levels[int(p * scale + 0.5)] if p > 0 else levels[0] for p in points])


def gauge_cells(used: float, limit: int, width: int, floor: int = UNRESERVED_FLOOR) -> str:
    """`███████░░|░`: `width` cells of use, with `|` where reservable capacity ends.

    The mark sits at limit - floor: AWS refuses reservations that would leave less than
    `floor` unreserved, so the part after the mark can only ever be used by unreserved functions.
    """
    if limit <= 0 or width <= 0:
        return GAUGE_EMPTY * max(0, width)
    filled = min(width, round(max(0.0, used) / limit * width))
    bar = [GAUGE_FULL if i < filled else GAUGE_EMPTY for i in range(width)]
    if 0 < floor < limit:
        mark = round((limit - floor) / limit * width)
        if 0 < mark < width:
            bar.insert(mark, GAUGE_FLOOR_MARK)
    return "".join(bar)


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` characters, ending in `…` when cut."""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + "…"
