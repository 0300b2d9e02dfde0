"""The live demo's backfill in two parts (first screen first, the rest behind it) writes exactly
what the one-part backfill writes, and the first part alone already holds the first screen's
window whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lambdatop.clock import FakeClock
from lambdatop.demo.clients import make_clients
from lambdatop.demo.fleet import Fleet
from lambdatop.demo.scenarios import build_demo_fleet
from lambdatop.demo.seeder import SeededAccount, finish_backfill, seed_account
from lambdatop.demo.server import DemoServer

_FULL = build_demo_fleet()
# Traced functions, a DLQ fed by an SQS source's redrive, a stream with an on-failure queue,
# an alias canary, a capped function that throttles.
FLEET = Fleet(
    functions=tuple(
        _FULL.function(name)
        for name in (
            "video-transcoder",
            "checkout-api",
            "pricing-engine",
            "order-events-consumer",
            "clickstream-processor",
            "partner-feed-poller",
        )
    ),
    queues=_FULL.queues,
    streams=_FULL.streams,
)
SEED = 11
BACKFILL_MINUTES = 12
FIRST_SCREEN_MINUTES = 4
# Recent enough for CloudWatch Logs to accept the events (it refuses those over 14 days old).
START = (datetime.now(UTC) - timedelta(hours=2)).replace(minute=0, second=20, microsecond=0)

pytestmark = pytest.mark.slow

Minute = datetime


def _metric_queries() -> list[tuple[str, str, str, list[dict[str, str]]]]:
    """(label, namespace, metric and stat, dimensions) of every series the demo writes here."""
    series: list[tuple[str, str, str, list[dict[str, str]]]] = []
    for spec in FLEET.functions:
        dims = [{"Name": "FunctionName", "Value": spec.name}]
        for metric, stat in (
            ("Invocations", "Sum"),
            ("Errors", "Sum"),
            ("Throttles", "Sum"),
            ("ConcurrentExecutions", "Maximum"),
            ("Duration", "Average"),
            ("IteratorAge", "Maximum"),
        ):
            series.append((f"{spec.name} {metric} {stat}", "AWS/Lambda", f"{metric}/{stat}", dims))
    for metric, stat in (("Invocations", "Sum"), ("ConcurrentExecutions", "Maximum")):
        series.append((f"account {metric} {stat}", "AWS/Lambda", f"{metric}/{stat}", []))
    for queue in FLEET.queues:
        dims = [{"Name": "QueueName", "Value": queue.name}]
        for metric in ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"):
            series.append((f"{queue.name} {metric}", "AWS/SQS", f"{metric}/Maximum", dims))
    return series


def _read_back(server: DemoServer, account: SeededAccount) -> dict[str, Any]:
    """Every metric per minute, every log event, the traces and the queue depths, via the APIs."""
    aws = make_clients(server.endpoint_url, server.credentials, server.region, ("cloudwatch", "logs", "sqs", "xray"))
    start, end = account.zero_at - timedelta(minutes=BACKFILL_MINUTES), account.zero_at
    queries = []
    for index, (label, namespace, metric_stat, dims) in enumerate(_metric_queries()):
        metric, stat = metric_stat.split("/")
        queries.append(
            {
                "Id": f"q{index}",
                "Label": label,
                "MetricStat": {
                    "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dims},
                    "Period": 60,
                    "Stat": stat,
                },
            }
        )
    answer = aws["cloudwatch"].get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)
    numbers: dict[str, Any] = {
        r["Label"]: dict(zip(r["Timestamps"], r["Values"], strict=True)) for r in answer["MetricDataResults"]
    }
    for spec in FLEET.functions:
        events: list[tuple[int, str, str]] = []
        kwargs: dict[str, Any] = {
            "logGroupName": spec.log_group,
            "startTime": round(start.timestamp() * 1000),
            "endTime": round(end.timestamp() * 1000),
        }
        while True:
            page = aws["logs"].filter_log_events(**kwargs)
            events += [(e["timestamp"], e["logStreamName"], e["message"]) for e in page["events"]]
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        numbers[f"{spec.name} log"] = sorted(events)
    traces = aws["xray"].get_trace_summaries(StartTime=start - timedelta(minutes=5), EndTime=end + timedelta(minutes=5))
    numbers["traces"] = sorted(summary["Id"] for summary in traces["TraceSummaries"])
    for queue, url in account.queue_urls.items():
        depth = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        numbers[f"{queue} depth"] = depth["Attributes"]["ApproximateNumberOfMessages"]
    return numbers


def _seed(server: DemoServer, first_screen_minutes: int | None) -> SeededAccount:
    return seed_account(
        server.endpoint_url,
        server.credentials,
        server.region,
        SEED,
        fleet=FLEET,
        clock=FakeClock(START),
        backfill_minutes=BACKFILL_MINUTES,
        first_screen_minutes=first_screen_minutes,
    )


def _since(numbers: dict[str, Any], cut: datetime) -> dict[str, Any]:
    """Only what is stamped after `cut`: per-minute series, log events; the rest as it is."""
    kept: dict[str, Any] = {}
    for key, value in numbers.items():
        if isinstance(value, dict):
            kept[key] = {at: v for at, v in value.items() if at >= cut}
        elif key.endswith(" log"):
            kept[key] = [event for event in value if event[0] > cut.timestamp() * 1000]
        else:
            kept[key] = value
    return kept


def test_two_parts_write_what_one_part_writes_and_the_first_holds_the_window() -> None:
    with DemoServer() as server:
        whole = _read_back(server, _seed(server, None))
    assert whole["traces"], "the fleet has traced invocations"
    assert whole["order-events-dlq depth"] != "0", "a queue has messages"

    with DemoServer() as server:
        account = _seed(server, FIRST_SCREEN_MINUTES)
        assert account.backfill_pending
        first_part = _read_back(server, account)
        rest = finish_backfill(account)
        assert rest is not None
        assert not account.backfill_pending
        assert finish_backfill(account) is None  # nothing left: a second call writes nothing
        both_parts = _read_back(server, account)

    cut = account.zero_at - timedelta(minutes=FIRST_SCREEN_MINUTES)
    # The first part: the first screen's window whole, every queue message, nothing older.
    recent = _since(first_part, cut)
    assert recent == {**_since(whole, cut), "traces": []}
    assert recent["checkout-api log"], "the window has log events"
    older_minutes = [at for value in first_part.values() if isinstance(value, dict) for at in value if at < cut]
    assert older_minutes == []
    assert all(
        event[0] > cut.timestamp() * 1000 for key, v in first_part.items() if key.endswith(" log") for event in v
    )
    # Both parts: exactly the one-part backfill.
    assert both_parts == whole
    assert account.backfill_stats is not None
    assert account.backfill_stats.trace_segments == rest.trace_segments > 0
