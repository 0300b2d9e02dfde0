"""Derived numbers: unknown stays unknown, never a made-up 0."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lambdatop.model.derived import (
    account_headroom,
    account_use,
    age_s,
    cap_headroom,
    cap_use,
    error_rate,
    growth,
    max_known,
    ratio,
    sum_known,
    sum_known_int,
    throttle_rate,
    timeout_use,
)
from tests.factories import NOW, make_queue, make_row, make_unknown_row


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (5, 100, 0.05),
        (0, 100, 0.0),  # a real 0 % when there was traffic
        (0, 0, None),  # no traffic: no rate, not 0 %
        (3, 0, None),
        (None, 100, None),
        (5, None, None),
    ],
)
def test_ratio(num: int | None, den: int | None, expected: float | None) -> None:
    assert ratio(num, den) == expected


def test_error_rate_is_errors_over_invocations() -> None:
    assert error_rate(12, 100) == pytest.approx(0.12)
    assert error_rate(None, 100) is None


@pytest.mark.parametrize(
    ("throttles", "invocations", "expected"),
    [
        (25, 75, 0.25),  # throttled requests are not in Invocations: 25 of 100 requests
        (40, 0, 1.0),  # a stopped function throttles everything
        (0, 100, 0.0),
        (0, 0, None),
        (None, 100, None),
        (10, None, None),
    ],
)
def test_throttle_rate_counts_throttled_requests_in_the_denominator(
    throttles: int | None, invocations: int | None, expected: float | None
) -> None:
    assert throttle_rate(throttles, invocations) == expected


@pytest.mark.parametrize(
    ("peak", "reserved", "expected"),
    [
        (45.0, 50, 0.9),
        (50.0, 50, 1.0),
        (10.0, None, None),  # no cap, no use
        (None, 50, None),
        (0.0, 0, None),  # reserved 0 = stopped, shown as STOPPED, not as a percentage
    ],
)
def test_cap_use(peak: float | None, reserved: int | None, expected: float | None) -> None:
    assert cap_use(peak, reserved) == expected


def test_cap_headroom() -> None:
    assert cap_headroom(45.0, 50) == 5.0
    assert cap_headroom(None, 50) is None
    assert cap_headroom(45.0, None) is None


def test_account_headroom_and_use_come_from_claimed_concurrency() -> None:
    assert account_headroom(1000, 250.0) == 750.0
    assert account_use(1000, 250.0) == 0.25
    assert account_headroom(None, 250.0) is None
    assert account_use(1000, None) is None
    assert account_use(0, 0.0) is None


def test_headroom_is_not_clamped_when_figures_disagree() -> None:
    assert account_headroom(1000, 1010.0) == -10.0


def test_sums_of_unknowns_are_unknown() -> None:
    assert sum_known([1.5, None, 2.5]) == 4.0
    assert sum_known([None, None]) is None
    assert sum_known([]) is None
    assert sum_known_int([3, None, 4]) == 7
    assert sum_known_int([None]) is None
    assert max_known([1.0, None, 3.0]) == 3.0
    assert max_known([None]) is None


def test_growth() -> None:
    assert growth(41, 30) == 11
    assert growth(41, None) is None


def test_age_is_never_negative_and_unknown_without_a_time() -> None:
    assert age_s(NOW, NOW - timedelta(seconds=14)) == 14.0
    assert age_s(NOW, NOW + timedelta(seconds=5)) == 0.0  # clock skew
    assert age_s(NOW, None) is None


def test_timeout_use() -> None:
    assert timeout_use(27_000.0, 30) == pytest.approx(0.9)
    assert timeout_use(None, 30) is None
    assert timeout_use(1000.0, None) is None


def test_function_row_properties_use_the_derived_numbers() -> None:
    row = make_row(
        invocations=75,
        errors=3,
        throttles=25,
        reserved_concurrency=50,
        concurrency_max=45.0,
        reports=75,
        cold_starts=15,
    )

    assert row.error_rate == pytest.approx(0.04)
    assert row.throttle_rate == pytest.approx(0.25)
    assert row.cap_use == pytest.approx(0.9)
    assert row.cold_start_ratio == pytest.approx(0.2)


def test_function_row_with_no_data_reports_no_rates() -> None:
    row = make_unknown_row()

    assert (row.error_rate, row.throttle_rate, row.cap_use, row.cold_start_ratio) == (
        None,
        None,
        None,
        None,
    )


def test_dlq_depth_sums_known_depths_only() -> None:
    row = make_row(
        dlqs=(make_queue("a", depth=3), make_queue("b", depth=None), make_queue("c", kind="on-failure", depth=4))
    )

    assert row.dlq_depth == 7
    assert make_row(dlqs=(make_queue(depth=None),)).dlq_depth is None
