"""The verdict an on-call engineer reads first: worst reason wins, glyph + word, worst first."""

from __future__ import annotations

import pytest

from lambdatop.model.health import (
    Health,
    format_age_s,
    format_count,
    format_duration_ms,
    format_pct,
    health,
    level_counts,
    sort_key,
)
from lambdatop.model.snapshot import FunctionRow
from tests.factories import make_queue, make_row, make_unknown_row


def verdict(**overrides: object) -> Health:
    return health(make_row(**overrides))  # type: ignore[arg-type]


def test_a_quiet_healthy_function_is_ok() -> None:
    h = verdict()

    assert (h.level, h.label, h.score) == ("ok", "✓ OK", 0.0)


def test_an_idle_function_is_ok_not_unknown() -> None:
    assert verdict(invocations=0, errors=0, reports=0, cold_starts=0).level == "ok"


def test_no_metrics_at_all_is_unknown() -> None:
    h = health(make_unknown_row())

    assert (h.level, h.label) == ("unknown", "? —")


def test_throttling_against_a_reserved_cap_is_critical() -> None:
    h = verdict(reserved_concurrency=50, concurrency_max=50.0, throttles=3)

    assert (h.level, h.label) == ("crit", "▲ THR cap")


def test_throttling_without_a_cap_is_critical_from_one_percent_of_requests() -> None:
    assert verdict(throttles=50).label == "▲ THR 4.8%"
    assert verdict(throttles=50).level == "crit"
    assert verdict(throttles=5).level == "warn"


@pytest.mark.parametrize(
    ("errors", "level", "label"),
    [
        (120, "crit", "✖ ERR 12%"),
        (50, "crit", "✖ ERR 5.0%"),
        (10, "warn", "✖ ERR 1.0%"),
        (9, "ok", "✓ OK"),  # 0.9 % is noise
    ],
)
def test_error_rate_thresholds(errors: int, level: str, label: str) -> None:
    h = verdict(invocations=1000, errors=errors)

    assert (h.level, h.label) == (level, label)


def test_one_failure_in_two_calls_is_a_warning_not_a_page() -> None:
    assert verdict(invocations=2, errors=1).level == "warn"


def test_a_worse_error_rate_scores_higher() -> None:
    assert verdict(errors=400).score > verdict(errors=60).score


def test_dlq_with_messages_warns_and_growth_is_critical() -> None:
    before = make_row(dlqs=(make_queue(depth=30),))
    now = make_row(dlqs=(make_queue(depth=41),))

    assert (health(now).level, health(now).label) == ("warn", "✉ DLQ 41")
    growing = health(now, previous=before)
    assert (growing.level, growing.label) == ("crit", "✉ DLQ 41↑")


def test_a_large_dlq_is_critical() -> None:
    h = verdict(dlqs=(make_queue(depth=1234),))

    assert (h.level, h.label) == ("crit", "✉ DLQ 1.2k")


def test_an_empty_or_unknown_dlq_is_fine() -> None:
    assert verdict(dlqs=(make_queue(depth=0),)).level == "ok"
    assert verdict(dlqs=(make_queue(depth=None),)).level == "ok"


def test_reserved_zero_is_stopped_and_says_so_loudly() -> None:
    h = verdict(reserved_concurrency=0, invocations=0, throttles=400)

    assert (h.level, h.glyph, h.label) == ("stopped", "⏸", "⏸ STOPPED")
    assert any(r.word == "THR cap" for r in h.reasons) is False  # a 0 cap is not "a cap to raise"
    assert any(r.word.startswith("THR") for r in h.reasons)


def test_stopped_ranks_above_warnings_and_below_live_crises() -> None:
    stopped = verdict(reserved_concurrency=0, invocations=0)
    warn = verdict(dlqs=(make_queue(depth=5),))
    crit = verdict(errors=300)

    assert crit.score > stopped.score > warn.score


@pytest.mark.parametrize(
    ("overrides", "label"),
    [
        ({"init_p99_ms": 4200.0}, "❄ COLD 4.2s"),
        ({"reports": 100, "cold_starts": 40}, "❄ COLD 40%"),
    ],
)
def test_cold_starts_warn(overrides: dict[str, object], label: str) -> None:
    h = verdict(**overrides)

    assert (h.level, h.label) == ("warn", label)


def test_a_rarely_called_function_is_not_flagged_for_being_cold() -> None:
    assert verdict(invocations=3, reports=3, cold_starts=3).level == "ok"


@pytest.mark.parametrize(
    ("age_ms", "level", "label"),
    [
        (30_000.0, "ok", "✓ OK"),
        (300_000.0, "warn", "⌛ ITER 5m"),
        (3_600_000.0, "crit", "⌛ ITER 1.0h"),
    ],
)
def test_iterator_age(age_ms: float, level: str, label: str) -> None:
    h = verdict(iterator_age_max_ms=age_ms)

    assert (h.level, h.label) == (level, label)


def test_near_the_cap_warns_before_throttling_starts() -> None:
    h = verdict(reserved_concurrency=50, concurrency_max=48.0)

    assert (h.level, h.label) == ("warn", "▲ CAP 96%")


def test_p99_close_to_the_timeout_warns() -> None:
    h = verdict(timeout_s=3, duration_p99_ms=2900.0)

    assert (h.level, h.label) == ("warn", "⏱ TIMEOUT 97%")


def test_dropped_async_events_warn() -> None:
    assert verdict(async_events_dropped=7).label == "⚠ DROP 7"


def test_worst_reason_wins_and_all_reasons_are_kept() -> None:
    h = verdict(errors=300, dlqs=(make_queue(depth=5),), init_p99_ms=3000.0)

    assert h.label == "✖ ERR 30%"
    assert [r.word for r in h.reasons] == ["ERR 30%", "COLD 3.0s", "DLQ 5"]


def test_every_label_starts_with_its_glyph_and_carries_a_word() -> None:
    rows = [
        make_row(),
        make_unknown_row(),
        make_row(reserved_concurrency=0),
        make_row(reserved_concurrency=5, throttles=9),
        make_row(errors=500),
        make_row(dlqs=(make_queue(depth=5),)),
        make_row(iterator_age_max_ms=90_000.0),
        make_row(init_p99_ms=5000.0),
    ]
    for row in rows:
        h = health(row)
        assert h.label.startswith(h.glyph + " ")
        assert h.word
        assert 0 <= h.score <= 100


def test_fleet_sorts_worst_first_then_busiest_then_by_name() -> None:
    rows = [
        make_row("b-quiet", invocations=10),
        make_row("a-quiet", invocations=10),
        make_row("busy", invocations=5000),
        make_unknown_row("nodata"),
        make_row("erroring", errors=200),
        make_row("stopped", reserved_concurrency=0, invocations=0),
        make_row("dlq", dlqs=(make_queue(depth=3),)),
    ]

    ordered = [r.name for r in sorted(rows, key=sort_key)]

    assert ordered == ["erroring", "stopped", "dlq", "nodata", "busy", "a-quiet", "b-quiet"]


def test_sort_key_accepts_a_precomputed_verdict() -> None:
    row = make_row(errors=200)

    assert sort_key(row, health(row)) == sort_key(row)


def test_level_counts_lists_worst_levels_first() -> None:
    rows: list[FunctionRow] = [make_row(), make_row(errors=300), make_row(), make_unknown_row()]

    assert list(level_counts(health(r) for r in rows).items()) == [
        ("crit", 1),
        ("unknown", 1),
        ("ok", 2),
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "—"), (0.0, "0%"), (0.123, "12%"), (0.0153, "1.5%"), (0.0004, "0.04%"), (1.0, "100%")],
)
def test_format_pct(value: float | None, shown: str) -> None:
    assert format_pct(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (0, "0"),
        (41, "41"),
        (1234, "1.2k"),
        (56_789, "57k"),
        (999_960, "1.0M"),
        (1_200_000, "1.2M"),
        (12.5, "12.5"),
    ],
)
def test_format_count(value: float | None, shown: str) -> None:
    assert format_count(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "—"), (850.0, "850ms"), (4200.0, "4.2s"), (42_000.0, "42s"), (300_000.0, "5m"), (9_000_000.0, "2.5h")],
)
def test_format_duration_ms(value: float | None, shown: str) -> None:
    assert format_duration_ms(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "never"), (14.2, "14s"), (59.7, "1m"), (180.0, "3m"), (7200.0, "2h"), (3 * 86_400.0, "3d")],
)
def test_format_age_s(value: float | None, shown: str) -> None:
    assert format_age_s(value) == shown


def test_a_canary_worse_than_its_stable_version_says_so() -> None:
    from lambdatop.model.snapshot import CanaryRow, VersionFigures
    from tests.factories import make_row

    def with_canary(stable_errors: int, canary_errors: int) -> Health:
        canary = CanaryRow(
            alias="live",
            stable_version="6",
            weights={"7": 0.1},
            versions=(VersionFigures("6", 1000, stable_errors, 0), VersionFigures("7", 100, canary_errors, 0)),
        )
        return health(make_row("checkout", invocations=1100, errors=stable_errors + canary_errors, canaries=(canary,)))

    bad = with_canary(4, 31)
    assert bad.label == "⚖ v7 ERR 31% vs 0.4%"
    assert bad.level == "crit"
    assert with_canary(40, 4).level != "crit"  # the canary (4%) is no worse than stable (4%)
    assert "⚖" not in with_canary(40, 4).label


def test_events_lost_on_the_way_to_the_dlq_are_critical() -> None:
    from tests.factories import make_row

    verdict = health(make_row("worker", invocations=100, errors=0, dead_letter_errors=3))
    assert verdict.level == "crit"
    assert verdict.label == "⚠ LOST 3"
