"""The pure pieces behind the screen: cells, columns by width, filter, gauge, status line."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from lambdatop.model.health import health
from lambdatop.ui.columns import (
    COLUMNS_BY_KEY,
    CellContext,
    choose_columns,
    render_cells,
    rerender_cells,
)
from lambdatop.ui.command_line import CommandError, parse_command
from lambdatop.ui.fleet_filter import parse_filter
from lambdatop.ui.fleet_view import FleetView, SortOrder
from lambdatop.ui.format import gauge_cells, sparkline
from lambdatop.ui.widgets.fleet_header import HeaderFacts, gauge_content, header_content
from lambdatop.ui.widgets.status_bar import StatusFacts, status_content
from tests.factories import (
    NOW,
    make_queue,
    make_region,
    make_row,
    make_snapshot,
    make_unknown_row,
    ok_sources,
    stale_source,
)

KEY_COLUMNS = ["name", "health", "invocations", "errors", "throttles", "concurrency"]


def _cell_text(column: str, **overrides: object) -> str:
    row = make_row("fn", **overrides)
    cells = render_cells(row, health(row), [COLUMNS_BY_KEY[column]], CellContext(), frozenset())
    return "".join(text for text, _ in cells[0])


def test_concurrency_cell_shows_cap_uncapped_and_stopped() -> None:
    assert _cell_text("concurrency", concurrency_max=20.0, reserved_concurrency=20) == "20/20"
    assert _cell_text("concurrency", concurrency_max=7.0) == "7"
    # Not read yet is not the same as uncapped.
    assert _cell_text("concurrency", concurrency_max=7.0, stale=("inventory",)) == "7/?"
    assert _cell_text("concurrency", reserved_concurrency=0, concurrency_max=0.0) == "0 ⏸"
    assert _cell_text("concurrency", concurrency_max=None, reserved_concurrency=50) == "—/50"


def test_errors_cell_pairs_count_and_rate() -> None:
    assert _cell_text("errors", errors=120, invocations=1000) == "120   12%"
    # The rate has a fixed width, so right-aligned counts line up whatever the rate's digits.
    assert _cell_text("errors", errors=4, invocations=377) == "4  1.1%"
    assert _cell_text("errors", errors=63, invocations=299) == "63   21%"
    assert _cell_text("errors", errors=0) == "0      "
    assert _cell_text("errors", errors=None) == "—"


def test_cold_cell_and_dlq_cell() -> None:
    assert _cell_text("cold", cold_starts=310, reports=900, init_p99_ms=6400.0) == "34% 6.4s"
    assert _cell_text("dlq") == "·"  # no DLQ configured
    assert _cell_text("dlq", dlqs=(make_queue(depth=41),)) == "41"
    assert _cell_text("dlq", dlqs=(make_queue(depth=None),)) == "—"


def test_stale_cells_carry_a_question_mark_but_unknown_stays_a_dash() -> None:
    row = make_row("fn", invocations=1200)
    column = COLUMNS_BY_KEY["invocations"]
    stale = render_cells(row, health(row), [column], CellContext(), frozenset({"metrics"}))
    assert stale[0] == (("1.2k?", "stale"),)
    unknown = make_unknown_row("fn")
    cells = render_cells(unknown, health(unknown), [column], CellContext(), frozenset({"metrics"}))
    assert cells[0] == (("—", "stale"),)


def test_sparkline_scales_to_its_peak_and_marks_provisional_minutes() -> None:
    assert sparkline([0, 1, 2, 4, 8], 15) == "▁▂▃▅█"
    assert sparkline([0, 0, 0], 15) == "▁▁▁"
    assert sparkline([], 15) == ""
    assert len(sparkline(list(range(60)), 15)) == 15
    row = make_row("fn", invocations_series=tuple(float(i) for i in range(15)))
    ctx = CellContext(provisional_points=2)
    (cell,) = render_cells(row, health(row), [COLUMNS_BY_KEY["spark"]], ctx, frozenset())
    assert cell[-1][1] == "provisional"
    assert len(cell[-1][0]) == 2


@pytest.mark.parametrize(
    ("width", "expected"),
    [(79, KEY_COLUMNS), (159, [*KEY_COLUMNS, "dlq", "p99", "cold", "spark"])],
)
def test_columns_drop_by_priority(width: int, expected: list[str]) -> None:
    columns, name_width = choose_columns(width, multi_region=False)
    assert [c.key for c in columns] == expected
    assert name_width >= 16
    total = sum((name_width if c.key == "name" else c.width) + 2 for c in columns)
    assert total <= width


def test_region_column_only_with_several_regions() -> None:
    single, _ = choose_columns(159, multi_region=False)
    several, _ = choose_columns(159, multi_region=True)
    assert "region" not in [c.key for c in single]
    assert "region" in [c.key for c in several]


def test_filter_regex_invert_and_fallback() -> None:
    orders, pay = make_row("orders-api", tags={"team": "core"}), make_row("payments")
    assert parse_filter("^ord").matches(orders)
    assert not parse_filter("^ord").matches(pay)
    assert parse_filter("!^ord").matches(pay)
    assert parse_filter("team=core").matches(orders)
    broken = parse_filter("orders(")
    assert broken.note is not None
    assert not broken.matches(orders)  # matched as the literal text "orders("
    assert parse_filter("").matches(orders)
    assert parse_filter("!").matches(orders)


def test_sort_orders_unknown_last_in_both_directions() -> None:
    view = FleetView()
    rows = [make_row("a", invocations=5), make_unknown_row("b"), make_row("c", invocations=50)]
    view.update(make_snapshot(rows))
    view.order = SortOrder("invocations")
    assert [r.name for r in view.rows()] == ["c", "a", "b"]
    view.order = SortOrder("invocations", reverse=True)
    assert [r.name for r in view.rows()] == ["a", "c", "b"]


def test_dlq_growth_is_remembered_until_the_depth_moves_again() -> None:
    view = FleetView()
    queue = make_queue(depth=10)
    view.update(make_snapshot([make_row("q", dlqs=(queue,))]))
    grown = make_snapshot([make_row("q", dlqs=(make_queue(depth=25),))], generated_at=NOW + timedelta(seconds=60))
    view.update(grown)
    assert "↑" in view.verdict(view.rows()[0]).label
    same = make_snapshot([make_row("q", dlqs=(make_queue(depth=25),))], generated_at=NOW + timedelta(seconds=65))
    view.update(same)
    assert "↑" in view.verdict(view.rows()[0]).label


def test_gauge_marks_the_unreserved_floor() -> None:
    assert gauge_cells(812, 1000, 10) == "████████░|░"
    text = gauge_content(make_region(claimed_account_concurrency_max=812.0)).plain
    assert text == "conc [████████░|░] 812/1000"
    unknown = gauge_content(make_region(concurrency_limit=None)).plain
    assert unknown == "conc —"


def test_header_fits_80_columns_and_shouts_prod() -> None:
    snapshot = make_snapshot([make_row("fn")])
    content = header_content(snapshot, HeaderFacts(profile="production-account", prod=True), 80)
    assert content.cell_length <= 80
    assert "PROD" in content.plain
    assert "conc [" in content.plain


def test_status_line_fits_80_columns_keeping_what_matters() -> None:
    sources = {**ok_sources(NOW), "logs": stale_source("logs", error="AccessDeniedException")}
    snapshot = make_snapshot(
        [make_row("fn")], sources=sources, cost_usd_per_hour=0.05, provisional_after=NOW - timedelta(minutes=2)
    )
    facts = StatusFacts(
        now=NOW, paused=True, read_only=True, demo=True, next_refresh_s=46, shown=1, total=1, calls_per_min=12
    )
    text = status_content(snapshot, facts, 80).plain
    assert len(text) <= 80
    for must in ("PAUSED", "READ-ONLY", "logs STALE 3m", "DEMO"):
        assert must in text
    wide = status_content(snapshot, facts, 200).plain
    assert "$0.05/h" in wide
    assert "12 calls/min" in wide
    assert "provisional" in wide


def test_command_parsing() -> None:
    assert parse_command("window 1h").argument == "1h"
    assert parse_command(":q").verb == "quit"
    with pytest.raises(CommandError, match="did you mean 'theme'"):
        parse_command("tehme light")
    with pytest.raises(CommandError, match="needs a value"):
        parse_command("region")


def test_health_label_is_stale_when_the_source_behind_its_reason_is() -> None:
    cold = make_row("java", init_p99_ms=6400.0)
    column = COLUMNS_BY_KEY["health"]
    (cell,) = render_cells(cold, health(cold), [column], CellContext(), frozenset({"logs"}))
    assert cell == (("❄ COLD 6.4s?", "stale"),)
    (fresh,) = render_cells(cold, health(cold), [column], CellContext(), frozenset({"queues"}))
    assert fresh == (("❄ COLD 6.4s", "warn"),)


def test_partial_rerender_equals_a_full_render() -> None:
    """Reusing unchanged cells must never show an old value: compare with a full render."""
    rng = random.Random(3)
    columns, _ = choose_columns(200, multi_region=True)
    ctx = CellContext(provisional_points=2, name_width=30)
    changes: list[dict[str, object]] = [
        {"invocations": 5000}, {"errors": 300}, {"errors": None}, {"throttles": 12},
        {"reserved_concurrency": 0}, {"reserved_concurrency": 10, "concurrency_max": 10.0},
        {"dlqs": (make_queue(depth=150),)}, {"duration_p99_ms": 29_000.0},
        {"cold_starts": 400, "init_p99_ms": 3000.0}, {"invocations_series": (1.0, 9.0, 3.0)},
        {"iterator_age_max_ms": 2_000_000.0}, {"invocations": None},
    ]  # fmt: skip
    for _ in range(200):
        before = make_row("fn", **rng.choice(changes))
        after = make_row("fn", **{**rng.choice(changes), **rng.choice(changes)})
        old = render_cells(before, health(before), columns, ctx, frozenset())
        reused = rerender_cells(after, health(after), columns, ctx, frozenset(), (before, health(before), old))
        assert reused == render_cells(after, health(after), columns, ctx, frozenset())


def test_fleet_view_cells_follow_every_change() -> None:
    view = FleetView()
    columns, width = choose_columns(200, multi_region=False)
    rows = [make_row(f"fn{i}", invocations=100 * i) for i in range(20)]
    for step in range(5):
        view.update(make_snapshot(rows, generated_at=NOW + timedelta(seconds=step)))
        shown = dict(view.cells(view.rows(), columns, view.context(width)))
        for row in rows:
            fresh = render_cells(row, view.verdict(row), columns, view.context(width), frozenset())
            assert shown[row.arn] == fresh
        rows = [
            make_row(r.name, invocations=(r.invocations or 0) + step, errors=step % 3)
            if i % (step + 2) == 0 else r
            for i, r in enumerate(rows)
        ]  # fmt: skip
