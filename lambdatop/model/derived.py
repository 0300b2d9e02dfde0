"""Numbers derived from raw CloudWatch figures.

Every function returns `None` when an input is unknown, or when the answer is undefined
(0 errors out of 0 invocations is "no data", not a 0 % error rate). Nothing here invents a 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def ratio(num: float | None, den: float | None) -> float | None:
    """`num / den`, or None when either is unknown or `den` is 0."""
    if num is None or den is None or den == 0:
        return None
    return num / den


def error_rate(errors: int | None, invocations: int | None) -> float | None:
    """Errors / Invocations (both over the same window), 0..1."""
    return ratio(errors, invocations)


def throttle_rate(throttles: int | None, invocations: int | None) -> float | None:
    """Share of requests rejected, 0..1.

    Throttled requests are not counted in Invocations, so the denominator is every request
    that arrived: invocations + throttles.
    """
    if throttles is None or invocations is None:
        return None
    return ratio(throttles, invocations + throttles)


def cap_use(concurrency_max: float | None, reserved: int | None) -> float | None:
    """Peak concurrency as a fraction of the reserved-concurrency cap (1.0 = at the cap).

    None when there is no cap (`reserved` None), when the peak is unknown, and when the cap is 0:
    reserved 0 means the function is *stopped*, a state the health rules show on its own, not a
    percentage.
    """
    if reserved is None or reserved <= 0:
        return None
    return ratio(concurrency_max, reserved)


def cap_headroom(concurrency_max: float | None, reserved: int | None) -> float | None:
    """How many more concurrent executions fit under the reserved cap (can be <= 0)."""
    if reserved is None or concurrency_max is None:
        return None
    return reserved - concurrency_max


def account_headroom(limit: int | None, claimed: float | None) -> float | None:
    """Concurrency still available to on-demand invocations: limit - ClaimedAccountConcurrency.

    Not clamped: a negative value would mean the figures disagree, and hiding that helps nobody.
    """
    if limit is None or claimed is None:
        return None
    return limit - claimed


def account_use(limit: int | None, claimed: float | None) -> float | None:
    """ClaimedAccountConcurrency / account limit, 0..1 (AWS's "account headroom %" / 100)."""
    return ratio(claimed, limit)


def sum_known(values: Iterable[float | None]) -> float | None:
    """Sum of the known values; None when none is known (an empty fleet is unknown, not 0)."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def sum_known_int(values: Iterable[int | None]) -> int | None:
    """`sum_known` for counts, keeping the result an int."""
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def max_known(values: Iterable[float | None]) -> float | None:
    """Largest known value; None when none is known."""
    known = [v for v in values if v is not None]
    return max(known) if known else None


def growth(current: float | None, previous: float | None) -> float | None:
    """current - previous, or None when either is unknown (e.g. DLQ depth between two passes)."""
    if current is None or previous is None:
        return None
    return current - previous


def age_s(now: datetime, at: datetime | None) -> float | None:
    """Seconds from `at` to `now`, never negative; None when `at` is unknown."""
    if at is None:
        return None
    return max(0.0, (now - at).total_seconds())


def timeout_use(duration_ms: float | None, timeout_s: int | None) -> float | None:
    """A duration as a fraction of the function timeout (1.0 = the invocation timed out)."""
    if timeout_s is None:
        return None
    return ratio(duration_ms, timeout_s * 1000)
