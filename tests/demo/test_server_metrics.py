"""CloudWatch metrics through the demo server, proved against CloudWatch's own semantics."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdatop.demo.mends.metric_store import Sample
from lambdatop.demo.server import DemoServer
from tests.demo.conftest import ClientFactory

NAMESPACE = "AWS/Lambda"
# A whole minute safely in the past, so "now" never splits a test's buckets.
T0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)


def fn(name: str) -> list[dict[str, str]]:
    return [{"Name": "FunctionName", "Value": name}]


def stat_query(
    query_id: str,
    metric: str,
    stat: str,
    *,
    dims: list[dict[str, str]] | None = None,
    period: int = 60,
    namespace: str = NAMESPACE,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dims or []},
            "Period": period,
            "Stat": stat,
        },
        **extra,
    }


def values_of(
    cw: Any, queries: list[dict[str, Any]], start: datetime = T0, end: datetime | None = None, **extra: Any
) -> dict[str, list[float]]:
    answer = cw.get_metric_data(
        MetricDataQueries=queries, StartTime=start, EndTime=end or start + timedelta(minutes=10), **extra
    )
    return {r["Id"]: r["Values"] for r in answer["MetricDataResults"]}


def test_p99_of_1_to_100_is_99(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    shuffled = list(range(1, 101))
    random.Random(4).shuffle(shuffled)
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Duration",
                "Dimensions": fn("api"),
                "Value": float(v),
                "Timestamp": T0 + timedelta(seconds=i % 50),
            }
            for i, v in enumerate(shuffled)
        ],
    )

    found = values_of(
        cw,
        [
            stat_query("p99", "Duration", "p99", dims=fn("api")),
            stat_query("p50", "Duration", "p50", dims=fn("api")),
            stat_query("p999", "Duration", "p99.9", dims=fn("api")),
            stat_query("avg", "Duration", "Average", dims=fn("api")),
        ],
    )

    assert found == {"p99": [99.0], "p50": [50.0], "p999": [100.0], "avg": [50.5]}


def test_values_counts_and_statistic_sets_combine(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Duration",
                "Dimensions": fn("mix"),
                "Timestamp": T0,
                "Values": [10.0, 20.0, 1000.0],
                "Counts": [50.0, 45.0, 5.0],
            },
            {
                "MetricName": "Duration",
                "Dimensions": fn("mix"),
                "Timestamp": T0,
                "StatisticValues": {"SampleCount": 10, "Sum": 300, "Minimum": 5, "Maximum": 60},
            },
        ],
    )

    found = values_of(
        cw,
        [
            stat_query(s.lower(), "Duration", s, dims=fn("mix"))
            for s in ("Sum", "SampleCount", "Minimum", "Maximum", "Average")
        ]
        + [stat_query("p95", "Duration", "p95", dims=fn("mix"))],
    )

    # 50×10 + 45×20 + 5×1000 + 300 = 6,700 over 110 samples; p95 only over the 100 raw values.
    assert found["sum"] == [6700.0]
    assert found["samplecount"] == [110.0]
    assert (found["minimum"], found["maximum"]) == ([5.0], [1000.0])
    assert found["average"] == [pytest.approx(6700 / 110)]
    assert found["p95"] == [20.0]


def test_percentile_needs_raw_values(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Duration",
                "Dimensions": fn("agg"),
                "Timestamp": T0,
                "StatisticValues": {"SampleCount": 4, "Sum": 100, "Minimum": 1, "Maximum": 70},
            },
            # Minimum = Maximum and Sum = Minimum × SampleCount: CloudWatch can use it as raw.
            {
                "MetricName": "Duration",
                "Dimensions": fn("uniform"),
                "Timestamp": T0,
                "StatisticValues": {"SampleCount": 3, "Sum": 21, "Minimum": 7, "Maximum": 7},
            },
        ],
    )

    found = values_of(
        cw,
        [
            stat_query("agg", "Duration", "p99", dims=fn("agg")),
            stat_query("aggmax", "Duration", "Maximum", dims=fn("agg")),
            stat_query("uniform", "Duration", "p99", dims=fn("uniform")),
        ],
    )

    assert found == {"agg": [], "aggmax": [70.0], "uniform": [7.0]}


def test_account_level_query_sees_only_account_level_series(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": "Errors", "Value": 100.0, "Timestamp": T0},
            {"MetricName": "Errors", "Dimensions": fn("a"), "Value": 4.0, "Timestamp": T0},
            {"MetricName": "Errors", "Dimensions": fn("b"), "Value": 3.0, "Timestamp": T0},
            {
                "MetricName": "Errors",
                "Dimensions": [*fn("a"), {"Name": "Resource", "Value": "a:1"}],
                "Value": 2.0,
                "Timestamp": T0,
            },
        ],
    )

    found = values_of(
        cw,
        [
            stat_query("account", "Errors", "Sum"),
            stat_query("a", "Errors", "Sum", dims=fn("a")),
            stat_query("a1", "Errors", "Sum", dims=[{"Name": "Resource", "Value": "a:1"}, *fn("a")]),  # order differs
        ],
    )

    assert found == {"account": [100.0], "a": [4.0], "a1": [2.0]}


def test_namespace_is_part_of_the_metric(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[{"MetricName": "Invocations", "Dimensions": fn("ns"), "Value": 5.0, "Timestamp": T0}],
    )
    cw.put_metric_data(
        Namespace="Custom/Other",
        MetricData=[{"MetricName": "Invocations", "Dimensions": fn("ns"), "Value": 500.0, "Timestamp": T0}],
    )

    found = values_of(
        cw,
        [
            stat_query("lam", "Invocations", "Sum", dims=fn("ns")),
            stat_query("other", "Invocations", "Sum", dims=fn("ns"), namespace="Custom/Other"),
            stat_query("none", "Invocations", "Sum", dims=fn("ns"), namespace="Nope/Nope"),
        ],
    )

    assert found == {"lam": [5.0], "other": [500.0], "none": []}


def test_buckets_start_at_start_time_and_end_time_is_exclusive(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    points = [(0, 1.0), (59, 2.0), (60, 4.0), (150, 8.0), (180, 16.0)]
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": "Throttles", "Dimensions": fn("edges"), "Value": v, "Timestamp": T0 + timedelta(seconds=s)}
            for s, v in points
        ],
    )

    answer = cw.get_metric_data(
        MetricDataQueries=[stat_query("t", "Throttles", "Sum", dims=fn("edges"))],
        StartTime=T0 + timedelta(seconds=0.5),  # rounded down to the minute, like CloudWatch
        EndTime=T0 + timedelta(seconds=180),  # the point at 180 s is outside
        ScanBy="TimestampAscending",
    )["MetricDataResults"][0]

    assert answer["Values"] == [3.0, 4.0, 8.0]
    assert answer["Timestamps"] == [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    assert answer["StatusCode"] == "Complete"


def test_newest_first_by_default(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "ConcurrentExecutions",
                "Dimensions": fn("order"),
                "Value": float(m),
                "Timestamp": T0 + timedelta(minutes=m),
            }
            for m in range(3)
        ],
    )

    result = cw.get_metric_data(
        MetricDataQueries=[stat_query("c", "ConcurrentExecutions", "Maximum", dims=fn("order"))],
        StartTime=T0,
        EndTime=T0 + timedelta(minutes=3),
    )["MetricDataResults"][0]

    assert result["Values"] == [2.0, 1.0, 0.0]
    assert result["Timestamps"][0] == T0 + timedelta(minutes=2)


def test_period_of_the_whole_window_gives_one_datapoint(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": fn("window"),
                "Value": 1.0,
                "Timestamp": T0 + timedelta(minutes=m),
            }
            for m in range(15)
        ],
    )

    found = values_of(
        cw, [stat_query("w", "Invocations", "Sum", dims=fn("window"), period=900)], end=T0 + timedelta(minutes=15)
    )

    assert found == {"w": [15.0]}


def test_labels_and_return_data(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[{"MetricName": "Errors", "Dimensions": fn("lbl"), "Value": 1.0, "Timestamp": T0}],
    )

    results = cw.get_metric_data(
        MetricDataQueries=[
            stat_query("plain", "Errors", "Sum", dims=fn("lbl")),
            stat_query("named", "Invocations", "Sum", dims=fn("lbl"), Label="my label"),
            stat_query("hidden", "Throttles", "Sum", dims=fn("lbl"), ReturnData=False),
        ],
        StartTime=T0,
        EndTime=T0 + timedelta(minutes=5),
    )["MetricDataResults"]

    assert [(r["Id"], r["Label"]) for r in results] == [("plain", "Errors"), ("named", "my label")]


def test_metric_math_is_reported_as_not_emulated(client: ClientFactory) -> None:
    cw = client("cloudwatch")

    results = cw.get_metric_data(
        MetricDataQueries=[
            stat_query("err", "Errors", "Sum", dims=fn("math"), ReturnData=False),
            {"Id": "rate", "Expression": "100 * err / 5"},
        ],
        StartTime=T0,
        EndTime=T0 + timedelta(minutes=5),
    )["MetricDataResults"]

    assert len(results) == 1
    assert results[0]["Id"] == "rate"
    assert results[0]["StatusCode"] == "InternalError"
    assert results[0]["Values"] == []
    assert "not emulated" in results[0]["Messages"][0]["Value"]


def test_multiple_units_are_flagged(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": "IteratorAge", "Dimensions": fn("units"), "Value": 1.0, "Unit": "Seconds", "Timestamp": T0},
            {
                "MetricName": "IteratorAge",
                "Dimensions": fn("units"),
                "Value": 500.0,
                "Unit": "Milliseconds",
                "Timestamp": T0,
            },
        ],
    )

    results = cw.get_metric_data(
        MetricDataQueries=[
            stat_query("all", "IteratorAge", "Sum", dims=fn("units")),
            {**stat_query("ms", "IteratorAge", "Sum", dims=fn("units"))},
        ],
        StartTime=T0,
        EndTime=T0 + timedelta(minutes=5),
    )["MetricDataResults"]
    results_ms = cw.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "ms",
                "MetricStat": {
                    "Metric": {"Namespace": NAMESPACE, "MetricName": "IteratorAge", "Dimensions": fn("units")},
                    "Period": 60,
                    "Stat": "Sum",
                    "Unit": "Milliseconds",
                },
            },
        ],
        StartTime=T0,
        EndTime=T0 + timedelta(minutes=5),
    )["MetricDataResults"]

    assert results[0]["Values"] == [501.0]
    assert results[0]["Messages"] == [
        {"Code": "MultipleUnits", "Value": "Multiple units returned: '[Milliseconds, Seconds]'"}
    ]
    assert results_ms[0]["Values"] == [500.0]


def test_max_datapoints_pages_with_next_token(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": name, "Dimensions": fn("pages"), "Value": 1.0, "Timestamp": T0 + timedelta(minutes=m)}
            for name in ("Invocations", "Errors")
            for m in range(6)
        ],
    )
    queries = [
        stat_query("inv", "Invocations", "Sum", dims=fn("pages")),
        stat_query("err", "Errors", "Sum", dims=fn("pages")),
    ]
    window = {"StartTime": T0, "EndTime": T0 + timedelta(minutes=6)}

    first = cw.get_metric_data(MetricDataQueries=queries, MaxDatapoints=8, **window)
    second = cw.get_metric_data(MetricDataQueries=queries, MaxDatapoints=8, NextToken=first["NextToken"], **window)

    assert [(r["Id"], len(r["Values"]), r["StatusCode"]) for r in first["MetricDataResults"]] == [
        ("inv", 6, "Complete"),
        ("err", 2, "PartialData"),
    ]
    assert [(r["Id"], len(r["Values"])) for r in second["MetricDataResults"]] == [("err", 4)]
    assert "NextToken" not in second


def test_gzip_compressed_put_metric_data(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    sent: list[str] = []
    cw.meta.events.register(
        "before-send.cloudwatch.PutMetricData",
        lambda request, **_: sent.append(str(request.headers.get("Content-Encoding", b""), "ascii")),
    )
    # Over botocore's 10 KB threshold, so it compresses the body.
    data = [
        {"MetricName": "Invocations", "Dimensions": fn(f"gz-{i:03d}"), "Value": 2.0, "Timestamp": T0}
        for i in range(300)
    ]

    cw.put_metric_data(Namespace=NAMESPACE, MetricData=data)

    assert sent == ["gzip"]
    assert values_of(cw, [stat_query("g", "Invocations", "Sum", dims=fn("gz-299"))]) == {"g": [2.0]}


def test_epoch_and_iso_timestamps_and_default_now(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {"MetricName": "Errors", "Dimensions": fn("ts"), "Value": 1.0, "Timestamp": T0},
            {"MetricName": "Errors", "Dimensions": fn("ts"), "Value": 2.0, "Timestamp": T0.isoformat()},
            {"MetricName": "Errors", "Dimensions": fn("now"), "Value": 7.0},
        ],
    )
    now = datetime.now(UTC)

    found = values_of(cw, [stat_query("ts", "Errors", "Sum", dims=fn("ts"))])
    recent = values_of(
        cw,
        [stat_query("now", "Errors", "Sum", dims=fn("now"), period=600)],
        start=now - timedelta(minutes=5),
        end=now + timedelta(minutes=5),
    )

    assert found == {"ts": [3.0]}
    assert recent == {"now": [7.0]}


@pytest.mark.parametrize(
    ("queries", "code", "message"),
    [
        (
            [stat_query(f"q{i}", "Errors", "Sum") for i in range(501)],
            "ValidationError",
            "must not have a size greater than 500",
        ),
        (
            [stat_query("same", "Errors", "Sum"), stat_query("same", "Throttles", "Sum")],
            "ValidationError",
            "not unique",
        ),
        ([stat_query("M-1", "Errors", "Sum")], "ValidationError", "M-1"),
        ([stat_query("upper", "Errors", "Sum", period=45)], "InvalidParameterValue", "Period"),
        ([stat_query("bogus", "Errors", "Bogus")], "InvalidParameterValue", "Bogus"),
    ],
)
def test_invalid_queries_are_refused_like_aws(
    client: ClientFactory, queries: list[dict[str, Any]], code: str, message: str
) -> None:
    with pytest.raises(ClientError) as refused:
        client("cloudwatch").get_metric_data(MetricDataQueries=queries, StartTime=T0, EndTime=T0 + timedelta(minutes=5))

    assert refused.value.response["Error"]["Code"] == code
    assert message in refused.value.response["Error"]["Message"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_start_after_end_is_refused(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as refused:
        client("cloudwatch").get_metric_data(
            MetricDataQueries=[stat_query("a", "Errors", "Sum")], StartTime=T0, EndTime=T0
        )

    assert refused.value.response["Error"] == {
        "Code": "InvalidParameterValue",
        "Message": "The parameter StartTime must be less than the parameter EndTime.",
        "QueryErrorCode": "InvalidParameterValueException",
        "Type": "Sender",
    }


def test_put_with_mismatched_values_and_counts_is_refused(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as refused:
        client("cloudwatch").put_metric_data(
            Namespace=NAMESPACE, MetricData=[{"MetricName": "Duration", "Values": [1.0, 2.0], "Counts": [1.0]}]
        )

    assert refused.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert refused.value.response["Error"]["Message"] == (
        "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size."
    )


def test_get_metric_statistics_and_list_metrics_read_the_same_store(
    client: ClientFactory,
) -> None:
    cw = client("cloudwatch")
    cw.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": "Duration",
                "Dimensions": fn("gms"),
                "Value": float(v),
                "Timestamp": T0 + timedelta(seconds=v % 60),
            }
            for v in range(1, 101)
        ],
    )

    stats = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName="Duration",
        Dimensions=fn("gms"),
        StartTime=T0,
        EndTime=T0 + timedelta(minutes=5),
        Period=300,
        Statistics=["Sum", "Maximum"],
        ExtendedStatistics=["p99"],
    )
    listed = cw.list_metrics(Namespace=NAMESPACE, Dimensions=[{"Name": "FunctionName", "Value": "gms"}])["Metrics"]

    (point,) = stats["Datapoints"]
    assert (point["Sum"], point["Maximum"], point["ExtendedStatistics"]) == (5050.0, 100.0, {"p99": 99.0})
    assert listed == [{"Namespace": NAMESPACE, "MetricName": "Duration", "Dimensions": fn("gms")}]


def test_accounts_and_regions_are_separate(client: ClientFactory) -> None:
    mine = client("cloudwatch")
    other_account = client("cloudwatch", account="999988887777")
    other_region = client("cloudwatch", region="eu-west-1")
    mine.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[{"MetricName": "Errors", "Dimensions": fn("iso"), "Value": 1.0, "Timestamp": T0}],
    )

    query = [stat_query("e", "Errors", "Sum", dims=fn("iso"))]

    assert values_of(mine, query) == {"e": [1.0]}
    assert values_of(other_account, query) == {"e": []}
    assert values_of(other_region, query) == {"e": []}


def test_500_queries_over_a_2000_function_fleet_answer_fast(
    demo_server: DemoServer, client: ClientFactory, account_id: str
) -> None:
    metrics = (
        "Invocations",
        "Errors",
        "Throttles",
        "ConcurrentExecutions",
        "Duration",
        "AsyncEventsDropped",
        "DeadLetterErrors",
        "IteratorAge",
    )
    start_s = T0.timestamp() - 1800
    store = demo_server.router.metric_store
    for f in range(2000):
        dims = frozenset({("FunctionName", f"fleet-{f:04d}")})
        for name in metrics:
            samples = [Sample(start_s + 60 * m, float(m), 1.0, float(m), float(m), 0) for m in range(60)]
            store.put(account_id, "us-east-1", NAMESPACE, name, dims, "None", samples)
    queries = [
        stat_query(f"q{i}", metrics[i % 8], "p99" if i % 8 == 4 else "Sum", dims=fn(f"fleet-{(i * 4) % 2000:04d}"))
        for i in range(500)
    ]
    cw = client("cloudwatch")
    window = {"StartTime": datetime.fromtimestamp(start_s, UTC), "EndTime": datetime.fromtimestamp(start_s + 3600, UTC)}

    # Speed is the bench's business (python -m lambdatop.bench); here: a full-size call with
    # percentiles mixed in is answered whole, where moto alone fails it with HTTP 500.
    answer = cw.get_metric_data(MetricDataQueries=queries, **window)

    assert len(answer["MetricDataResults"]) == 500
    assert all(len(r["Values"]) == 60 for r in answer["MetricDataResults"])


def test_put_of_1000_samples_in_one_call_is_stored_whole(client: ClientFactory) -> None:
    cw = client("cloudwatch")
    data = [
        {
            "MetricName": "Invocations",
            "Dimensions": fn(f"fast-{i % 100}"),
            "Value": 1.0,
            "Timestamp": T0.timestamp() + i % 60,
        }
        for i in range(1000)
    ]

    cw.put_metric_data(Namespace=NAMESPACE, MetricData=data)

    answer = cw.get_metric_data(
        MetricDataQueries=[stat_query(f"f{i}", "Invocations", "SampleCount", dims=fn(f"fast-{i}")) for i in range(100)],
        StartTime=T0,
        EndTime=T0 + timedelta(minutes=2),
    )
    assert sum(sum(r["Values"]) for r in answer["MetricDataResults"]) == 1000
