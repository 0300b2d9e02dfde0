"""Fisher's exact test against published values and against brute-force enumeration."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from lambdatop.model.exact_test import fisher_exact


def _brute(a: int, b: int, c: int, d: int, alternative: str) -> float:
    """Every table with the same margins, in exact rational arithmetic."""
    row1, col1, n = a + b, a + c, a + b + c + d
    total = math.comb(n, row1)
    probs = {
        x: Fraction(math.comb(col1, x) * math.comb(n - col1, row1 - x), total)
        for x in range(max(0, row1 + col1 - n), min(row1, col1) + 1)
    }
    if alternative == "greater":
        return float(sum(p for x, p in probs.items() if x >= a))
    if alternative == "less":
        return float(sum(p for x, p in probs.items() if x <= a))
    return float(sum(p for p in probs.values() if p <= probs[a]))


def test_lady_tasting_tea_matches_fishers_published_figures() -> None:
    # Fisher (1935): 3 of 4 milk-first cups named right; p = 17/70 one-sided, 34/70 two-sided.
    assert fisher_exact(3, 1, 1, 3, "greater") == pytest.approx(0.2429, abs=5e-5)
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.4857, abs=5e-5)


def test_r_documentation_job_satisfaction_example() -> None:
    # R's fisher.test "Convictions" example (Fisher 1962): twins [[2, 10], [15, 3]], p = 0.0005367 two-sided.
    assert fisher_exact(2, 10, 15, 3) == pytest.approx(0.0005367, rel=1e-3)
    assert fisher_exact(2, 10, 15, 3, "less") == pytest.approx(0.0004652, rel=1e-3)


@pytest.mark.parametrize(
    "table",
    [(0, 5, 5, 0), (1, 9, 11, 3), (7, 12, 0, 5), (3, 197, 1, 1904), (10, 10, 10, 10), (0, 0, 4, 9)],
)
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_agrees_with_exact_rational_enumeration(table: tuple[int, int, int, int], alternative: str) -> None:
    assert fisher_exact(*table, alternative) == pytest.approx(_brute(*table, alternative), rel=1e-9, abs=1e-300)  # type: ignore[arg-type]


def test_large_canary_counts_stay_finite_and_tiny() -> None:
    # 31 % of 212 against 0.4 % of 1,905: overwhelming evidence, no overflow or underflow to nan.
    p = fisher_exact(66, 146, 8, 1897, "greater")
    assert 0.0 <= p < 1e-30


def test_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        fisher_exact(-1, 2, 3, 4)
