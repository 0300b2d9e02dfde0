"""Segment documents → trace rows and downstream edges, both Lambda segment structures."""

from __future__ import annotations

from typing import Any

from lambdatop.aws.traces import pick_traces
from lambdatop.model.queue_growth import growth_per_minute
from lambdatop.model.trace_documents import edges_from_documents, edges_from_service_graph, trace_view

T = 1_795_000_000.0


def _old_style(fault: bool) -> list[dict[str, Any]]:
    payments: dict[str, Any] = {
        "name": "payments.example",
        "namespace": "remote",
        "start_time": T + 0.5,
        "end_time": T + 1.7,
    }
    if fault:
        payments["fault"] = True
    function = {
        "name": "checkout",
        "origin": "AWS::Lambda::Function",
        "start_time": T,
        "end_time": T + 2.0,
        "subsegments": [
            {"name": "Initialization", "start_time": T, "end_time": T + 0.4},
            {
                "name": "Invocation",
                "start_time": T + 0.4,
                "end_time": T + 1.9,
                "subsegments": [
                    {
                        "name": "DynamoDB",
                        "namespace": "aws",
                        "aws": {"operation": "GetItem"},
                        "start_time": T + 0.4,
                        "end_time": T + 0.45,
                    },
                    payments,
                ],
            },
            {"name": "Overhead", "start_time": T + 1.9, "end_time": T + 2.0},
        ],
    }
    service = {"name": "checkout", "origin": "AWS::Lambda", "start_time": T, "end_time": T + 2.0}
    return [service, function]


def test_old_style_trace_row() -> None:
    row = trace_view("1-abc", _old_style(fault=True), "checkout")
    assert row.duration_ms is not None
    assert round(row.duration_ms) == 2000
    assert row.init_ms is not None
    assert round(row.init_ms) == 400
    assert row.fault
    assert [c.name for c in row.calls] == ["payments.example", "DynamoDB GetItem"]
    assert row.calls[0].status == "fault"


def test_new_style_init_and_calls_on_the_function_segment() -> None:
    function = {
        "name": "fn",
        "origin": "AWS::Lambda::Function",
        "start_time": T,
        "end_time": T + 1,
        "subsegments": [
            {"name": "Init", "start_time": T, "end_time": T + 0.2},
            {
                "name": "S3",
                "namespace": "aws",
                "throttle": True,
                "error": True,
                "start_time": T + 0.2,
                "end_time": T + 0.9,
            },
        ],
    }
    row = trace_view("1-x", [function], "fn")
    assert row.init_ms is not None
    assert round(row.init_ms) == 200
    assert row.throttle
    assert row.calls[0].status == "throttle"


def test_edges_from_documents_count_requests_faults_and_latency() -> None:
    edges = {e.target: e for e in edges_from_documents([_old_style(True), _old_style(False)], "checkout")}
    assert edges["payments.example"].requests == 2
    assert edges["payments.example"].faults == 1
    assert edges["payments.example"].avg_latency_ms is not None
    assert round(edges["payments.example"].avg_latency_ms) == 1200
    assert edges["DynamoDB"].target_type == "AWS::DynamoDB"


def test_edges_from_a_service_graph_skip_the_service_node() -> None:
    services = [
        {
            "ReferenceId": 0,
            "Name": "checkout",
            "Type": "AWS::Lambda",
            "Edges": [{"ReferenceId": 1, "SummaryStatistics": {"TotalCount": 10}}],
        },
        {
            "ReferenceId": 1,
            "Name": "checkout",
            "Type": "AWS::Lambda::Function",
            "Edges": [
                {
                    "ReferenceId": 2,
                    "SummaryStatistics": {
                        "TotalCount": 10,
                        "TotalResponseTime": 5.0,
                        "ErrorStatistics": {"TotalCount": 3, "ThrottleCount": 2},
                        "FaultStatistics": {"TotalCount": 1},
                    },
                },
            ],
        },
        {"ReferenceId": 2, "Name": "orders", "Type": "AWS::DynamoDB::Table", "Edges": []},
    ]
    (edge,) = edges_from_service_graph(services, "checkout")
    assert (edge.target, edge.requests, edge.errors, edge.throttles, edge.faults) == ("orders", 10, 3, 2, 1)
    assert edge.avg_latency_ms == 500.0


def test_failed_traces_are_picked_first_then_the_newest() -> None:
    summaries: list[dict[str, Any]] = [
        {"Id": "1-00000001-a", "HasFault": True},
        {"Id": "1-00000005-b"},
        {"Id": "1-00000003-c", "HasError": True},
        {"Id": "1-00000004-d"},
    ]
    assert pick_traces(summaries, 3) == ["1-00000003-c", "1-00000001-a", "1-00000005-b"]


def test_queue_growth_is_the_slope_per_minute() -> None:
    assert growth_per_minute([10, 12, 14, 16, 18]) == 2.0
    assert growth_per_minute([5, None, 5, 5]) == 0.0
    assert growth_per_minute([None, 3]) is None
