"""The seeded demo account, read back through the AWS APIs as any client would.

One embedded server and one seeded account for the module: every scenario a newcomer should
meet within a minute must be visible from the first snapshot, and what was written must match
the traffic model's ground truth.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from lambdatop.demo.clients import make_clients
from lambdatop.demo.logformat import HOSTILE_MESSAGE
from lambdatop.demo.scenarios import ANSI_ESCAPE_TAG, RICH_MARKUP_TAG
from lambdatop.demo.seeder import SeededAccount, seed_account
from lambdatop.demo.server import DemoServer
from lambdatop.model.reports import parse_report_line, percentile
from tests.demo.ground_truth import WindowTotals, expected_window_totals

REGION = "eu-west-1"  # moto's backends are per process: keep this module's account apart
SEED = 7

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer() as running:
        yield running


@pytest.fixture(scope="module")
def account(server: DemoServer) -> SeededAccount:
    return seed_account(server.endpoint_url, server.credentials, REGION, SEED)


@pytest.fixture(scope="module")
def aws(server: DemoServer, account: SeededAccount) -> dict[str, Any]:
    services = ("lambda", "logs", "cloudwatch", "sqs")
    return make_clients(server.endpoint_url, server.credentials, REGION, services)


@pytest.fixture(scope="module")
def truth(account: SeededAccount) -> dict[str, WindowTotals]:
    return expected_window_totals(account.fleet, SEED, -60, -1)


def _metric(
    aws: dict[str, Any],
    account: SeededAccount,
    name: str,
    dims: Sequence[tuple[str, str]],
    stat: str,
    *,
    namespace: str = "AWS/Lambda",
    period: int = 3600,
) -> list[float]:
    """Values of one metric over the backfilled hour, oldest first."""
    answer = aws["cloudwatch"].get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m",
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": name,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                    },
                    "Period": period,
                    "Stat": stat,
                },
            }
        ],
        StartTime=account.zero_at - timedelta(hours=1),
        EndTime=account.zero_at,
        ScanBy="TimestampAscending",
    )
    return list(answer["MetricDataResults"][0]["Values"])


def _fn(name: str) -> list[tuple[str, str]]:
    return [("FunctionName", name)]


def _log_events(aws: dict[str, Any], account: SeededAccount, name: str, pattern: str) -> list[str]:
    start = account.zero_at - timedelta(hours=1)
    pages = (
        aws["logs"]
        .get_paginator("filter_log_events")
        .paginate(
            logGroupName=f"/aws/lambda/{name}",
            filterPattern=pattern,
            startTime=_ms(start),
            endTime=_ms(account.zero_at) - 1,
        )
    )
    return [event["message"] for page in pages for event in page["events"]]


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _depth(aws: dict[str, Any], account: SeededAccount, queue: str) -> int:
    attributes = aws["sqs"].get_queue_attributes(
        QueueUrl=account.queue_urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_backfill_writes_an_hour_of_logs(account: SeededAccount) -> None:
    # How long seeding takes is measured by `python -m lambdatop.bench` (seed_s), not here.
    assert account.backfill_stats is not None
    assert account.backfill_stats.log_events > 10_000


def test_every_function_exists_with_its_configuration(aws: dict[str, Any], account: SeededAccount) -> None:
    pages = aws["lambda"].get_paginator("list_functions").paginate()
    listed = {f["FunctionName"]: f for page in pages for f in page["Functions"]}
    assert set(listed) == {s.name for s in account.fleet.functions}
    assert {f["Runtime"] for f in listed.values()} >= {"java21", "dotnet8", "ruby3.3", "provided.al2023"}
    checkout = aws["lambda"].get_function(FunctionName="checkout-api")
    config = checkout["Configuration"]
    assert config["Architectures"] == ["arm64"]
    assert config["TracingConfig"]["Mode"] == "Active"
    assert config["LoggingConfig"]["LogFormat"] == "JSON"
    assert checkout["Tags"]["team"] == RICH_MARKUP_TAG
    assert aws["lambda"].get_function(FunctionName="partner-feed-poller")["Tags"]["team"] == ANSI_ESCAPE_TAG
    email = aws["lambda"].get_function_configuration(FunctionName="email-sender")
    assert email["DeadLetterConfig"]["TargetArn"] == account.queue_arns["email-sender-dlq"]


def test_capped_function_throttles_against_its_cap(aws: dict[str, Any], account: SeededAccount) -> None:
    assert aws["lambda"].get_function_concurrency(FunctionName="video-transcoder")["ReservedConcurrentExecutions"] == 20
    assert _metric(aws, account, "Throttles", _fn("video-transcoder"), "Sum")[0] > 100
    per_minute = _metric(aws, account, "ConcurrentExecutions", _fn("video-transcoder"), "Maximum", period=60)
    assert len(per_minute) == 60
    assert set(per_minute) == {20.0}


def test_canary_version_errors_behind_the_weighted_alias(aws: dict[str, Any], account: SeededAccount) -> None:
    alias = aws["lambda"].get_alias(FunctionName="checkout-api", Name="live")
    assert alias["FunctionVersion"] == "1"
    assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}
    rates = {}
    for version in ("1", "2"):
        dims = [*_fn("checkout-api"), ("Resource", "checkout-api:live"), ("ExecutedVersion", version)]
        invocations = _metric(aws, account, "Invocations", dims, "Sum")[0]
        rates[version] = _metric(aws, account, "Errors", dims, "Sum")[0] / invocations
    assert rates["2"] > 0.2
    assert rates["1"] < 0.02


def test_java_cold_starts_take_seconds(
    aws: dict[str, Any], account: SeededAccount, truth: dict[str, WindowTotals]
) -> None:
    reports = [parse_report_line(m) for m in _log_events(aws, account, "pricing-engine", '"Init Duration"')]
    inits = [r.init_ms for r in reports if r is not None and r.init_ms is not None]
    assert len(inits) == truth["pricing-engine"].cold_starts >= 20
    assert min(inits) >= 3000
    assert max(inits) <= 6500


def test_sqs_consumer_dlq_is_filling(
    aws: dict[str, Any], account: SeededAccount, truth: dict[str, WindowTotals]
) -> None:
    source = aws["sqs"].get_queue_attributes(
        QueueUrl=account.queue_urls["order-events"], AttributeNames=["RedrivePolicy"]
    )
    redrive = json.loads(source["Attributes"]["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == account.queue_arns["order-events-dlq"]
    mappings = aws["lambda"].list_event_source_mappings(FunctionName="order-events-consumer")
    assert [m["EventSourceArn"] for m in mappings["EventSourceMappings"]] == [account.queue_arns["order-events"]]
    assert _depth(aws, account, "order-events") == 0  # never fed: moto would invoke the function
    assert _depth(aws, account, "order-events-dlq") == truth["order-events-consumer"].failure_messages >= 40
    dims = [("QueueName", "order-events-dlq")]
    visible = _metric(
        aws, account, "ApproximateNumberOfMessagesVisible", dims, "Maximum", namespace="AWS/SQS", period=60
    )
    assert visible == sorted(visible)
    assert visible[-1] == _depth(aws, account, "order-events-dlq")
    age = _metric(aws, account, "ApproximateAgeOfOldestMessage", dims, "Maximum", namespace="AWS/SQS")
    assert age[0] > 40 * 60


def test_stream_consumer_falls_behind(aws: dict[str, Any], account: SeededAccount) -> None:
    mapping = aws["lambda"].list_event_source_mappings(FunctionName="clickstream-processor")["EventSourceMappings"][0]
    assert mapping["EventSourceArn"] == account.stream_arns["clickstream"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == account.queue_arns["clickstream-failed-batches"]
    ages = _metric(aws, account, "IteratorAge", _fn("clickstream-processor"), "Maximum", period=60)
    assert len(ages) == 60
    assert ages[-1] > 20 * ages[0]
    assert ages == sorted(ages)


def test_noisy_neighbour_eats_account_concurrency(aws: dict[str, Any], account: SeededAccount) -> None:
    answer = aws["lambda"].get_function_concurrency(FunctionName="analytics-fanout")
    assert "ReservedConcurrentExecutions" not in answer  # no cap: it draws on the shared pool
    noisy = _metric(aws, account, "ConcurrentExecutions", _fn("analytics-fanout"), "Maximum")[0]
    claimed = _metric(aws, account, "ClaimedAccountConcurrency", [], "Maximum")[0]
    total = _metric(aws, account, "ConcurrentExecutions", [], "Maximum")[0]
    assert noisy >= 300
    assert total >= noisy
    assert claimed >= 0.6 * 1000  # of the demo server's default account limit


def test_emergency_stopped_function_only_throttles(aws: dict[str, Any], account: SeededAccount) -> None:
    assert aws["lambda"].get_function_concurrency(FunctionName="legacy-sync")["ReservedConcurrentExecutions"] == 0
    assert sum(_metric(aws, account, "Invocations", _fn("legacy-sync"), "Sum")) == 0
    assert _metric(aws, account, "Throttles", _fn("legacy-sync"), "Sum")[0] > 100


def test_async_failures_land_in_their_queues(aws: dict[str, Any], account: SeededAccount) -> None:
    config = aws["lambda"].get_function_event_invoke_config(FunctionName="webhook-dispatcher")
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == account.queue_arns["webhook-dispatcher-failures"]
    assert _depth(aws, account, "email-sender-dlq") > 0
    assert _depth(aws, account, "webhook-dispatcher-failures") > 0
    dropped = _metric(aws, account, "AsyncEventsDropped", _fn("email-sender"), "Sum")[0]
    assert dropped > 0


def test_metrics_match_the_ground_truth(
    aws: dict[str, Any], account: SeededAccount, truth: dict[str, WindowTotals]
) -> None:
    for name in ("video-transcoder", "checkout-api", "pricing-engine", "search-api", "session-cleaner"):
        expected = truth[name]
        assert _metric(aws, account, "Invocations", _fn(name), "Sum") == [expected.invocations]
        assert sum(_metric(aws, account, "Errors", _fn(name), "Sum")) == expected.errors
        assert sum(_metric(aws, account, "Throttles", _fn(name), "Sum")) == expected.throttles
        assert _metric(aws, account, "ConcurrentExecutions", _fn(name), "Maximum") == [expected.concurrency_max]
        average = _metric(aws, account, "Duration", _fn(name), "Average")[0]
        assert average == pytest.approx(expected.duration_avg_ms)
        p99 = _metric(aws, account, "Duration", _fn(name), "p99")[0]
        assert p99 == pytest.approx(percentile(expected.durations_ms, 99))


def test_report_lines_match_the_ground_truth(
    aws: dict[str, Any], account: SeededAccount, truth: dict[str, WindowTotals]
) -> None:
    for name, pattern in (
        ("pricing-engine", "REPORT"),
        ("checkout-api", '"platform.report"'),
        ("cart-api", '"platform.report"'),
    ):
        reports = [parse_report_line(m) for m in _log_events(aws, account, name, pattern)]
        parsed = [r for r in reports if r is not None]
        assert len(parsed) == len(reports) == truth[name].reports
        inits = [r.init_ms for r in parsed if r.init_ms is not None]
        assert len(inits) == truth[name].cold_starts
        assert (max(inits) if inits else None) == truth[name].init_max_ms


def test_hostile_error_line_is_stored_verbatim(aws: dict[str, Any], account: SeededAccount) -> None:
    errors = _log_events(aws, account, "partner-feed-poller", "ERROR")
    assert any(HOSTILE_MESSAGE in line for line in errors)


def test_log_streams_are_named_like_lambda_names_them(aws: dict[str, Any], account: SeededAccount) -> None:
    streams = aws["logs"].describe_log_streams(logGroupName="/aws/lambda/checkout-api")["logStreams"]
    names = [s["logStreamName"] for s in streams]
    assert names
    assert all(re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[[12]\][0-9a-f]{32}", n) for n in names)
    assert aws["logs"].describe_log_streams(logGroupName="/aws/lambda/nightly-archive")["logStreams"] == []
