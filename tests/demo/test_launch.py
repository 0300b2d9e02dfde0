"""start_demo: one seeded account, continued by the live simulator, timings recorded."""

from __future__ import annotations

import pytest

from lambdatop.demo.launch import start_demo
from lambdatop.demo.seeder import find_account

pytestmark = pytest.mark.slow


def test_live_demo_continues_the_account_it_seeded() -> None:
    demo = start_demo(3, live=True, backfill_minutes=5)
    try:
        account = find_account(demo.endpoint_url, demo.region, 3)
        assert account is not None
        assert demo.seed == 3
        assert account.emitter.origin_minute == -5
        assert demo.simulator is not None
        assert demo.simulator.running
        assert demo.simulator.emitter is account.emitter  # the backfill's watermark, not a fresh one
        assert demo.seconds_creating > 0
        assert demo.seconds_backfilling > 0
        assert demo.seconds_creating + demo.seconds_backfilling <= demo.seconds_to_seed
    finally:
        demo.stop()
    assert demo.simulator is None
