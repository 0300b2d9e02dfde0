"""Logs Insights through the demo server: the app's two cold-start queries, exactly."""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lambdatop.model.reports import cold_start_stats, parse_report_line
from tests.demo.conftest import ClientFactory

TEXT_QUERY = """filter @type = "REPORT"
| stats count(*) as reports, count(@initDuration) as cold_starts, avg(@initDuration) as init_avg, pct(@initDuration, 50) as init_p50, pct(@initDuration, 99) as init_p99, max(@initDuration) as init_max by @log"""  # noqa: E501
JSON_QUERY = """filter type = "platform.report"
| stats count(*) as reports, count(record.metrics.initDurationMs) as cold_starts, avg(record.metrics.initDurationMs) as init_avg, pct(record.metrics.initDurationMs, 50) as init_p50, pct(record.metrics.initDurationMs, 99) as init_p99, max(record.metrics.initDurationMs) as init_max by @log"""  # noqa: E501
NOW_MS = (int(time.time()) - 600) * 1000


def text_invocation(rng: random.Random, ts: int, cold: bool) -> list[dict[str, Any]]:
    rid = str(uuid.UUID(int=rng.getrandbits(128)))
    init = f"Init Duration: {rng.uniform(80, 2500):.2f} ms\t" if cold else ""
    return [
        {"timestamp": ts, "message": f"START RequestId: {rid} Version: $LATEST"},
        {"timestamp": ts + 1, "message": f"2026-03-02T10:15:04.330Z\t{rid}\tINFO\tworking"},
        {"timestamp": ts + 2, "message": f"END RequestId: {rid}"},
        {
            "timestamp": ts + 3,
            "message": (
                f"REPORT RequestId: {rid}\tDuration: {rng.uniform(1, 900):.2f} ms\t"
                f"Billed Duration: {rng.randint(2, 901)} ms\tMemory Size: 512 MB\t"
                f"Max Memory Used: {rng.randint(60, 200)} MB\t{init}"
            ),
        },
    ]


def json_invocation(rng: random.Random, ts: int, cold: bool) -> list[dict[str, Any]]:
    rid = str(uuid.UUID(int=rng.getrandbits(128)))
    metrics: dict[str, Any] = {
        "durationMs": round(rng.uniform(1, 900), 2),
        "billedDurationMs": rng.randint(2, 901),
        "memorySizeMB": 256,
        "maxMemoryUsedMB": rng.randint(60, 200),
    }
    if cold:
        metrics["initDurationMs"] = round(rng.uniform(80, 2500), 2)
    return [
        {"timestamp": ts, "message": json.dumps({"time": "t", "type": "platform.start", "record": {"requestId": rid}})},
        {
            "timestamp": ts + 1,
            "message": json.dumps({"timestamp": "t", "level": "INFO", "requestId": rid, "message": "working"}),
        },
        {
            "timestamp": ts + 2,
            "message": json.dumps(
                {
                    "time": "t",
                    "type": "platform.report",
                    "record": {"requestId": rid, "metrics": metrics, "status": "success"},
                }
            ),
        },
    ]


def write_group(logs: Any, group: str, events: list[dict[str, Any]]) -> None:
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="2026/03/02/[$LATEST]abc")
    for at in range(0, len(events), 5000):
        logs.put_log_events(
            logGroupName=group, logStreamName="2026/03/02/[$LATEST]abc", logEvents=events[at : at + 5000]
        )


def run(
    logs: Any, groups: list[str], query: str, *, start_s: int | None = None, end_s: int | None = None
) -> dict[str, Any]:
    query_id = logs.start_query(
        logGroupNames=groups,
        queryString=query,
        startTime=start_s if start_s is not None else NOW_MS // 1000 - 3600,
        endTime=end_s if end_s is not None else NOW_MS // 1000 + 3600,
    )["queryId"]
    result: dict[str, Any] = logs.get_query_results(queryId=query_id)
    return result


def rows_by(result: dict[str, Any], key: str) -> dict[str, dict[str, str]]:
    rows = [{cell["field"]: cell["value"] for cell in row} for row in result["results"]]
    return {row[key]: row for row in rows}


def expected_row(messages: list[str]) -> dict[str, float]:
    stats = cold_start_stats(r for m in messages if (r := parse_report_line(m)) is not None)
    return {
        "reports": stats.reports,
        "cold_starts": stats.cold_starts,
        "init_avg": stats.init_avg_ms or 0.0,
        "init_p50": stats.init_p50_ms or 0.0,
        "init_p99": stats.init_p99_ms or 0.0,
        "init_max": stats.init_max_ms or 0.0,
    }


@pytest.mark.parametrize(
    ("make", "query"), [(text_invocation, TEXT_QUERY), (json_invocation, JSON_QUERY)], ids=["text", "json"]
)
def test_cold_start_query_equals_the_hand_computed_truth(
    client: ClientFactory, account_id: str, make: Any, query: str
) -> None:
    logs = client("logs")
    rng = random.Random(11)
    written: dict[str, list[str]] = {}
    for name in ("orders", "billing", "quiet"):
        events = []
        for i in range(200):
            cold = name != "quiet" and rng.random() < 0.15
            events += make(rng, NOW_MS + i * 1000, cold)
        write_group(logs, f"/aws/lambda/{name}", events)
        written[f"{account_id}:/aws/lambda/{name}"] = [e["message"] for e in events]

    result = run(logs, [f"/aws/lambda/{n}" for n in ("orders", "billing", "quiet")], query)
    rows = rows_by(result, "@log")

    assert result["status"] == "Complete"
    assert set(rows) == set(written)
    for log, messages in written.items():
        truth = expected_row(messages)
        row = rows[log]
        assert int(row["reports"]) == truth["reports"] == 200
        assert int(row["cold_starts"]) == truth["cold_starts"]
        if truth["cold_starts"] == 0:
            # Logs Insights leaves out fields whose value is null.
            assert set(row) == {"@log", "reports", "cold_starts"}
            continue
        for name in ("init_avg", "init_p50", "init_p99", "init_max"):
            assert float(row[name]) == pytest.approx(truth[name], rel=1e-12), name
    scanned = [m for messages in written.values() for m in messages]
    assert result["statistics"]["recordsScanned"] == len(scanned)
    assert result["statistics"]["recordsMatched"] == 600
    assert result["statistics"]["bytesScanned"] == sum(len(m.encode()) for m in scanned)


def test_both_window_ends_are_inclusive(client: ClientFactory) -> None:
    logs = client("logs")
    start_s = NOW_MS // 1000
    events = [
        {"timestamp": (start_s - 1) * 1000 + 999, "message": "before"},
        {"timestamp": start_s * 1000, "message": "first"},
        {"timestamp": (start_s + 10) * 1000 + 999, "message": "last"},
        {"timestamp": (start_s + 11) * 1000, "message": "after"},
    ]
    write_group(logs, "/aws/lambda/window", events)

    result = run(logs, ["/aws/lambda/window"], "stats count(*) as n", start_s=start_s, end_s=start_s + 10)

    assert result["results"] == [[{"field": "n", "value": "2"}]]


def test_report_fields_units_and_number_format(client: ClientFactory, account_id: str) -> None:
    logs = client("logs")
    rid = "3f1c2a9e-6b7d-4e21-9a0f-5d8e2c1b7a44"
    write_group(
        logs,
        "/aws/lambda/fields",
        [
            {
                "timestamp": NOW_MS,
                "message": (
                    f"REPORT RequestId: {rid}\tDuration: 182.44 ms\tBilled Duration: 371 ms\t"
                    "Memory Size: 512 MB\tMax Memory Used: 97 MB\tInit Duration: 188.21 ms\t"
                    "XRAY TraceId: 1-65e2f1a8-4c2d9b7e1f0a3c5d6e7f8a9b\tSegmentId: 7a1b2c3d4e5f6a7b\t"
                    "Sampled: true\t"
                ),
            }
        ],
    )

    result = run(
        logs,
        ["/aws/lambda/fields"],
        (
            "fields @requestId, @duration, @billedDuration, @memorySize, @maxMemoryUsed, "
            "@initDuration, @xrayTraceId, @type, @log, @timestamp"
        ),
    )
    (row,) = result["results"]
    cells = {c["field"]: c["value"] for c in row}

    assert cells["@requestId"] == rid
    assert (cells["@duration"], cells["@billedDuration"], cells["@initDuration"]) == ("182.44", "371.0", "188.21")
    assert (cells["@memorySize"], cells["@maxMemoryUsed"]) == ("5.36870912E8", "1.01711872E8")
    assert cells["@xrayTraceId"] == "1-65e2f1a8-4c2d9b7e1f0a3c5d6e7f8a9b"
    assert cells["@type"] == "REPORT"
    assert cells["@log"] == f"{account_id}:/aws/lambda/fields"
    assert len(cells["@timestamp"]) == len("2026-03-02 10:15:04.512")
    assert "@ptr" in cells


def test_like_ispresent_sort_and_limit(client: ClientFactory) -> None:
    logs = client("logs")
    write_group(
        logs,
        "/aws/lambda/errs",
        [
            {"timestamp": NOW_MS + i, "message": m}
            for i, m in enumerate(
                [
                    "ERROR order 1 failed",
                    "INFO fine",
                    "ERROR order 22 failed",
                    "Task timed out after 3.00 seconds",
                    "ERROR order 3 failed",
                ]
            )
        ],
    )

    errors = run(
        logs,
        ["/aws/lambda/errs"],
        ("fields @message | filter @message like /ERROR|Task timed out/ | sort @message desc | limit 3"),
    )
    not_errors = run(
        logs, ["/aws/lambda/errs"], "filter @message not like /ERROR/ and ispresent(@message) | stats count(*) as n"
    )

    messages = [row[0]["value"] for row in errors["results"]]
    assert messages == ["Task timed out after 3.00 seconds", "ERROR order 22 failed", "ERROR order 3 failed"]
    assert not_errors["results"] == [[{"field": "n", "value": "2"}]]


def test_default_column_names_and_grouping_by_json_field(client: ClientFactory) -> None:
    logs = client("logs")
    write_group(
        logs,
        "/aws/lambda/levels",
        [
            {"timestamp": NOW_MS + i, "message": json.dumps({"level": level, "ms": ms})}
            for i, (level, ms) in enumerate([("INFO", 1), ("ERROR", 5), ("INFO", 3)])
        ],
    )

    result = run(logs, ["/aws/lambda/levels"], "stats count(*), sum(ms) by level | sort level asc")

    assert result["results"] == [
        [
            {"field": "level", "value": "ERROR"},
            {"field": "count(*)", "value": "1"},
            {"field": "sum(ms)", "value": "5.0"},
        ],
        [
            {"field": "level", "value": "INFO"},
            {"field": "count(*)", "value": "2"},
            {"field": "sum(ms)", "value": "4.0"},
        ],
    ]


def test_more_than_50_groups_is_refused(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as refused:
        run(client("logs"), [f"/aws/lambda/g{i}" for i in range(51)], TEXT_QUERY)

    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


def test_a_missing_group_is_not_found(client: ClientFactory) -> None:
    logs = client("logs")
    write_group(logs, "/aws/lambda/here", [])

    with pytest.raises(ClientError) as refused:
        run(logs, ["/aws/lambda/here", "/aws/lambda/not-here"], TEXT_QUERY)

    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert "/aws/lambda/not-here" in refused.value.response["Error"]["Message"]


def test_a_query_outside_the_subset_goes_to_moto(client: ClientFactory) -> None:
    logs = client("logs")
    write_group(
        logs,
        "/aws/lambda/binned",
        [{"timestamp": NOW_MS + i, "message": f"REPORT RequestId: r{i}\tDuration: 1 ms\t"} for i in range(3)],
    )

    result = run(
        logs, ["/aws/lambda/binned"], 'filter @type = "REPORT" | stats count_distinct(@requestId) as n by bin(1m)'
    )

    # moto ignores stats: no row carries the requested column, so the app falls back.
    assert all(cell["field"] != "n" for row in result["results"] for cell in row)


def test_describe_and_stop_know_our_queries(client: ClientFactory) -> None:
    logs = client("logs")
    write_group(logs, "/aws/lambda/described", [])
    query_id = logs.start_query(
        logGroupName="/aws/lambda/described", queryString=TEXT_QUERY, startTime=0, endTime=NOW_MS // 1000
    )["queryId"]

    described = logs.describe_queries(logGroupName="/aws/lambda/described")["queries"]
    with pytest.raises(ClientError) as stopped:
        logs.stop_query(queryId=query_id)

    assert [(q["queryId"], q["status"]) for q in described] == [(query_id, "Complete")]
    assert stopped.value.response["Error"]["Code"] == "InvalidParameterException"


def test_50_groups_of_1000_events_are_all_scanned(client: ClientFactory) -> None:
    logs = client("logs")
    rng = random.Random(5)
    groups = []
    for g in range(50):
        events = []
        for i in range(250):
            events += text_invocation(rng, NOW_MS + i * 10, cold=i % 10 == 0)
        write_group(logs, f"/aws/lambda/big-{g:02d}", events)
        groups.append(f"/aws/lambda/big-{g:02d}")

    result = run(logs, groups, TEXT_QUERY)

    assert len(result["results"]) == 50
    assert result["statistics"]["recordsScanned"] == 50_000


def test_the_apps_cold_start_query_is_answered_per_minute_whatever_the_format(
    client: ClientFactory, account_id: str
) -> None:
    """The query lambdatop.aws.logs sends (both formats, bin(1m), coalesce, strcontains), with
    the answer written out by hand rather than computed by any parser."""
    from lambdatop.aws.logs_query import COLD_START_QUERY

    logs = client("logs")
    minute0 = (NOW_MS // 60_000) * 60_000
    text = "REPORT RequestId: r{i}\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\t"
    as_json = '{{"time":"t","type":"platform.report","record":{{"requestId":"j{i}","metrics":{{{m}}}}}}}'
    events = [
        {"timestamp": minute0 + 1_000, "message": text.format(i=1)},
        {"timestamp": minute0 + 2_000, "message": text.format(i=2) + "Init Duration: 250.50 ms\t"},
        {"timestamp": minute0 + 3_000, "message": "START RequestId: r3 Version: $LATEST"},
        {"timestamp": minute0 + 4_000, "message": as_json.format(i=4, m='"durationMs":2.0,"initDurationMs":250.5')},
        {"timestamp": minute0 + 61_000, "message": as_json.format(i=5, m='"durationMs":2.0')},
        {"timestamp": minute0 + 62_000, "message": text.format(i=6) + "Restore Duration: 300.00 ms\t"},
        {"timestamp": minute0 + 63_000, "message": as_json.format(i=7, m='"durationMs":2.0,"restoreDurationMs":9.5')},
        {"timestamp": minute0 + 64_000, "message": '{"level":"INFO","message":"REPORT RequestId: fake"}'},
    ]
    write_group(logs, "/aws/lambda/mixed", events)
    outside = {"timestamp": minute0 + 180_000, "message": text.format(i=9) + "Init Duration: 1.00 ms\t"}
    logs.put_log_events(logGroupName="/aws/lambda/mixed", logStreamName="2026/03/02/[$LATEST]abc", logEvents=[outside])

    result = run(logs, ["/aws/lambda/mixed"], COLD_START_QUERY, start_s=minute0 // 1000, end_s=minute0 // 1000 + 119)

    rows = sorted(
        (
            row["bin(1m)"],
            row.get("init", ""),
            float(row["reports"]),
            float(row["text_restores"]),
            float(row["json_restores"]),
        )
        for row in ({c["field"]: c["value"] for c in cells} for cells in result["results"])
    )
    first = datetime.fromtimestamp(minute0 / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.000")
    second = datetime.fromtimestamp(minute0 / 1000 + 60, UTC).strftime("%Y-%m-%d %H:%M:%S.000")
    assert rows == [
        (first, "0.0", 1, 0, 0),  # warm: the query's coalesce default, never a missing field
        (first, "250.5", 2, 0, 0),  # one text and one JSON cold start, same duration
        (second, "0.0", 3, 1, 1),
    ]
    assert all(
        cell["field"] == "@log" and cell["value"] == f"{account_id}:/aws/lambda/mixed"
        for cells in result["results"]
        for cell in cells
        if cell["field"] == "@log"
    )
    # Billed as AWS bills: every byte of every event in the range, REPORT or not; none outside.
    in_range = sum(len(str(e["message"]).encode()) for e in events)
    assert result["statistics"]["bytesScanned"] == float(in_range)


def test_the_server_does_not_parse_report_lines_with_the_apps_parser() -> None:
    """A parser bug must not hide behind the same bug in the server that tests it."""
    import ast
    from pathlib import Path

    import lambdatop.demo.mends as mends

    for path in Path(mends.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not {name for name in imported if name and name.startswith("lambdatop.model.reports")}, path.name
