"""The status bar says first what the operator must know now; `!` lists every source."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lambdatop.model.snapshot import SourceStatus
from lambdatop.ui.screens.sources import SourcesScreen
from lambdatop.ui.widgets.status_bar import StatusFacts, status_content
from tests.factories import NOW, make_row, make_snapshot, ok_sources, stale_source
from tests.ui.fakes import ScriptedSource, build_test_app, settle

UNSUPPORTED = "not supported by this endpoint (HTTP 501)"


def _unsupported(name: str) -> SourceStatus:
    return SourceStatus(name=name, ok=False, error=UNSUPPORTED)


def _emulator_snapshot() -> object:
    sources = ok_sources()
    sources["account"] = _unsupported("account")
    sources["provisioned"] = _unsupported("provisioned")
    sources["percentiles"] = _unsupported("percentiles")
    sources["metrics"] = stale_source("metrics", age_s=60, error="endpoint unreachable")
    return make_snapshot([make_row("fn")], sources=sources)


@pytest.mark.parametrize("width", [80, 100])
def test_a_transient_failure_wins_over_sources_that_can_never_answer(width: int) -> None:
    snapshot = _emulator_snapshot()
    text = status_content(snapshot, StatusFacts(now=NOW, total=1, shown=1), width).plain  # type: ignore[arg-type]
    assert "metrics STALE 1m endpoint unreachable" in text
    assert "account" not in text
    assert "NO DATA" not in text
    assert len(text) <= width


def test_unsupported_sources_are_summarised_in_one_item() -> None:
    text = status_content(_emulator_snapshot(), StatusFacts(now=NOW, total=1, shown=1), 200).plain  # type: ignore[arg-type]
    assert "3 sources unsupported" in text


def test_a_failure_that_just_started_comes_before_an_old_one() -> None:
    sources = ok_sources()
    sources["queues"] = stale_source("queues", age_s=3 * 3600, error="AccessDenied")
    sources["logs"] = stale_source("logs", age_s=30, error="throttled")
    text = status_content(make_snapshot(sources=sources), StatusFacts(now=NOW), 200).plain
    assert text.index("logs STALE") < text.index("queues STALE")
    # And at 80 columns the new failure is the one that stays.
    narrow = status_content(make_snapshot(sources=sources), StatusFacts(now=NOW, read_only=True), 60).plain
    assert "logs STALE 30s throttled" in narrow


async def test_unsupported_sources_are_announced_once_and_listed_on_bang() -> None:
    source = ScriptedSource([_emulator_snapshot()])  # type: ignore[list-item]
    app = build_test_app(source=source)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        source.emit(_emulator_snapshot())  # type: ignore[arg-type]
        await settle(pilot)
        told = [n.message for n in app._notifications if "not supported by this endpoint" in n.message]
        assert told == ["not supported by this endpoint: account, provisioned, percentiles (press ! for every source)"]
        await pilot.press("exclamation_mark")
        await settle(pilot, lambda: isinstance(app.screen, SourcesScreen))
        listing = str(app.screen.query_one("#sources-text").render())
        for name in ("account", "provisioned", "percentiles"):
            assert name in listing
        assert "UNSUPPORTED" in listing
        assert "endpoint unreachable" in listing
        assert "failing for 1m" in listing
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, SourcesScreen))


def test_failing_since_is_measured_from_the_first_failure() -> None:
    status = SourceStatus(
        name="metrics", ok=False, updated_at=NOW - timedelta(hours=2), stale_since=NOW - timedelta(seconds=90)
    )
    sources = {**ok_sources(), "metrics": status}
    text = status_content(make_snapshot(sources=sources), StatusFacts(now=NOW), 200).plain
    assert "metrics STALE 2h" in text  # the age of the numbers: what the operator reads
