"""Logs Insights in the cost plan and the budget, its config key, and the path on screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambdatop.cadence import Cadence, plan_tiers
from lambdatop.settings import ConfigError, load_settings
from lambdatop.ui.widgets.status_bar import StatusFacts, status_content
from tests.factories import NOW, make_row, make_snapshot


def test_the_plan_prices_logs_insights_as_its_own_tier() -> None:
    plan = plan_tiers(Cadence(), 6, 400, 2000, logs_usd_per_hour=0.25)
    costs = plan.hourly_usd(Cadence())
    assert costs["logs"] == 0.25
    assert sum(costs.values()) == pytest.approx(costs["trip-wire"] + costs["hot"] + costs["fleet"] + 0.25)


def test_logs_count_against_the_budget_before_the_fleet_tier() -> None:
    cadence = Cadence(budget_usd_per_hour=0.30)
    without = plan_tiers(cadence, 6, 200, 500)
    with_logs = plan_tiers(cadence, 6, 200, 500, logs_usd_per_hour=0.15)
    assert with_logs.fleet_s > without.fleet_s  # less room left for the fleet tier
    total = sum(with_logs.hourly_usd(cadence).values())
    assert total == pytest.approx(0.30, rel=0.01)


def test_max_concurrent_queries_is_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert load_settings({}, env={}, config_path=config).logs_max_concurrent_queries == 4
    config.write_text("[logs]\nmax_concurrent_queries = 2\n", encoding="utf-8")
    assert load_settings({}, env={}, config_path=config).logs_max_concurrent_queries == 2
    config.write_text("[logs]\nmax_concurrent_queries = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_concurrent_queries"):
        load_settings({}, env={}, config_path=config)


@pytest.mark.parametrize(("path", "label"), [("insights", "logs·Insights"), ("filter", "logs·filter"), (None, "logs ")])
def test_the_status_line_says_where_cold_starts_came_from(path: str | None, label: str) -> None:
    snapshot = make_snapshot([make_row("fn")], logs_path=path)
    text = status_content(snapshot, StatusFacts(now=NOW, next_refresh_s=30, shown=1, total=1), 80).plain
    assert label in text
