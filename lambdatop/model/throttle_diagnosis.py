"""Why a function was throttled, minute by minute, and what to do about it.

Lambda throttles an invocation when one of these is full (reference §1.4):
- the function's reserved concurrency (its own cap; 0 means stopped);
- the account's unreserved pool: ClaimedAccountConcurrency near the account limit;
- provisioned concurrency, when spillover to on-demand cannot be served.
Per-minute maxima can miss a peak of a few seconds, so a throttled minute with every figure
below its limit is labelled "unexplained" rather than forced into a cause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Cause = Literal["stopped", "reserved-cap", "account-pool", "pc-spillover", "unexplained"]

# A cap counts as reached when the minute's peak is within this share of it (1-minute maxima
# of ConcurrentExecutions sit just under the cap while requests are being turned away).
CAP_REACHED_SHARE = 0.95
# The account pool counts as exhausted at this share of the account limit.
ACCOUNT_NEAR_SHARE = 0.90

ACTIONS: dict[Cause, str] = {
    "stopped": "reserved concurrency is 0 (stopped): raise the cap with `c` to let requests through",
    "reserved-cap": "raise the reserved cap (`c`), if the account pool can spare it",
    "account-pool": "free account concurrency: cap or stop the top consumers below",
    "pc-spillover": "add provisioned concurrency (advice only: PC is billed while idle)",
    "unexplained": "every limit had room in the 1-minute peaks: a burst shorter than a minute, "
    "or the scaling rate (1,000 environments per 10 s per function)",
}


@dataclass(frozen=True, slots=True)
class MinuteFigures:
    """One minute of the function and its account. None = not known for that minute."""

    minute: datetime
    throttles: float
    concurrency_max: float | None = None
    claimed_account_max: float | None = None
    pc_spillover: float | None = None


@dataclass(frozen=True, slots=True)
class ThrottledMinute:
    minute: datetime
    throttles: int
    cause: Cause
    evidence: str

    @property
    def action(self) -> str:
        return ACTIONS[self.cause]


def diagnose(
    minutes: Sequence[MinuteFigures],
    *,
    reserved: int | None,
    provisioned: int | None,
    account_limit: int | None,
) -> list[ThrottledMinute]:
    """A label for every minute with throttles, oldest first."""
    out: list[ThrottledMinute] = []
    for m in minutes:
        if m.throttles <= 0:
            continue
        cause, evidence = _cause(m, reserved, provisioned, account_limit)
        out.append(ThrottledMinute(m.minute, round(m.throttles), cause, evidence))
    return out


def _cause(
    m: MinuteFigures, reserved: int | None, provisioned: int | None, account_limit: int | None
) -> tuple[Cause, str]:
    peak = m.concurrency_max
    if reserved == 0:
        return "stopped", "reserved concurrency 0"
    if reserved is not None and peak is not None and peak >= reserved * CAP_REACHED_SHARE:
        return "reserved-cap", f"concurrency {peak:g} of reserved {reserved}"
    claimed = m.claimed_account_max
    if account_limit and claimed is not None and claimed >= account_limit * ACCOUNT_NEAR_SHARE:
        return "account-pool", f"claimed {claimed:g} of {account_limit} ({claimed / account_limit:.0%})"
    if provisioned and m.pc_spillover:
        return "pc-spillover", f"{m.pc_spillover:g} invocations spilled over {provisioned} provisioned"
    known = [f"concurrency {peak:g}" if peak is not None else "concurrency unknown"]
    if reserved is not None:
        known.append(f"cap {reserved}")
    if account_limit and m.claimed_account_max is not None:
        known.append(f"claimed {m.claimed_account_max:g}/{account_limit}")
    return "unexplained", ", ".join(known)


@dataclass(frozen=True, slots=True)
class Consumer:
    """A function holding account concurrency, for the "free account concurrency" advice."""

    name: str
    concurrency_max: float
    reserved: int | None


def top_consumers(consumers: Sequence[Consumer], exclude: str, limit: int = 5) -> list[Consumer]:
    """Uncapped functions first (they draw on the shared pool), biggest peak first."""
    pool = [c for c in consumers if c.name != exclude and c.concurrency_max > 0]
    pool.sort(key=lambda c: (c.reserved is not None, -c.concurrency_max, c.name))
    return pool[:limit]
