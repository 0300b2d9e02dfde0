"""Fisher's exact test on a 2×2 table, in log space with the hypergeometric distribution.

Why not scipy: it is ~100 MB of wheels for one function whose exact form fits here, and this
is the only statistic lambdatop needs. Counts in a canary comparison are often tiny (3 errors
in 40 invocations), where the chi-square approximation is wrong and an exact test is right.

Table layout, as in R's `fisher.test` and `scipy.stats.fisher_exact`:

            failed  succeeded
    row 1     a         b
    row 2     c         d

"greater" asks whether row 1's failure share is larger than row 2's.
"""

from __future__ import annotations

import math
from typing import Literal

Alternative = Literal["two-sided", "greater", "less"]
# Tables whose probability is within this relative distance of the observed one count as
# "as extreme" (R uses the same 1e-7 guard against rounding in the two-sided sum).
_RELATIVE_TOLERANCE = 1e-7


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int, alternative: Alternative = "two-sided") -> float:
    """The p-value of Fisher's exact test for the table [[a, b], [c, d]]."""
    if min(a, b, c, d) < 0:
        raise ValueError("a 2×2 table holds counts: every cell must be ≥ 0")
    row1, col1, n = a + b, a + c, a + b + c + d
    low, high = max(0, row1 + col1 - n), min(row1, col1)
    if n == 0 or low == high:
        return 1.0  # only one table fits the margins: nothing to test
    log_total = _log_comb(n, row1)

    def log_p(x: int) -> float:
        return _log_comb(col1, x) + _log_comb(n - col1, row1 - x) - log_total

    if alternative == "greater":
        xs = range(a, high + 1)
    elif alternative == "less":
        xs = range(low, a + 1)
    else:
        observed = log_p(a)
        bound = observed + math.log1p(_RELATIVE_TOLERANCE)
        xs = range(low, high + 1)
        return min(1.0, _sum_exp([log_p(x) for x in xs if log_p(x) <= bound]))
    return min(1.0, _sum_exp([log_p(x) for x in xs]))


def _sum_exp(logs: list[float]) -> float:
    """Σ exp(l) without underflow: factor out the largest term."""
    if not logs:
        return 0.0
    top = max(logs)
    return math.exp(top) * math.fsum(math.exp(v - top) for v in logs)
