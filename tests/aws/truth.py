"""A small account with known truth, written through the AWS APIs, for exactness tests."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.aws.conftest import zipped

QUIET_FUNCTIONS = 52  # with the specials: more than one ListFunctions page of 50


@dataclass
class Truth:
    window_start: datetime
    window_end: datetime
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)
    account_concurrency_max: float = 0.0
    dlq_arn: str = ""


def _report_text(request: int, duration: float, init: float | None) -> str:
    fields = [
        f"REPORT RequestId: 00000000-0000-4000-8000-{request:012d}",
        f"Duration: {duration:.2f} ms",
        f"Billed Duration: {int(duration) + 1} ms",
        "Memory Size: 512 MB",
        "Max Memory Used: 97 MB",
    ]
    if init is not None:
        fields.append(f"Init Duration: {init:.2f} ms")
    return "\t".join(fields) + "\t"


def _report_json(request: int, duration: float, init: float | None, at: datetime) -> str:
    metrics: dict[str, Any] = {
        "durationMs": duration,
        "billedDurationMs": int(duration) + 1,
        "memorySizeMB": 256,
        "maxMemoryUsedMB": 80,
    }
    if init is not None:
        metrics["initDurationMs"] = init
    return json.dumps(
        {
            "time": at.isoformat().replace("+00:00", "Z"),
            "type": "platform.report",
            "record": {"requestId": f"req-{request}", "metrics": metrics, "status": "success"},
        }
    )


def seed_truth(c: dict[str, Any], window_minutes: int = 15, quiet_functions: int = QUIET_FUNCTIONS) -> Truth:
    now = datetime.now(UTC)
    end = now.replace(second=0, microsecond=0)
    start = end - timedelta(minutes=window_minutes)
    truth = Truth(window_start=start, window_end=end)
    role = c["iam"].create_role(RoleName="truth-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    dlq_url = c["sqs"].create_queue(QueueName="api-dlq")["QueueUrl"]
    truth.dlq_arn = c["sqs"].get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for i in range(4):
        c["sqs"].send_message(QueueUrl=dlq_url, MessageBody=f"failed event {i}")

    def create(name: str, **extra: Any) -> None:
        c["lambda"].create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": zipped(name)},
            MemorySize=512,
            Timeout=30,
            **extra,
        )

    create("api", DeadLetterConfig={"TargetArn": truth.dlq_arn})
    create("jsonfn", LoggingConfig={"LogFormat": "JSON"})
    create("stopped")
    create("capped")
    create("canary")
    for i in range(quiet_functions):
        create(f"quiet-{i:03d}")
    c["lambda"].put_function_concurrency(FunctionName="stopped", ReservedConcurrentExecutions=0)
    c["lambda"].put_function_concurrency(FunctionName="capped", ReservedConcurrentExecutions=25)
    v1 = c["lambda"].publish_version(FunctionName="canary")["Version"]
    c["lambda"].update_function_code(FunctionName="canary", ZipFile=zipped("canary v2"))
    v2 = c["lambda"].publish_version(FunctionName="canary")["Version"]
    c["lambda"].create_alias(
        FunctionName="canary", Name="live", FunctionVersion=v1, RoutingConfig={"AdditionalVersionWeights": {v2: 0.25}}
    )

    # Metrics: three minutes of traffic for "api" inside the window, one sample outside it.
    at = [start + timedelta(minutes=m, seconds=20) for m in (3, 7, 11)]
    durations = [[100.0, 200.0], [300.0], [50.0, 50.0, 50.0, 1000.0]]
    data: list[dict[str, Any]] = []
    dims = [{"Name": "FunctionName", "Value": "api"}]
    for t, inv, err, thr, conc, durs in zip(at, (40, 35, 25), (3, 0, 4), (1, 2, 0), (9, 12, 5), durations, strict=True):
        data += [
            {"MetricName": "Invocations", "Dimensions": dims, "Timestamp": t, "Value": inv},
            {"MetricName": "Errors", "Dimensions": dims, "Timestamp": t, "Value": err},
            {"MetricName": "Throttles", "Dimensions": dims, "Timestamp": t, "Value": thr},
            {"MetricName": "ConcurrentExecutions", "Dimensions": dims, "Timestamp": t, "Value": conc},
            {"MetricName": "Duration", "Dimensions": dims, "Timestamp": t, "Values": durs},
        ]
    before = start - timedelta(minutes=2)
    data.append({"MetricName": "Invocations", "Dimensions": dims, "Timestamp": before, "Value": 1000})
    data.append({"MetricName": "ConcurrentExecutions", "Dimensions": [], "Timestamp": at[1], "Value": 40})
    data.append({"MetricName": "ConcurrentExecutions", "Dimensions": [], "Timestamp": at[2], "Value": 31})
    c["cloudwatch"].put_metric_data(Namespace="AWS/Lambda", MetricData=data)
    all_durations = [d for ds in durations for d in ds]
    truth.account_concurrency_max = 40.0

    # Logs: text REPORT lines for "api" (4 of 20 cold), JSON for "jsonfn" (2 of 10 cold).
    inits = {2: 812.5, 5: 301.25, 9: 640.0, 15: 120.75}
    _put_logs(
        c["logs"],
        "/aws/lambda/api",
        "2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef",
        [(start + timedelta(minutes=4, seconds=i), _report_text(i, 10.0 + i, inits.get(i))) for i in range(20)]
        + [(start + timedelta(minutes=5), "START RequestId: x Version: $LATEST")],
    )
    json_inits = {1: 2500.0, 6: 3100.5}
    _put_logs(
        c["logs"],
        "/aws/lambda/jsonfn",
        "2026/11/23/[$LATEST]fedcba9876543210fedcba9876543210",
        [
            (
                start + timedelta(minutes=6, seconds=i),
                _report_json(i, 20.0, json_inits.get(i), start + timedelta(minutes=6, seconds=i)),
            )
            for i in range(10)
        ],
    )
    # A cold start just outside the window must not count.
    _put_logs(
        c["logs"],
        "/aws/lambda/api",
        "2026/11/23/[$LATEST]old00000000000000000000000000000",
        [(start - timedelta(minutes=1), _report_text(99, 5.0, 9999.0))],
    )

    truth.expected["api"] = {
        "invocations": 100,
        "errors": 7,
        "throttles": 3,
        "concurrency_max": 12.0,
        "duration_avg_ms": sum(all_durations) / len(all_durations),
        "cold_starts": 4,
        "cold_start_ratio": 4 / 20,
        "init_max_ms": 812.5,
        "reserved_concurrency": None,
    }
    truth.expected["jsonfn"] = {"cold_starts": 2, "cold_start_ratio": 2 / 10, "init_max_ms": 3100.5, "invocations": 0}
    truth.expected["stopped"] = {"reserved_concurrency": 0}
    truth.expected["capped"] = {"reserved_concurrency": 25}
    # The canary serves through its alias: CloudWatch has the alias (Resource) and per-version
    # (ExecutedVersion) figures, which is also how lambdatop learns the alias exists.
    canary_data: list[dict[str, Any]] = []
    by_version = {v1: (300, 1, 0, 120.0), v2: (100, 31, 2, 900.0)}  # invocations, errors, throttles, p99
    fn_dims = [{"Name": "FunctionName", "Value": "canary"}]
    alias_dims = [*fn_dims, {"Name": "Resource", "Value": "canary:live"}]
    for version, (inv, err, thr, slow) in by_version.items():
        version_dims = [*alias_dims, {"Name": "ExecutedVersion", "Value": version}]
        for dims_ in (fn_dims, alias_dims, version_dims):
            canary_data += [
                {"MetricName": "Invocations", "Dimensions": dims_, "Timestamp": at[0], "Value": inv},
                {"MetricName": "Errors", "Dimensions": dims_, "Timestamp": at[0], "Value": err},
                {"MetricName": "Throttles", "Dimensions": dims_, "Timestamp": at[0], "Value": thr},
            ]
        canary_data.append(
            {"MetricName": "Duration", "Dimensions": version_dims, "Timestamp": at[0], "Values": [slow / 2, slow]}
        )
    c["cloudwatch"].put_metric_data(Namespace="AWS/Lambda", MetricData=canary_data)
    truth.expected["canary"] = {
        "aliases": [{"name": "live", "version": v1, "weights": {v2: 0.25}}],
        "versions": {v: {"invocations": i, "errors": e, "throttles": t} for v, (i, e, t, _) in by_version.items()},
    }
    return truth


def _put_logs(logs: Any, group: str, stream: str, events: list[tuple[datetime, str]]) -> None:
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    ordered = sorted(events, key=lambda e: e[0])
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": int(t.timestamp() * 1000), "message": m} for t, m in ordered],
    )
    time.sleep(0)  # events are visible at once on the embedded server
