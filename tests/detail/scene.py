"""A fixed FunctionSnapshot of a canary gone wrong, and a DetailSource that serves it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from lambdatop.model.canary import VersionStats, verdict
from lambdatop.model.cold_start_attribution import ColdStartGroup, ColdStarts, ColdStartSpike
from lambdatop.model.function_snapshot import (
    AliasView,
    DetailRequest,
    DownstreamCall,
    EdgeView,
    EventSourceView,
    FunctionConfigView,
    FunctionSnapshot,
    Marker,
    PanelState,
    QueueView,
    Series,
    TracesView,
    TraceView,
)
from lambdatop.model.signatures import ErrorLine, group_signatures
from lambdatop.model.throttle_diagnosis import MinuteFigures, diagnose
from lambdatop.protocols import FunctionSnapshotCallback
from tests.factories import NOW, function_arn, queue_arn

RID = "8f5c2c1e-4b1a-4c38-9d0e-2d9e6a0b7c11"
MINUTES = tuple(NOW - timedelta(minutes=15 - i) for i in range(15))


def _series(*values: float | None) -> tuple[float | None, ...]:
    return tuple(values)


def scene_function_snapshot(name: str = "checkout-api") -> FunctionSnapshot:
    stable = VersionStats("6", 0.9, 1905, 8, 0, 640.0, 3)
    canary = VersionStats("7", 0.1, 212, 66, 0, 1900.0, 4)
    throttles = _series(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 9, 0, 0, 0)
    concurrency = _series(40, 42, 44, 45, 48, 52, 60, 71, 80, 92, 100, 100, 88, 70, 66)
    throttled = diagnose(
        [MinuteFigures(m, t or 0, c, 610.0) for m, t, c in zip(MINUTES, throttles, concurrency, strict=True)],
        reserved=100,
        provisioned=None,
        account_limit=1000,
    )
    hostile = "upstream said \x1b[31m[bold red]ALL GOOD[/]\x1b]52;c;cm0gLXJm\x07 (id 42)"
    lines = [
        ErrorLine(
            NOW - timedelta(minutes=9),
            f"2026-11-23T02:51:00.000Z\t{RID}\tERROR\tPaymentDeclinedError: card 4111",
            "2026/11/23/[6]a1",
        ),
        ErrorLine(
            NOW - timedelta(minutes=4),
            f"2026-11-23T02:56:00.000Z\t{RID}\tERROR\tTypeError: reading 'currency'",
            "2026/11/23/[7]b2",
        ),
        ErrorLine(
            NOW - timedelta(minutes=3),
            f"2026-11-23T02:57:00.000Z\t{RID}\tERROR\tTypeError: reading 'amount'",
            "2026/11/23/[7]b2",
        ),
        ErrorLine(NOW - timedelta(minutes=2), f"2026-11-23T02:58:00.000Z\t{RID}\tERROR\t{hostile}", "2026/11/23/[6]a1"),
    ]
    return FunctionSnapshot(
        generated_at=NOW,
        window_minutes=15,
        config=FunctionConfigView(
            name=name,
            arn=function_arn(name),
            region="us-east-1",
            state="Active",
            last_update_status="Successful",
            runtime="nodejs22.x",
            architecture="arm64",
            memory_mb=1024,
            timeout_s=10,
            reserved_concurrency=100,
            provisioned_concurrency=0,
            aliases=(AliasView("live", "6", {"7": 0.1}),),
            on_failure_arn=queue_arn("checkout-failures"),
            event_sources=(
                EventSourceView(
                    "uuid-1",
                    queue_arn("orders-in"),
                    "Enabled",
                    batch_size=10,
                    max_concurrency=20,
                    queue_age_s=42.0,
                    queue_depth=3,
                ),
            ),
            tracing_mode="Active",
            log_group=f"/aws/lambda/{name}",
            log_format="JSON",
            last_modified=NOW - timedelta(minutes=6),
            version="$LATEST",
            raw={"FunctionName": name, "MemorySize": 1024, "Description": "[bold]not markup[/]"},
        ),
        account_limit=1000,
        unreserved_limit=900,
        series=Series(
            MINUTES,
            {
                "invocations": _series(130, 135, 140, 150, 160, 170, 150, 140, 145, 150, 155, 160, 150, 140, 40),
                "errors": _series(0, 1, 0, 0, 1, 0, 0, 0, 0, 10, 14, 15, 12, 14, 4),
                "throttles": throttles,
                "concurrency": concurrency,
                "claimed_account": _series(*([610.0] * 15)),
                "duration_avg_ms": _series(*([180.0] * 15)),
                "duration_p99_ms": _series(
                    600, 610, 620, 600, 640, 620, 600, 1900, 1700, 1800, 1900, 1850, 1800, 1700, None
                ),
                "cold_starts": _series(0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0),
                "init_p99_ms": _series(
                    None, None, None, None, None, None, None, None, None, 420, None, None, None, None, None
                ),
            },
        ),
        markers=(Marker(NOW - timedelta(minutes=6), "v7"),),
        versions=(stable, canary),
        verdict=verdict("live", stable, canary),
        throttled=tuple(throttled),
        cold_starts=ColdStarts(
            reports=2117,
            cold_starts=7,
            init_p50_ms=310.0,
            init_p99_ms=420.0,
            init_max_ms=420.0,
            by_version=(ColdStartGroup("v6", 1905, 3, 400.0), ColdStartGroup("v7", 212, 4, 420.0)),
            by_memory=(ColdStartGroup("1024 MB", 2117, 7, 420.0),),
            spikes=(ColdStartSpike(MINUTES[9], 7, "new-version", "version 7 published 02:54 UTC"),),
            attribution=(("new-version", 7),),
        ),
        signatures=tuple(group_signatures(lines)),
        traces=TracesView(
            traces=(
                TraceView(
                    "1-6566a0b1-0123456789abcdef01234567",
                    NOW - timedelta(minutes=1),
                    1850.0,
                    None,
                    True,
                    False,
                    False,
                    (
                        DownstreamCall("payments.partner.example", 1500.0, "fault"),
                        DownstreamCall("DynamoDB GetItem", 30.0, "ok"),
                    ),
                ),
                TraceView(
                    "1-6566a0a0-0123456789abcdef01234568",
                    NOW - timedelta(minutes=2),
                    620.0,
                    410.0,
                    False,
                    False,
                    False,
                    (DownstreamCall("DynamoDB GetItem", 40.0, "ok"),),
                ),
            ),
            edges=(
                EdgeView("payments.partner.example", "remote", 212, 3, 61, 0, 1480.0),
                EdgeView("DynamoDB", "AWS::DynamoDB", 4234, 0, 0, 0, 21.0),
            ),
            scanned=2117,
            retrieved=2,
        ),
        queues=(
            QueueView(queue_arn("checkout-failures"), "on-failure", 57, 840.0, 2.4),
            QueueView(queue_arn("orders-in"), "event-source", 3, 42.0, 0.0),
        ),
        panels={
            name: PanelState(ok=True, updated_at=NOW)
            for name in ("config", "metrics", "versions", "logs", "traces", "queues")
        },
        api_calls={"cloudwatch:GetMetricData": 2},
        estimated_cost_usd=0.0123,
    )


class FixedDetailSource:
    """A DetailSource that serves one snapshot and records what the screen asked for."""

    def __init__(self, snapshot: FunctionSnapshot | None = None) -> None:
        self.snapshot = snapshot
        self.requests: list[DetailRequest] = []
        self.calls: list[str] = []

    async def run(self, request: DetailRequest, on_snapshot: FunctionSnapshotCallback) -> None:
        self.requests.append(request)
        if self.snapshot is not None:
            on_snapshot(self.snapshot)
        await asyncio.Event().wait()  # until the screen closes (cancels the worker)

    def refresh_now(self) -> None:
        self.calls.append("refresh_now")

    def request_traces(self) -> None:
        self.calls.append("request_traces")
