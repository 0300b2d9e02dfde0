"""X-Ray traces of the demo: sampled like Lambda, shaped like Lambda's, and read back intact."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambdatop.demo.clients import make_clients
from lambdatop.demo.configuration import initial_state
from lambdatop.demo.emitter import Emitter
from lambdatop.demo.fleet import Fleet, FunctionSpec
from lambdatop.demo.logformat import HOSTILE_MESSAGE, invocation_log_events
from lambdatop.demo.scenarios import build_demo_fleet
from lambdatop.demo.seeder import SeededAccount, seed_account
from lambdatop.demo.server import DemoServer
from lambdatop.demo.traces import trace_segments
from lambdatop.demo.traffic import TRACES_PER_MINUTE_MAX, Invocation, minute_traffic
from lambdatop.model.reports import parse_report_line
from tests.demo.test_traffic_writer import FakeCloudWatch, FakeLogs, FakeSQS

FLEET = build_demo_fleet()
STATE = initial_state(FLEET)
TRACED = [s for s in FLEET.functions if s.tracing_active]
ZERO = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
ZERO_MS = round(ZERO.timestamp() * 1000)
TRACE_ID = re.compile(r"1-([0-9a-f]{8})-[0-9a-f]{24}")


def _arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


def _invocations(name: str, minutes: range = range(-60, 0), seed: int = 7) -> Iterator[tuple[int, Invocation]]:
    spec = FLEET.function(name)
    for minute in minutes:
        for inv in minute_traffic(spec, minute, STATE[name], seed).invocations:
            yield minute, inv


def _segments(spec: FunctionSpec, minute: int, inv: Invocation) -> tuple[dict[str, Any], dict[str, Any]]:
    service, function = trace_segments(spec, inv, ZERO_MS + minute * 60_000, _arn(spec.name), "us-east-1")
    return service, function


def _subsegments(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for sub in document.get("subsegments", ()):
        yield sub
        yield from _subsegments(sub)


def _flags(document: dict[str, Any]) -> set[str]:
    return {
        flag for part in (document, *_subsegments(document)) for flag in ("error", "throttle", "fault") if flag in part
    }


def _duration_ms(part: dict[str, Any]) -> float:
    return float(part["end_time"] - part["start_time"]) * 1000


def _named(document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [s for s in _subsegments(document) if s["name"] == name]


# ---- sampling --------------------------------------------------------------------------------


def test_only_traced_functions_are_sampled_and_at_most_five_a_minute() -> None:
    for spec in FLEET.functions:
        per_minute = Counter(m for m, inv in _invocations(spec.name) if inv.sampled)
        if not spec.tracing_active:
            assert not per_minute, spec.name
            continue
        assert per_minute, spec.name
        assert max(per_minute.values()) <= TRACES_PER_MINUTE_MAX
    # At 24 requests a minute the reservoir alone would trace nearly all of them: the cap bites.
    busy = Counter(m for m, inv in _invocations("checkout-api") if inv.sampled)
    assert Counter(busy.values()).most_common(1)[0][0] == TRACES_PER_MINUTE_MAX


def test_sampling_draws_nothing_so_the_traffic_is_unchanged() -> None:
    spec = FLEET.function("checkout-api")
    untraced = replace(spec, tracing_active=False)
    for minute in range(-10, 0):
        traced_minute = minute_traffic(spec, minute, STATE[spec.name], 7)
        plain_minute = minute_traffic(untraced, minute, STATE[spec.name], 7)
        assert [replace(i, sampled=False) for i in traced_minute.invocations] == list(plain_minute.invocations)
        assert traced_minute == minute_traffic(spec, minute, STATE[spec.name], 7)


def test_report_lines_name_the_trace_only_when_sampled() -> None:
    for name in ("pricing-engine", "checkout-api"):  # text and JSON formats
        spec = FLEET.function(name)
        seen = Counter[bool]()
        for minute, inv in _invocations(name, range(-10, 0)):
            report = parse_report_line(
                invocation_log_events(spec, inv, ZERO_MS + minute * 60_000, ZERO_MS, "r")[-1].message
            )
            assert report is not None
            seen[inv.sampled] += 1
            if not inv.sampled:
                assert report.xray_trace_id is None
                continue
            service, function = _segments(spec, minute, inv)
            assert report.xray_trace_id == service["trace_id"] == function["trace_id"]
        assert seen[True] > 0, name
        assert seen[False] > 0, name


# ---- document shape ---------------------------------------------------------------------------


def test_cold_start_trace_matches_its_report_line() -> None:
    spec = FLEET.function("pricing-engine")
    minute, cold = next((m, i) for m, i in _invocations(spec.name) if i.cold and i.sampled)
    service, function = _segments(spec, minute, cold)
    report_line = invocation_log_events(spec, cold, ZERO_MS + minute * 60_000, ZERO_MS, "r")[-1].message
    segment_id = re.search(r"SegmentId: ([0-9a-f]{16})", report_line)

    assert (service["origin"], function["origin"]) == ("AWS::Lambda", "AWS::Lambda::Function")
    assert service["name"] == function["name"] == spec.name
    assert function["parent_id"] == service["id"]
    assert segment_id is not None
    assert segment_id.group(1) == function["id"]
    match = TRACE_ID.fullmatch(function["trace_id"])
    assert match is not None
    assert int(match.group(1), 16) == math.floor(function["start_time"])
    assert [s["name"] for s in function["subsegments"]] == ["Initialization", "Invocation", "Overhead"]
    (init,) = _named(function, "Initialization")
    (invocation,) = _named(function, "Invocation")
    assert cold.init_ms is not None
    assert cold.init_ms > 3000
    assert _duration_ms(init) == pytest.approx(cold.init_ms, abs=0.01)
    assert _duration_ms(invocation) == pytest.approx(cold.duration_ms, abs=0.01)
    assert init["end_time"] == invocation["start_time"]
    assert [s["name"] for s in invocation["subsegments"]] == ["DynamoDB"]
    assert service["start_time"] <= init["start_time"]
    assert invocation["end_time"] <= service["end_time"]


def test_warm_successful_traces_carry_no_initialization_and_no_flags() -> None:
    spec = FLEET.function("checkout-api")
    warm = [(m, i) for m, i in _invocations(spec.name) if i.sampled and not i.cold and not i.error]
    assert len(warm) > 100
    for minute, inv in warm:
        service, function = _segments(spec, minute, inv)
        assert not _named(function, "Initialization")
        assert not _flags(service)
        assert not _flags(function)
        names = [s["name"] for s in _named(function, "Invocation")[0]["subsegments"]]
        assert names == ["DynamoDB", "payments.partner.example", "DynamoDB"]


def test_flags_follow_the_traffic_model() -> None:
    checkout = FLEET.function("checkout-api")
    failed = [(m, i) for m, i in _invocations(checkout.name, range(-300, 0)) if i.sampled and i.error]
    versions = Counter(i.version for _, i in failed)
    assert versions["2"] > 3 * versions["1"]  # the canary carries 10 % of the traffic, most errors
    declined = 0
    for minute, inv in failed:
        _, function = _segments(checkout, minute, inv)
        assert function["fault"] is True
        message = function["cause"]["exceptions"][0]["message"]
        payments = _named(function, "payments.partner.example")
        if message.startswith("PaymentDeclinedError"):
            declined += 1
            assert payments[0]["error"] is True
            assert payments[0]["http"]["response"]["status"] == 402
            assert "fault" not in payments[0]
            assert len(_named(function, "DynamoDB")) == 1  # the order is not written
        else:
            assert _flags(function) == {"fault"}  # a bug in the new code: no downstream is to blame
    assert declined > 0

    poller = FLEET.function("partner-feed-poller")
    timed_out = [(m, i) for m, i in _invocations(poller.name) if i.sampled and i.timed_out]
    assert timed_out
    for minute, inv in timed_out:
        _, function = _segments(poller, minute, inv)
        (feed,) = _named(function, "feed.partner.example")
        (invocation,) = _named(function, "Invocation")
        assert feed["fault"] is True
        assert feed["end_time"] == invocation["end_time"]
        assert _duration_ms(invocation) >= poller.timeout_s * 1000
        assert function["cause"]["exceptions"][0]["type"] == "Sandbox.Timedout"
    hostile = next((m, i) for m, i in _invocations(poller.name) if i.sampled and i.hostile and not i.timed_out)
    _, function = _segments(poller, *hostile)
    assert function["cause"]["exceptions"][0]["message"] == HOSTILE_MESSAGE  # verbatim: readers sanitise
    assert _flags(function) == {"fault"}  # the feed answered; the garbage broke the handler

    clicks = FLEET.function("clickstream-processor")
    throttled = [(m, i) for m, i in _invocations(clicks.name, range(-300, 0)) if i.sampled and i.error]
    assert throttled
    for minute, inv in throttled:
        _, function = _segments(clicks, minute, inv)
        (dynamo,) = _named(function, "DynamoDB")
        assert dynamo["throttle"] is True
        assert dynamo["error"] is True
        assert dynamo["aws"]["table_name"] == "clickstream-sessions"


# ---- writing ---------------------------------------------------------------------------------


class FakeXRay:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def put_trace_segments(self, TraceSegmentDocuments: list[str]) -> dict[str, Any]:
        self.calls.append(list(TraceSegmentDocuments))
        return {"UnprocessedTraceSegments": []}

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(d) for call in self.calls for d in call]


def _emitter(origin: int) -> tuple[Emitter, dict[str, Any]]:
    clients: dict[str, Any] = {"cloudwatch": FakeCloudWatch(), "logs": FakeLogs(), "sqs": FakeSQS(), "xray": FakeXRay()}
    emitter = Emitter(
        clients=clients,
        fleet=FLEET,
        seed=7,
        region="us-east-1",
        zero_at=ZERO,
        watermark=ZERO + timedelta(minutes=origin),
        origin_minute=origin,
        function_arns={s.name: _arn(s.name) for s in FLEET.functions},
        queue_urls={q.name: f"http://queue/{q.name}" for q in FLEET.queues},
    )
    return emitter, clients


def test_each_trace_is_written_once_with_its_report_line_and_volume_stays_small() -> None:
    bulk, bulk_clients = _emitter(origin=-10)
    stats = bulk.emit(ZERO + timedelta(minutes=2), STATE)
    ticked, ticked_clients = _emitter(origin=-10)
    moment = ticked.watermark
    while moment < ZERO + timedelta(minutes=2):
        moment = min(moment + timedelta(seconds=7.3), ZERO + timedelta(minutes=2))
        ticked.emit(moment, STATE)

    documents = bulk_clients["xray"].documents()
    assert stats.trace_segments == len(documents) > 0
    assert sorted(map(json.dumps, documents)) == sorted(map(json.dumps, ticked_clients["xray"].documents()))
    assert all(len(call) <= 50 for call in bulk_clients["xray"].calls)
    per_function_minute = Counter(
        (d["name"], math.floor(d["start_time"] / 60)) for d in documents if d["origin"] == "AWS::Lambda::Function"
    )
    assert max(per_function_minute.values()) <= TRACES_PER_MINUTE_MAX
    assert {name for name, _ in per_function_minute} == {s.name for s in TRACED}
    assert len(documents) <= 2 * TRACES_PER_MINUTE_MAX * len(TRACED) * 12
    reports = [parse_report_line(event[3]) for event in bulk_clients["logs"].events]
    named = {r.xray_trace_id for r in reports if r is not None and r.xray_trace_id}
    assert named == {d["trace_id"] for d in documents}


# ---- read back from the demo server -----------------------------------------------------------

REGION = "ap-southeast-2"  # moto's backends are per process: keep this module's account apart
SMALL = Fleet(
    functions=tuple(
        FLEET.function(n) for n in ("pricing-engine", "checkout-api", "partner-feed-poller", "email-sender")
    ),
    queues=FLEET.queues,
)


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[SeededAccount, dict[str, Any]]]:
    with DemoServer() as server:
        account = seed_account(server.endpoint_url, server.credentials, REGION, 7, fleet=SMALL)
        clients = make_clients(server.endpoint_url, server.credentials, REGION, ("xray", "logs"))
        yield account, clients


def _read_traces(xray: Any, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    traces: dict[str, list[dict[str, Any]]] = {}
    for start in range(0, len(ids), 5):  # BatchGetTraces takes 1-5 ids
        for trace in xray.batch_get_traces(TraceIds=ids[start : start + 5])["Traces"]:
            traces[trace["Id"]] = [json.loads(s["Document"]) for s in trace["Segments"]]
    return traces


@pytest.mark.slow
def test_backfilled_traces_read_back_with_cold_starts_and_faults(seeded: tuple[SeededAccount, dict[str, Any]]) -> None:
    account, aws = seeded
    zero_ms = round(account.zero_at.timestamp() * 1000)
    expected = {
        spec.name: sum(
            1
            for minute in range(-60, 0)
            for inv in minute_traffic(spec, minute, STATE[spec.name], 7).invocations
            if inv.sampled and inv.stamps_ms(zero_ms + minute * 60_000)[2] <= zero_ms
        )
        for spec in SMALL.functions
    }
    assert expected["email-sender"] == 0
    assert account.backfill_stats is not None
    assert account.backfill_stats.trace_segments == 2 * sum(expected.values())

    summaries = [
        summary
        for page in aws["xray"]
        .get_paginator("get_trace_summaries")
        .paginate(StartTime=account.zero_at - timedelta(minutes=61), EndTime=account.zero_at + timedelta(minutes=1))
        for summary in page["TraceSummaries"]
    ]
    assert len(summaries) == sum(expected.values())

    # Cold starts: the REPORT lines name their trace; its Initialization lasts the Init Duration.
    events = aws["logs"].filter_log_events(logGroupName="/aws/lambda/pricing-engine", filterPattern="REPORT")
    colds = [r for e in events["events"] if (r := parse_report_line(e["message"])) and r.init_ms and r.xray_trace_id]
    assert colds
    traces = _read_traces(aws["xray"], [r.xray_trace_id for r in colds if r.xray_trace_id])
    for report in colds:
        segments = traces[report.xray_trace_id or ""]
        assert sorted(s["origin"] for s in segments) == ["AWS::Lambda", "AWS::Lambda::Function"]
        function = next(s for s in segments if s["origin"] == "AWS::Lambda::Function")
        (init,) = _named(function, "Initialization")
        assert _duration_ms(init) == pytest.approx(report.init_ms, abs=0.01)
        assert _duration_ms(_named(function, "Invocation")[0]) == pytest.approx(report.duration_ms, abs=0.01)

    # Faults: the summaries flag them; the documents say where they happened.
    faulty = _read_traces(aws["xray"], [s["Id"] for s in summaries if s.get("HasFault")])
    assert faulty
    names = Counter[str]()
    flagged_calls = Counter[tuple[str, str]]()
    for segments in faulty.values():
        function = next(s for s in segments if s["origin"] == "AWS::Lambda::Function")
        names[function["name"]] += 1
        assert function["fault"] is True
        for call in _named(function, "Invocation")[0].get("subsegments", ()):
            flagged_calls.update((call["name"], flag) for flag in _flags(call))
    assert set(names) <= {"pricing-engine", "checkout-api", "partner-feed-poller"}
    assert names["partner-feed-poller"] > 0
    assert names["checkout-api"] > 0
    assert flagged_calls[("feed.partner.example", "fault")] > 0  # timeouts and connection errors
    assert flagged_calls[("payments.partner.example", "error")] > 0  # the canary's declined cards
