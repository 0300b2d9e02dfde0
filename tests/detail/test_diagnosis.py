"""Throttle diagnosis, cold-start attribution and the canary verdict on constructed series."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lambdatop.model.canary import VersionStats, pick_pair, verdict
from lambdatop.model.cold_start_attribution import ColdMinute, Deploy, attribute
from lambdatop.model.throttle_diagnosis import Consumer, MinuteFigures, diagnose, top_consumers

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _at(i: int) -> datetime:
    return T0 + timedelta(minutes=i)


def test_each_throttled_minute_gets_the_limit_that_was_full() -> None:
    minutes = [
        MinuteFigures(_at(0), throttles=0, concurrency_max=12),
        MinuteFigures(_at(1), throttles=7, concurrency_max=20, claimed_account_max=400),
        MinuteFigures(_at(2), throttles=3, concurrency_max=9, claimed_account_max=960),
        MinuteFigures(_at(3), throttles=2, concurrency_max=9, claimed_account_max=500, pc_spillover=4),
        MinuteFigures(_at(4), throttles=1, concurrency_max=9, claimed_account_max=500),
    ]
    got = diagnose(minutes, reserved=20, provisioned=5, account_limit=1000)
    assert [(m.minute, m.cause) for m in got] == [
        (_at(1), "reserved-cap"),
        (_at(2), "account-pool"),
        (_at(3), "pc-spillover"),
        (_at(4), "unexplained"),
    ]
    assert got[0].evidence == "concurrency 20 of reserved 20"
    assert "`c`" in got[0].action
    assert "top consumers" in got[1].action
    assert got[2].action.startswith("add provisioned concurrency")


def test_stopped_function_and_unknown_figures() -> None:
    stopped = diagnose([MinuteFigures(_at(0), throttles=6)], reserved=0, provisioned=None, account_limit=None)
    assert stopped[0].cause == "stopped"
    assert stopped[0].throttles == 6
    unknown = diagnose([MinuteFigures(_at(0), throttles=1)], reserved=None, provisioned=None, account_limit=None)
    assert unknown[0].cause == "unexplained"
    assert "concurrency unknown" in unknown[0].evidence


def test_top_consumers_put_uncapped_functions_first() -> None:
    consumers = [
        Consumer("capped-big", 300, 300),
        Consumer("fanout", 560, None),
        Consumer("me", 900, None),
        Consumer("small", 3, None),
        Consumer("idle", 0, None),
    ]
    assert [c.name for c in top_consumers(consumers, exclude="me")] == ["fanout", "small", "capped-big"]


def _quiet(n: int, concurrency: float = 4) -> list[ColdMinute]:
    return [ColdMinute(_at(i), 1, concurrency) for i in range(n)]


def test_spike_after_a_publish_is_the_new_version() -> None:
    minutes = [*_quiet(10), ColdMinute(_at(10), 9, 4), *[ColdMinute(_at(i), 1, 4) for i in range(11, 15)]]
    (spike,) = attribute(minutes, [Deploy(_at(8), "7")])
    assert spike.minute == _at(10)
    assert spike.cause == "new-version"
    assert spike.evidence == "version 7 published 12:08 UTC"


def test_spike_after_a_config_change() -> None:
    minutes = [*_quiet(10), ColdMinute(_at(10), 8, 4)]
    (spike,) = attribute(minutes, [Deploy(_at(9))])
    assert spike.cause == "config-change"


def test_spike_with_rising_concurrency_is_scale_out() -> None:
    minutes = [*_quiet(10, concurrency=4), ColdMinute(_at(10), 12, 16)]
    (spike,) = attribute(minutes, [Deploy(_at(1), "6")])  # too long ago to matter
    assert spike.cause == "scale-out"
    assert spike.evidence == "concurrency rose from 4 to 16"


def test_no_spike_in_a_steady_trickle_and_unexplained_otherwise() -> None:
    assert attribute(_quiet(30), []) == []
    (spike,) = attribute([*_quiet(10), ColdMinute(_at(10), 6, 4)], [])
    assert spike.cause == "unexplained"


def test_canary_much_worse_is_significant_with_the_figures() -> None:
    result = verdict(
        "live", VersionStats("6", invocations=1905, errors=8), VersionStats("7", invocations=212, errors=66)
    )
    assert result.outcome == "worse"
    assert result.text == "v7 worse than v6: 31 % vs 0.4 %, p < 0.001 over 212 / 1,905 invocations"


def test_canary_with_little_traffic_cannot_be_judged() -> None:
    result = verdict("live", VersionStats("6", invocations=400, errors=2), VersionStats("7", invocations=12, errors=1))
    assert result.outcome == "not-enough-traffic"
    assert "not enough traffic to tell" in result.text
    silent = verdict("live", VersionStats("6", invocations=400, errors=2), VersionStats("7", invocations=0, errors=0))
    assert silent.outcome == "not-enough-traffic"
    assert silent.p_value is None


def test_equal_rates_with_traffic_are_no_difference() -> None:
    result = verdict(
        "live", VersionStats("1", invocations=2000, errors=20), VersionStats("2", invocations=500, errors=5)
    )
    assert result.outcome == "no-difference"


def test_pick_pair_uses_primary_and_biggest_extra_weight() -> None:
    stats = [VersionStats("1", invocations=10, errors=0), VersionStats("2", invocations=3, errors=1)]
    stable, canary = pick_pair("1", {"2": 0.1}, stats) or (None, None)
    assert stable is not None
    assert canary is not None
    assert (stable.version, canary.version, canary.invocations) == ("1", "2", 3)
    assert pick_pair("1", {}, stats) is None


def test_a_deploy_stamped_ahead_of_our_clock_is_still_marked() -> None:
    # AWS stamped the deploy 40 s after what this bastion's slow clock calls now.
    from lambdatop.model.function_build import DetailReads, build_snapshot
    from lambdatop.model.function_snapshot import DetailRequest, FunctionConfigView

    now = _at(60)
    reads = DetailReads(
        request=DetailRequest("checkout-api", "us-east-1"),
        now=now,
        config=FunctionConfigView("checkout-api", "arn", "us-east-1", last_modified=now + timedelta(seconds=40)),
        versions_published=[("6", _at(-5)), ("7", now + timedelta(seconds=40))],
        metric_minutes=[_at(i) for i in range(60)],
    )
    markers = build_snapshot(reads).markers
    assert [m.label for m in markers] == ["v7"]  # v6 is older than the window; config = v7's stamp
