"""End to end: the real collector's first pass cannot reach the endpoint, and the cached
picture of the account stays on screen, marked stale with the failure."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.cache import as_cached
from lambdatop.clock import SystemClock
from lambdatop.collector import Collector
from lambdatop.settings import Settings
from tests.factories import make_region, make_row, make_snapshot
from tests.ui.fakes import build_test_app, fleet_screen, settle, table_names

ACCOUNT = "111122223333"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_endpoint_keeps_the_cached_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKEFAKE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    clock = SystemClock()
    cached = as_cached(
        make_snapshot(
            [make_row("orders-api", account_id=ACCOUNT), make_row("billing", account_id=ACCOUNT)],
            regions=(make_region(account_id=ACCOUNT),),
            generated_at=clock.now() - timedelta(minutes=5),
        )
    )
    pool = ClientPool(AwsTarget(endpoint_url=f"http://127.0.0.1:{_closed_port()}"))
    collector = Collector(pool, ["us-east-1"], clock, window_minutes=15, owns_pool=True)
    app = build_test_app(
        source=collector, settings=Settings(regions=("us-east-1",)), clock=clock, initial_snapshot=cached
    )
    async with app.run_test(size=(100, 30)) as pilot:
        screen = fleet_screen(pilot)
        await settle(pilot, lambda: "unreachable" in screen.status_bar.plain_text.lower(), timeout_s=30)
        assert sorted(table_names(pilot)) == ["billing", "orders-api"]
        assert "CACHED 5m old" in screen.status_bar.plain_text
        assert str(screen.table.get_row_at(0)[2]).endswith("?")
