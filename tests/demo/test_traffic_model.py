"""The demo's traffic model: deterministic, scenario-shaped, and reactive to configuration."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from lambdatop.demo.bench_fleet import build_bench_fleet
from lambdatop.demo.configuration import AliasState, FunctionState, initial_state
from lambdatop.demo.logformat import HOSTILE_MESSAGE, invocation_log_events
from lambdatop.demo.scenarios import ANSI_ESCAPE_TAG, RICH_MARKUP_TAG, build_demo_fleet
from lambdatop.demo.traffic import MinuteTraffic, minute_traffic
from lambdatop.model.reports import parse_report_line
from tests.demo.ground_truth import expected_window_totals

FLEET = build_demo_fleet()
STATE = initial_state(FLEET)
BACKFILL = range(-60, 0)


def _hour(name: str, state: FunctionState | None = None, seed: int = 7) -> list[MinuteTraffic]:
    spec = FLEET.function(name)
    return [minute_traffic(spec, m, state or STATE[name], seed) for m in BACKFILL]


def test_same_seed_same_minute_gives_identical_traffic() -> None:
    spec = FLEET.function("checkout-api")
    first = minute_traffic(spec, -12, STATE[spec.name], 7)
    again = minute_traffic(spec, -12, STATE[spec.name], 7)
    assert first == again
    assert first.invocations, "checkout-api takes traffic every minute"


def test_another_seed_or_minute_gives_other_traffic() -> None:
    spec = FLEET.function("checkout-api")
    base = minute_traffic(spec, -12, STATE[spec.name], 7)
    assert minute_traffic(spec, -12, STATE[spec.name], 8) != base
    assert minute_traffic(spec, -11, STATE[spec.name], 7) != base


def test_fleet_has_two_dozen_varied_functions() -> None:
    runtimes = {s.runtime for s in FLEET.functions}
    assert 22 <= len(FLEET.functions) <= 26
    assert len({s.name for s in FLEET.functions}) == len(FLEET.functions)
    assert {"python3.12", "python3.13", "nodejs22.x", "java21", "provided.al2023"} <= runtimes
    assert {"ruby3.3", "dotnet8"} <= runtimes
    assert {s.architecture for s in FLEET.functions} == {"x86_64", "arm64"}
    assert {s.log_format for s in FLEET.functions} == {"Text", "JSON"}
    assert any(s.tracing_active for s in FLEET.functions)
    tag_values = {v for s in FLEET.functions for v in s.tags.values()}
    assert RICH_MARKUP_TAG in tag_values
    assert ANSI_ESCAPE_TAG in tag_values
    assert min(s.memory_mb for s in FLEET.functions) >= 128
    assert max(s.memory_mb for s in FLEET.functions) <= 3008


def test_capped_function_throttles_at_its_cap() -> None:
    hour = _hour("video-transcoder")
    assert sum(m.throttles for m in hour) > 100
    assert {m.concurrency_max for m in hour if m.invocations} == {20}


def test_raising_the_cap_stops_throttles_and_keeps_the_requests() -> None:
    capped = _hour("video-transcoder")
    raised = _hour("video-transcoder", FunctionState(reserved_concurrency=200))
    assert sum(m.throttles for m in raised) == 0
    assert [m.requests for m in raised] == [m.requests for m in capped]
    # The same requests ran: every request that ran under the cap also ran above it.
    for low, high in zip(capped, raised, strict=True):
        assert {i.request_id for i in low.invocations} <= {i.request_id for i in high.invocations}


def test_reserved_zero_throttles_every_request() -> None:
    stopped = _hour("checkout-api", FunctionState(reserved_concurrency=0, alias=STATE["checkout-api"].alias))
    assert all(not m.invocations and m.concurrency_max == 0 for m in stopped)
    assert sum(m.throttles for m in stopped) == sum(m.requests for m in stopped) > 0


def test_canary_errors_follow_the_alias_weights() -> None:
    hour = _hour("checkout-api")
    canary = [i for m in hour for i in m.invocations if i.version == "2"]
    stable = [i for m in hour for i in m.invocations if i.version == "1"]
    assert 0.05 < len(canary) / (len(canary) + len(stable)) < 0.15
    assert sum(i.error for i in canary) / len(canary) > 0.2
    assert sum(i.error for i in stable) / len(stable) < 0.02

    rolled_back = FunctionState(alias=AliasState("live", "1", {}))
    after = _hour("checkout-api", rolled_back)
    assert not [i for m in after for i in m.invocations if i.version == "2"]
    assert sum(m.errors for m in after) < sum(m.errors for m in hour) / 2


def test_java_function_has_multi_second_cold_starts() -> None:
    hour = _hour("pricing-engine")
    inits = [i for m in hour for i in m.init_durations_ms]
    invocations = sum(len(m.invocations) for m in hour)
    assert inits
    assert all(3000 <= i <= 6500 for i in inits)
    assert len(inits) / invocations > 0.03


def test_sqs_consumer_sends_a_few_dlq_messages_a_minute() -> None:
    hour = _hour("order-events-consumer")
    messages = sum(len(m.failure_messages) for m in hour)
    assert 40 <= messages <= 250


def test_stream_consumer_iterator_age_grows() -> None:
    ages = [m.iterator_age_ms or 0.0 for m in _hour("clickstream-processor")]
    assert min(ages) > 0
    assert ages == sorted(ages)
    assert ages[-1] > ages[0] * 10
    assert ages[-1] > 30 * 60_000  # half an hour behind after the backfill


def test_noisy_neighbour_dominates_account_concurrency() -> None:
    noisy = max(m.concurrency_max for m in _hour("analytics-fanout"))
    others = [max(m.concurrency_max for m in _hour(s.name)) for s in FLEET.functions if s.name != "analytics-fanout"]
    assert noisy >= 300
    assert noisy > 5 * max(others)


def test_zero_traffic_function_stays_silent() -> None:
    assert all(m.requests == 0 for m in _hour("nightly-archive"))


def test_volumes_stay_modest() -> None:
    busiest = max(s.traffic.rate_per_min for s in FLEET.functions)
    assert busiest <= 150
    events = 0
    for spec in FLEET.functions:
        for minute in _hour(spec.name):
            for inv in minute.invocations:
                events += len(invocation_log_events(spec, inv, minute.minute_index * 60_000, 0, "us-east-1"))
    assert 15_000 < events < 60_000


def test_window_totals_sum_the_minutes() -> None:
    totals = expected_window_totals(FLEET, 7, -30, -1)
    for name in ("video-transcoder", "checkout-api", "pricing-engine"):
        minutes = [minute_traffic(FLEET.function(name), m, STATE[name], 7) for m in range(-30, 0)]
        got = totals[name]
        assert got.invocations == sum(len(m.invocations) for m in minutes)
        assert got.errors == sum(m.errors for m in minutes)
        assert got.throttles == sum(m.throttles for m in minutes)
        assert got.concurrency_max == max(m.concurrency_max for m in minutes)
        durations = [d for m in minutes for d in m.durations_ms]
        assert got.duration_avg_ms == pytest.approx(sum(durations) / len(durations))
        # Reports are counted by their own timestamp: within a few of the invocations.
        assert abs(got.reports - got.invocations) <= max(5, got.invocations // 20)


def test_text_report_lines_follow_the_lambda_format() -> None:
    spec = FLEET.function("pricing-engine")
    cold = next(i for m in _hour(spec.name) for i in m.invocations if i.cold and i.sampled)
    events = invocation_log_events(spec, cold, 0, 0, "us-east-1")
    messages = [e.message for e in events]
    assert messages[0].startswith("INIT_START Runtime Version: java:21.")
    assert messages[1] == f"START RequestId: {cold.request_id} Version: $LATEST"
    report = messages[-1]
    assert report.startswith(f"REPORT RequestId: {cold.request_id}\tDuration: ")
    assert "\tInit Duration: " in report
    assert "\nXRAY TraceId: 1-" in report
    assert report.split("\n")[0].endswith(" ms\t")
    parsed = parse_report_line(report)
    assert parsed is not None
    assert parsed.init_ms == cold.init_ms
    assert parsed.duration_ms == cold.duration_ms
    assert [e.timestamp_ms for e in events] == sorted(e.timestamp_ms for e in events)


def test_warm_report_has_no_init_duration_and_timeouts_say_so() -> None:
    spec = FLEET.function("partner-feed-poller")
    invocations = [i for m in _hour(spec.name) for i in m.invocations]
    warm = next(i for i in invocations if not i.cold and not i.timed_out)
    timed_out = next(i for i in invocations if i.timed_out)
    warm_report = invocation_log_events(spec, warm, 0, 0, "us-east-1")[-1].message
    assert "Init Duration" not in warm_report
    assert "Status" not in warm_report
    report = parse_report_line(invocation_log_events(spec, timed_out, 0, 0, "us-east-1")[-1].message)
    assert report is not None
    assert report.status == "timeout"
    assert report.duration_ms is not None
    assert report.duration_ms >= spec.timeout_s * 1000


def test_json_format_functions_write_platform_events() -> None:
    spec = FLEET.function("checkout-api")
    invocations = [i for m in _hour(spec.name) for i in m.invocations]
    failing = next(i for i in invocations if i.error)
    events = [json.loads(e.message) for e in invocation_log_events(spec, failing, 0, 0, "us-east-1")]
    kinds = [e.get("type") or e.get("level") for e in events]
    assert kinds == ["platform.start", "ERROR", "platform.report"]
    assert events[-1]["record"]["status"] == "error"
    cold = next(i for i in invocations if i.cold)
    report = json.loads(invocation_log_events(spec, cold, 0, 0, "us-east-1")[-1].message)
    assert report["record"]["metrics"]["initDurationMs"] == cold.init_ms


def test_hostile_line_appears_every_few_minutes() -> None:
    spec = FLEET.function("partner-feed-poller")
    hostile = [i for m in _hour(spec.name) for i in m.invocations if i.hostile]
    assert len(hostile) >= 8
    lines = [e.message for e in invocation_log_events(spec, hostile[0], 0, 0, "us-east-1")]
    assert any(HOSTILE_MESSAGE in line and "\tERROR\t" in line for line in lines)
    assert "\x1b]52;" in HOSTILE_MESSAGE
    assert "[bold red]" in HOSTILE_MESSAGE


def test_cold_start_opens_a_new_log_stream() -> None:
    spec = FLEET.function("pricing-engine")
    invocations = [i for m in _hour(spec.name) for i in m.invocations]
    first_in_stream: dict[str, object] = {}
    for minute in _hour(spec.name):
        for inv in sorted(minute.invocations, key=lambda i: i.arrival_s):
            first_in_stream.setdefault(inv.env_id, inv)
    cold_envs = {i.env_id for i in invocations if i.cold}
    assert len(cold_envs) == sum(i.cold for i in invocations)
    for env in cold_envs:
        assert first_in_stream[env].cold  # type: ignore[attr-defined]
    stream = invocation_log_events(spec, invocations[0], 0, 0, "us-east-1")[0].stream
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", stream)


def test_bench_fleet_is_plain_and_sized() -> None:
    fleet = build_bench_fleet(500, 3)
    assert len(fleet.functions) == 500
    assert len({s.name for s in fleet.functions}) == 500
    assert fleet.functions == build_bench_fleet(500, 3).functions
    active = [s for s in fleet.functions if s.traffic.rate_per_min > 0]
    assert 0.2 < len(active) / 500 < 0.5
    assert all(s.traffic.rate_per_min <= 2 for s in fleet.functions)
    assert not fleet.queues
    assert not any(s.alias for s in fleet.functions)


def test_state_from_spec_matches_what_the_seeder_creates() -> None:
    state = FunctionState.from_spec(FLEET.function("checkout-api"))
    assert state.alias == AliasState("live", "1", {"2": 0.1})
    assert dataclasses.replace(state, reserved_concurrency=5).reserved_concurrency == 5
    assert STATE["legacy-sync"].reserved_concurrency == 0
