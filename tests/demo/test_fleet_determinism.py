"""A seed makes the demo reproducible: two fresh servers, same seed, same numbers read back."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambdatop.clock import FakeClock
from lambdatop.demo.clients import make_clients
from lambdatop.demo.fleet import Fleet
from lambdatop.demo.scenarios import build_demo_fleet
from lambdatop.demo.seeder import seed_account
from lambdatop.demo.server import DemoServer

START = datetime(2026, 11, 23, 3, 0, 20, tzinfo=UTC)
_FULL = build_demo_fleet()
FLEET = Fleet(
    functions=tuple(
        _FULL.function(name)
        for name in (
            "video-transcoder",
            "checkout-api",
            "pricing-engine",
            "order-events-consumer",
            "clickstream-processor",
            "cart-api",
        )
    ),
    queues=_FULL.queues,
    streams=_FULL.streams,
)

pytestmark = pytest.mark.slow


@functools.cache
def _read_back(seed: int) -> dict[str, Any]:
    """Seed a fresh server, then read a window's numbers back through the APIs."""
    with DemoServer() as server:
        region = server.region
        account = seed_account(
            server.endpoint_url,
            server.credentials,
            region,
            seed,
            fleet=FLEET,
            clock=FakeClock(START),
            backfill_minutes=10,
        )
        aws = make_clients(server.endpoint_url, server.credentials, region, ("cloudwatch", "logs", "sqs"))
        start, end = account.zero_at - timedelta(minutes=10), account.zero_at
        queries = []
        for index, spec in enumerate(FLEET.functions):
            for metric, stat in (
                ("Invocations", "Sum"),
                ("Errors", "Sum"),
                ("Throttles", "Sum"),
                ("ConcurrentExecutions", "Maximum"),
                ("Duration", "Average"),
                ("Duration", "p99"),
                ("IteratorAge", "Maximum"),
            ):
                queries.append(
                    {
                        "Id": f"q{index}_{metric.lower()}_{stat.lower()}",
                        "Label": f"{spec.name} {metric} {stat}",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "AWS/Lambda",
                                "MetricName": metric,
                                "Dimensions": [{"Name": "FunctionName", "Value": spec.name}],
                            },
                            "Period": 60,
                            "Stat": stat,
                        },
                    }
                )
        answer = aws["cloudwatch"].get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)
        numbers: dict[str, Any] = {
            r["Label"]: (list(r["Timestamps"]), list(r["Values"])) for r in answer["MetricDataResults"]
        }
        for spec in FLEET.functions:
            events = aws["logs"].filter_log_events(
                logGroupName=spec.log_group,
                startTime=round(start.timestamp() * 1000),
                endTime=round(end.timestamp() * 1000) - 1,
            )["events"]
            numbers[f"{spec.name} log"] = sorted((e["timestamp"], e["logStreamName"], e["message"]) for e in events)
        depth = aws["sqs"].get_queue_attributes(
            QueueUrl=account.queue_urls["order-events-dlq"], AttributeNames=["ApproximateNumberOfMessages"]
        )
        numbers["dlq depth"] = depth["Attributes"]["ApproximateNumberOfMessages"]
        return numbers


def test_same_seed_on_two_fresh_servers_reads_back_the_same_numbers() -> None:
    first, second = _read_back(21), _read_back.__wrapped__(21)
    assert first["video-transcoder Throttles Sum"][1], "the window has data"
    assert first["checkout-api log"], "the window has log events"
    assert first == second


def test_another_seed_reads_back_other_numbers() -> None:
    first, other = _read_back(21), _read_back(22)
    assert first["checkout-api Invocations Sum"] != other["checkout-api Invocations Sum"]
    assert first["pricing-engine log"] != other["pricing-engine log"]
