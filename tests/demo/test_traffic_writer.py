"""The writer: what reaches the AWS APIs, checked with recording fakes (no server).

The property that matters most: writing a stretch of time tick by tick writes exactly what
writing it at once does, so live totals never double count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from lambdatop.clock import FakeClock
from lambdatop.demo.configuration import initial_state
from lambdatop.demo.emitter import Emitter
from lambdatop.demo.fleet import Fleet
from lambdatop.demo.scenarios import build_demo_fleet
from lambdatop.demo.seeder import SeededAccount
from lambdatop.demo.simulator import Simulator
from tests.demo.ground_truth import expected_window_totals

ZERO = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
FULL = build_demo_fleet()
SMALL = Fleet(
    functions=tuple(
        FULL.function(n) for n in ("video-transcoder", "checkout-api", "order-events-consumer", "clickstream-processor")
    ),
    queues=FULL.queues,
    streams=FULL.streams,
)


class _Exists(Exception):
    pass


class _Missing(Exception):
    pass


class FakeCloudWatch:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[dict[str, Any]]]] = []

    def put_metric_data(self, Namespace: str, MetricData: list[dict[str, Any]]) -> None:
        self.calls.append((Namespace, MetricData))

    def datums(self) -> list[tuple[str, dict[str, Any]]]:
        return [(ns, d) for ns, data in self.calls for d in data]


class FakeLogs:
    exceptions = SimpleNamespace(ResourceAlreadyExistsException=_Exists, ResourceNotFoundException=_Missing)

    def __init__(self) -> None:
        self.streams: set[tuple[str, str]] = set()
        self.events: list[tuple[str, str, int, str]] = []
        self.batches: list[list[int]] = []

    def create_log_stream(self, logGroupName: str, logStreamName: str) -> None:
        if (logGroupName, logStreamName) in self.streams:
            raise _Exists
        self.streams.add((logGroupName, logStreamName))

    def create_log_group(self, logGroupName: str) -> None:
        pass

    def put_log_events(self, logGroupName: str, logStreamName: str, logEvents: list[dict[str, Any]]) -> None:
        assert (logGroupName, logStreamName) in self.streams, "stream must exist first"
        self.batches.append([e["timestamp"] for e in logEvents])
        self.events += [(logGroupName, logStreamName, e["timestamp"], e["message"]) for e in logEvents]


class FakeSQS:
    def __init__(self) -> None:
        self.sent: dict[str, list[str]] = defaultdict(list)

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> None:
        assert len(Entries) <= 10
        self.sent[QueueUrl] += [e["MessageBody"] for e in Entries]

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: Sequence[str]) -> dict[str, Any]:
        return {"Attributes": {"ApproximateNumberOfMessages": str(len(self.sent[QueueUrl]))}}


def _emitter(fleet: Fleet, origin: int = -20) -> tuple[Emitter, dict[str, Any]]:
    clients: dict[str, Any] = {"cloudwatch": FakeCloudWatch(), "logs": FakeLogs(), "sqs": FakeSQS()}
    emitter = Emitter(
        clients=clients,
        fleet=fleet,
        seed=11,
        region="us-east-1",
        zero_at=ZERO,
        watermark=ZERO + timedelta(minutes=origin),
        origin_minute=origin,
        function_arns={s.name: f"arn:aws:lambda:us-east-1:123456789012:function:{s.name}" for s in fleet.functions},
        queue_urls={q.name: f"http://queue/{q.name}" for q in fleet.queues},
    )
    return emitter, clients


def _count_sums(cloudwatch: FakeCloudWatch) -> Counter[tuple[str, tuple[tuple[str, str], ...], str, int]]:
    """Sum of each count metric per (series, minute) — what a Sum query would read."""
    sums: Counter[tuple[str, tuple[tuple[str, str], ...], str, int]] = Counter()
    for ns, d in cloudwatch.datums():
        if d["MetricName"] in ("Invocations", "Errors", "Throttles"):
            dims = tuple((x["Name"], x["Value"]) for x in d["Dimensions"])
            minute = int((d["Timestamp"] - ZERO).total_seconds() // 60)
            sums[(ns, dims, d["MetricName"], minute)] += int(d["Value"])
    return sums


def test_tick_by_tick_writes_exactly_what_one_emit_writes() -> None:
    bulk, bulk_clients = _emitter(SMALL)
    bulk.emit(ZERO + timedelta(minutes=3), initial_state(SMALL))
    ticked, ticked_clients = _emitter(SMALL)
    moment = ticked.watermark
    while moment < ZERO + timedelta(minutes=3):
        moment = min(moment + timedelta(seconds=7.3), ZERO + timedelta(minutes=3))
        ticked.emit(moment, initial_state(SMALL))

    assert _count_sums(ticked_clients["cloudwatch"]) == _count_sums(bulk_clients["cloudwatch"])
    assert sorted(ticked_clients["logs"].events) == sorted(bulk_clients["logs"].events)
    assert ticked_clients["sqs"].sent == bulk_clients["sqs"].sent
    durations: Counter[tuple[str, float]] = Counter()
    for clients, sign in ((ticked_clients, 1), (bulk_clients, -1)):
        for _, d in clients["cloudwatch"].datums():
            if d["MetricName"] == "Duration":
                for v, c in zip(d["Values"], d["Counts"], strict=True):
                    durations[(d["Dimensions"][0]["Value"], v)] += sign * c
    assert not +durations
    assert not -durations


def test_written_counts_match_the_ground_truth() -> None:
    emitter, clients = _emitter(SMALL)
    emitter.emit(ZERO, initial_state(SMALL))
    truth = expected_window_totals(SMALL, 11, -20, -1, origin_minute_index=-20)
    sums = _count_sums(clients["cloudwatch"])
    for spec in SMALL.functions:
        series = ("AWS/Lambda", (("FunctionName", spec.name),))
        got = {
            name: sum(v for k, v in sums.items() if k[:2] == series and k[2] == name)
            for name in ("Invocations", "Errors", "Throttles")
        }
        assert got == {
            "Invocations": truth[spec.name].invocations,
            "Errors": truth[spec.name].errors,
            "Throttles": truth[spec.name].throttles,
        }
        reports = [
            e
            for e in clients["logs"].events
            if (e[0] == spec.log_group and "platform.report" in e[3])
            or (e[0] == spec.log_group and e[3].startswith("REPORT "))
        ]
        assert len(reports) == truth[spec.name].reports
    dlq = clients["sqs"].sent["http://queue/order-events-dlq"]
    assert len(dlq) == truth["order-events-consumer"].failure_messages > 0


def test_metric_timestamps_stay_strictly_inside_their_minute_and_not_ahead() -> None:
    emitter, clients = _emitter(SMALL, origin=-5)
    emitter.emit(ZERO, initial_state(SMALL))
    until = ZERO + timedelta(seconds=95)
    emitter.emit(until, initial_state(SMALL))
    for _, d in clients["cloudwatch"].datums():
        into_minute = d["Timestamp"].timestamp() % 60
        assert 0 < into_minute < 60
        assert d["Timestamp"] <= until


def test_batches_respect_the_api_limits() -> None:
    emitter, clients = _emitter(FULL, origin=-30)
    emitter.emit(ZERO, initial_state(FULL))
    for _, data in clients["cloudwatch"].calls:
        assert len(data) <= 1000
        for d in data:
            assert len(d.get("Values", ())) <= 150
            assert [x["Name"] for x in d["Dimensions"]] in (
                [],
                ["FunctionName"],
                ["FunctionName", "Resource"],
                ["FunctionName", "Resource", "ExecutedVersion"],
                ["QueueName"],
            )
    for batch in clients["logs"].batches:
        assert batch == sorted(batch)
        assert len(batch) <= 10_000


def test_gauges_are_written_once_per_completed_minute() -> None:
    emitter, clients = _emitter(SMALL, origin=-2)
    emitter.emit(ZERO, initial_state(SMALL))
    for second in range(5, 125, 5):
        emitter.emit(ZERO + timedelta(seconds=second), initial_state(SMALL))
    gauges = Counter(
        (
            d["MetricName"],
            tuple(x["Value"] for x in d["Dimensions"]),
            int((d["Timestamp"] - ZERO).total_seconds() // 60),
        )
        for _, d in clients["cloudwatch"].datums()
        if d["MetricName"]
        in ("ConcurrentExecutions", "ClaimedAccountConcurrency", "IteratorAge", "ApproximateNumberOfMessagesVisible")
    )
    assert gauges
    assert set(gauges.values()) == {1}
    minutes = {minute for (_, _, minute) in gauges}
    assert minutes == {-2, -1, 0, 1}  # minute 2 has not completed yet
    transcoder = [
        v for (n, dims, m), v in gauges.items() if n == "ConcurrentExecutions" and dims == ("video-transcoder",)
    ]
    assert len(transcoder) == 4


def test_account_level_values_cover_every_function() -> None:
    emitter, clients = _emitter(FULL, origin=-3)
    emitter.emit(ZERO, initial_state(FULL))
    per_function: dict[str, float] = {}
    account: dict[str, float] = {}
    for _, d in clients["cloudwatch"].datums():
        if d["MetricName"] != "ConcurrentExecutions":
            continue
        if not d["Dimensions"]:
            account[d["Timestamp"]] = d["Value"]
        elif len(d["Dimensions"]) == 1:
            per_function[d["Timestamp"]] = max(per_function.get(d["Timestamp"], 0), d["Value"])
    claimed = [d["Value"] for _, d in clients["cloudwatch"].datums() if d["MetricName"] == "ClaimedAccountConcurrency"]
    assert account
    for stamp, value in account.items():
        assert value >= per_function[stamp]  # the account series is never below a function's
    reserved = sum(s.reserved_concurrency or 0 for s in FULL.functions)
    assert min(claimed) >= reserved + 300  # the noisy neighbour is visible at account level


def test_a_long_pause_is_skipped_not_replayed() -> None:
    emitter, clients = _emitter(SMALL, origin=-1)
    emitter.emit(ZERO, initial_state(SMALL))
    written = len(clients["logs"].events)
    emitter.skip_to(ZERO + timedelta(hours=3))
    emitter.emit(ZERO + timedelta(hours=3, seconds=30), initial_state(SMALL))
    late = clients["logs"].events[written:]
    assert late
    hours_3_ms = (ZERO + timedelta(hours=3)).timestamp() * 1000
    assert all(ts > hours_3_ms for _, _, ts, _ in late)
    assert not emitter.gauge_max or min(m for _, m in emitter.gauge_max) >= 180


class FakeLambda:
    class exceptions:
        ResourceNotFoundException = _Missing

    def __init__(self, fleet: Fleet) -> None:
        self.reserved = {s.name: s.reserved_concurrency for s in fleet.functions}
        self.reads: list[str] = []

    def get_function_concurrency(self, FunctionName: str) -> dict[str, Any]:
        self.reads.append(FunctionName)
        value = self.reserved[FunctionName]
        return {} if value is None else {"ReservedConcurrentExecutions": value}

    def get_alias(self, FunctionName: str, Name: str) -> dict[str, Any]:
        return {"FunctionVersion": "1", "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.1}}}


def test_every_function_is_read_back_within_three_ticks_and_changed_ones_every_tick() -> None:
    emitter, clients = _emitter(FULL, origin=-1)
    lam = clients["lambda"] = FakeLambda(FULL)
    account = SeededAccount("http://fake", "us-east-1", 11, FULL, "123456789012", emitter, {}, {}, {}, {})
    clock = FakeClock(ZERO)
    simulator = Simulator("http://fake", ("x", "y"), "us-east-1", 11, clock=clock, account=account)
    for _ in range(3):
        clock.advance(5)
        simulator.tick()
    assert {s.name for s in FULL.functions} <= set(lam.reads)
    assert simulator.states["analytics-fanout"].reserved_concurrency is None

    lam.reserved["analytics-fanout"] = 0  # the operator stops the noisy neighbour
    for _ in range(3):
        clock.advance(5)
        simulator.tick()
    assert simulator.states["analytics-fanout"].reserved_concurrency == 0
    lam.reads.clear()
    clock.advance(5)
    simulator.tick()
    assert "analytics-fanout" in lam.reads
    assert len(lam.reads) <= simulator.max_reads_per_tick
