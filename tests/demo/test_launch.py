"""start_demo: one seeded account, continued by the live simulator, timings recorded."""

from __future__ import annotations

import time
from datetime import timedelta

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


def test_first_screen_first_then_the_rest_and_the_simulator_once_told_to_go_on() -> None:
    demo = start_demo(3, live=True, backfill_minutes=6, first_screen_minutes=2, hold_s=60)
    try:
        account = find_account(demo.endpoint_url, demo.region, 3)
        assert account is not None
        assert account.backfill_pending  # the older minutes wait for the first screen
        assert demo.simulator is None  # and the simulator for them: they share the emitter
        assert not demo.backfilled.is_set()
        demo.go_on()
        assert demo.wait_until_backfilled(30)
        assert demo.backfill_error is None
        assert not account.backfill_pending
        assert demo.simulator is not None
        assert demo.simulator.running
        assert demo.simulator.emitter is account.emitter
        assert account.backfill_stats is not None
        assert account.backfill_stats.since == account.zero_at - timedelta(minutes=6)
    finally:
        demo.stop()
    assert demo.simulator is None


def test_the_rest_goes_on_by_itself_after_the_hold() -> None:
    demo = start_demo(3, live=False, backfill_minutes=4, first_screen_minutes=1, hold_s=0.2)
    try:
        assert demo.wait_until_backfilled(30)
        account = find_account(demo.endpoint_url, demo.region, 3)
        assert account is not None
        assert not account.backfill_pending
        assert demo.simulator is None  # not live: the account stays as the backfill left it
    finally:
        demo.stop()


def test_stopping_while_the_rest_waits_writes_nothing_more_and_starts_no_simulator() -> None:
    demo = start_demo(3, live=True, backfill_minutes=4, first_screen_minutes=1, hold_s=60)
    account = find_account(demo.endpoint_url, demo.region, 3)
    assert account is not None
    started = time.monotonic()
    demo.stop()
    assert time.monotonic() - started < 5
    assert demo.backfilled.wait(5)
    assert account.backfill_pending  # the rest was never written
    assert demo.simulator is None
