"""A small fake AWS answered in process by botocore `before-call` hooks: no server, no socket.

Each hooked call returns a parsed answer before botocore would send anything, so the real
clients, parameter validation, serialisation, event hooks and API accounting all still run.
The pool points at 127.0.0.1:9 with fake credentials and no user configuration, so even an
unhooked call could never leave the machine.

    fake = FakeAws()
    fake.add_functions(1000)
    fake.set_rate("fn-0007", "Errors", 5)          # 5 errors a minute, every minute
    collector, clock = fake_collector(fake)
    await collector.refresh_inventory(collector.regions[0])

GetMetricData answers each MetricDataQuery from per-minute rates, keyed by the query's
FunctionName (or QueueName) dimension and MetricName, and applies its Stat per Period bucket.
Queries without dimensions are account-level: Invocations/Errors/Throttles are the sum over
all functions, as in CloudWatch. Every request is recorded so tests can count queries per tier.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from lambdatop.aws.budget import ControlPlaneBudgets
from lambdatop.aws.limiter import RateLimiter
from lambdatop.aws.metric_queries import is_percentile_stat
from lambdatop.aws.session import AwsTarget, ClientPool
from lambdatop.clock import FakeClock
from lambdatop.collector import Collector, RegionCollector
from lambdatop.collector.cadence import Cadence
from lambdatop.model.snapshot import FleetSnapshot, FunctionRow

ACCOUNT = "123456789012"
REGION = "us-east-1"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, nothing leaves
_PARAMS_KEY = "fake_aws_api_params"

# (service id in event names, operation) -> FakeAws method answering it
OPERATIONS: dict[tuple[str, str], str] = {
    ("lambda", "ListFunctions"): "list_functions",
    ("lambda", "ListEventSourceMappings"): "list_event_source_mappings",
    ("lambda", "GetFunction"): "get_function",
    ("lambda", "ListAliases"): "list_aliases",
    ("lambda", "ListFunctionEventInvokeConfigs"): "list_function_event_invoke_configs",
    ("lambda", "ListProvisionedConcurrencyConfigs"): "list_provisioned_concurrency_configs",
    ("lambda", "GetAccountSettings"): "get_account_settings",
    ("sts", "GetCallerIdentity"): "get_caller_identity",
    ("cloudwatch", "GetMetricData"): "get_metric_data",
    ("cloudwatch", "ListMetrics"): "list_metrics",
    ("cloudwatch-logs", "StartQuery"): "start_query",
    ("cloudwatch-logs", "GetQueryResults"): "get_query_results",
    ("cloudwatch-logs", "FilterLogEvents"): "filter_log_events",
    ("sqs", "GetQueueUrl"): "get_queue_url",
    ("sqs", "GetQueueAttributes"): "get_queue_attributes",
}


class FakeError(Exception):
    """An AWS error answer: botocore turns it into the ClientError a real endpoint would cause."""

    def __init__(self, code: str, status: int = 400, message: str = "injected by the test") -> None:
        super().__init__(code)
        self.code, self.status, self.message = code, status, message


def throttled() -> FakeError:
    return FakeError("Throttling", 400, "Rate exceeded")


def access_denied() -> FakeError:
    return FakeError("AccessDeniedException", 400, "User is not authorized to perform this action")


def unreachable() -> Exception:
    error: Exception = EndpointConnectionError(endpoint_url=NOWHERE)
    return error


@dataclass
class FakeFunction:
    name: str
    # GetFunction's `Concurrency` block: None = absent (no reserved concurrency set).
    concurrency: dict[str, int] | None = None
    dead_letter_arn: str | None = None
    log_format: str = "Text"
    last_modified: str = "2026-11-01T00:00:00.000+0000"
    # ListAliases items ({"Name", "FunctionVersion", "RoutingConfig"?}); CloudWatch then lists
    # Resource metrics for the function, and ExecutedVersion ones per version.
    aliases: list[dict[str, Any]] = field(default_factory=list)
    on_failure_destination: str | None = None  # ListFunctionEventInvokeConfigs' OnFailure
    async_traffic: bool = False  # CloudWatch lists AsyncEventsReceived for it

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.name}"

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"


@dataclass
class Varying:
    """A value that changes from minute to minute (noise): `value(minute)`, None = no datapoint."""

    value: Callable[[datetime], float | None]

    def at(self, minute: datetime) -> float | None:
        return self.value(minute)


@dataclass
class Rate:
    """The same value every minute from `since` on (always, when None); before it, no datapoint."""

    per_minute: float
    since: datetime | None = None

    def at(self, minute: datetime) -> float | None:
        if self.since is not None and minute < self.since:
            return None
        return self.per_minute


@dataclass
class MetricCall:
    """One GetMetricData request as the fake received it."""

    queries: list[dict[str, Any]]
    start: datetime
    end: datetime
    refused: bool = False  # answered with an error

    def function_metrics(self) -> dict[str, set[tuple[str, str]]]:
        """FunctionName -> {(MetricName, Stat)} asked for in this call."""
        out: dict[str, set[tuple[str, str]]] = {}
        for query in self.queries:
            stat = query["MetricStat"]
            dims = {d["Name"]: d["Value"] for d in stat["Metric"].get("Dimensions", [])}
            if "FunctionName" in dims:
                out.setdefault(dims["FunctionName"], set()).add((stat["Metric"]["MetricName"], stat["Stat"]))
        return out

    def account_queries(self) -> list[dict[str, Any]]:
        return [q for q in self.queries if not q["MetricStat"]["Metric"].get("Dimensions")]

    def percentile_queries(self) -> list[dict[str, Any]]:
        return [q for q in self.queries if is_percentile_stat(q["MetricStat"]["Stat"])]


@dataclass
class FakeAws:
    functions: dict[str, FakeFunction] = field(default_factory=dict)
    # (FunctionName | QueueName | None for account level, MetricName) -> per-minute value
    rates: dict[tuple[str | None, str], Rate | Varying] = field(default_factory=dict)
    # (name, MetricName, Stat) -> the value every bucket with data answers (e.g. a p99)
    stat_values: dict[tuple[str | None, str, str], float] = field(default_factory=dict)
    concurrency_limit: int = 1000
    # log group -> one Init Duration (ms) or None per invocation, for REPORT lines
    reports: dict[str, list[float | None]] = field(default_factory=dict)
    # When those REPORT lines were written (a few minutes before FakeClock's default start).
    reports_at: datetime = datetime(2026, 11, 23, 2, 55, tzinfo=UTC)
    queue_depths: dict[str, int] = field(default_factory=dict)  # queue name -> visible messages
    # operation name -> what to fail it with (an exception factory), until removed
    faults: dict[str, Callable[[], Exception]] = field(default_factory=dict)
    refuse_percentiles: bool = False  # HTTP 500 for any GetMetricData call with a pNN stat
    # FunctionName -> the StatusCode its queries get, with no values ("InternalError", "Forbidden")
    status_codes: dict[str, str] = field(default_factory=dict)
    # FunctionName -> what a GetMetricData call carrying any query for it fails with
    fail_calls_with: dict[str, Callable[[], Exception]] = field(default_factory=dict)
    metric_calls: list[MetricCall] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    _queries: dict[str, list[str]] = field(default_factory=dict)

    # ---- building the account ---------------------------------------------------------------
    def add_functions(self, n: int, prefix: str = "fn") -> list[FakeFunction]:
        width = max(4, len(str(n - 1)))
        added = [FakeFunction(f"{prefix}-{i:0{width}d}") for i in range(n)]
        for function in added:
            self.functions[function.name] = function
        return added

    def arn(self, name: str) -> str:
        return self.functions[name].arn

    def set_rate(self, name: str | None, metric: str, per_minute: float, since: datetime | None = None) -> None:
        self.rates[(name, metric)] = Rate(per_minute, since)

    def set_varying(self, name: str | None, metric: str, value: Callable[[datetime], float | None]) -> None:
        self.rates[(name, metric)] = Varying(value)

    def stop_rate(self, name: str | None, metric: str) -> None:
        self.rates.pop((name, metric), None)

    def busy(self, name: str, invocations: float, errors: float = 0.0, since: datetime | None = None) -> None:
        """A function that runs every minute: counts, concurrency and duration all have data."""
        self.set_rate(name, "Invocations", invocations, since)
        if errors:
            self.set_rate(name, "Errors", errors, since)
        self.set_rate(name, "ConcurrentExecutions", 2.0, since)
        self.set_rate(name, "Duration", 120.0, since)

    # ---- installing -------------------------------------------------------------------------
    def install(self, pool: ClientPool) -> None:
        # before-call sees the serialised request; keep the API parameters for the answer.
        pool.register_hook("before-parameter-build.*.*", _stash_params)
        for (service, operation), method in OPERATIONS.items():
            pool.register_hook(f"before-call.{service}.{operation}", self._handler(operation, method))

    def _handler(self, operation: str, method: str) -> Callable[..., tuple[AWSResponse, dict[str, Any]]]:
        answer: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self, method)

        def handler(context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            self.calls[operation] += 1
            params = context.get(_PARAMS_KEY, {})
            try:
                fault = self.faults.get(operation)
                if fault is not None:
                    raise fault()
                return AWSResponse(NOWHERE, 200, {}, None), answer(params)
            except FakeError as error:
                parsed = {
                    "Error": {"Code": error.code, "Message": error.message},
                    "ResponseMetadata": {"HTTPStatusCode": error.status},
                }
                return AWSResponse(NOWHERE, error.status, {}, None), parsed

        return handler

    # ---- lambda -----------------------------------------------------------------------------
    def _configuration(self, function: FakeFunction) -> dict[str, Any]:
        config: dict[str, Any] = {
            "FunctionName": function.name,
            "FunctionArn": function.arn,
            "Runtime": "python3.12",
            "MemorySize": 512,
            "Timeout": 30,
            "Architectures": ["arm64"],
            "LastModified": function.last_modified,
            "LoggingConfig": {"LogFormat": function.log_format, "LogGroup": function.log_group},
            "TracingConfig": {"Mode": "PassThrough"},
        }
        if function.dead_letter_arn:
            config["DeadLetterConfig"] = {"TargetArn": function.dead_letter_arn}
        return config

    def list_functions(self, params: dict[str, Any]) -> dict[str, Any]:
        page_size = min(int(params.get("MaxItems", 50)), 50)  # Lambda's page is 50 at most
        start = int(params.get("Marker") or 0)
        names = list(self.functions)
        page = [self._configuration(self.functions[n]) for n in names[start : start + page_size]]
        answer: dict[str, Any] = {"Functions": page}
        if start + page_size < len(names):
            answer["NextMarker"] = str(start + page_size)
        return answer

    def list_event_source_mappings(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"EventSourceMappings": []}

    def get_function(self, params: dict[str, Any]) -> dict[str, Any]:
        function = self.functions.get(params["FunctionName"])
        if function is None:
            raise FakeError("ResourceNotFoundException", 404, "Function not found")
        answer: dict[str, Any] = {"Configuration": self._configuration(function), "Tags": {"team": "payments"}}
        if function.concurrency is not None:
            answer["Concurrency"] = dict(function.concurrency)
        return answer

    def list_aliases(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Aliases": list(self.functions[params["FunctionName"]].aliases)}

    def list_function_event_invoke_configs(self, params: dict[str, Any]) -> dict[str, Any]:
        target = self.functions[params["FunctionName"]].on_failure_destination
        if target is None:
            return {"FunctionEventInvokeConfigs": []}
        return {"FunctionEventInvokeConfigs": [{"DestinationConfig": {"OnFailure": {"Destination": target}}}]}

    def list_provisioned_concurrency_configs(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ProvisionedConcurrencyConfigs": []}

    def get_account_settings(self, params: dict[str, Any]) -> dict[str, Any]:
        reserved = sum((f.concurrency or {}).get("ReservedConcurrentExecutions", 0) for f in self.functions.values())
        return {
            "AccountLimit": {
                "ConcurrentExecutions": self.concurrency_limit,
                "UnreservedConcurrentExecutions": self.concurrency_limit - reserved,
            },
            "AccountUsage": {"FunctionCount": len(self.functions)},
        }

    def get_caller_identity(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/on-call", "UserId": "AIDAFAKE"}

    # ---- cloudwatch -------------------------------------------------------------------------
    def get_metric_data(self, params: dict[str, Any]) -> dict[str, Any]:
        queries: list[dict[str, Any]] = params["MetricDataQueries"]
        call = MetricCall(queries, params["StartTime"], params["EndTime"])
        self.metric_calls.append(call)
        if self.refuse_percentiles and call.percentile_queries():
            call.refused = True
            raise FakeError("InternalFailure", 500, "percentile statistics are not supported")
        for query in queries:
            for dim in query["MetricStat"]["Metric"].get("Dimensions", []):
                fault = self.fail_calls_with.get(dim["Value"]) if dim["Name"] == "FunctionName" else None
                if fault is not None:
                    raise fault()
        return {
            "MetricDataResults": [self._answer(q, call.start, call.end) for q in queries],
            "Messages": [],
        }

    def _answer(self, query: dict[str, Any], start: datetime, end: datetime) -> dict[str, Any]:
        stat = query["MetricStat"]
        metric = stat["Metric"]
        dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
        name = dims.get("FunctionName") or dims.get("QueueName")
        if name and "ExecutedVersion" in dims:
            name = f"{name}@{dims['ExecutedVersion']}"  # a version through an alias: set_rate("fn@7", ...)
        if name in self.status_codes:
            return {
                "Id": query["Id"],
                "Label": metric["MetricName"],
                "Timestamps": [],
                "Values": [],
                "StatusCode": self.status_codes[name],
            }
        period = timedelta(seconds=int(stat["Period"]))
        timestamps: list[datetime] = []
        values: list[float] = []
        bucket = start
        while bucket < end:
            minutes = []
            minute = bucket
            while minute < min(bucket + period, end):
                value = self._value(name, metric["MetricName"], minute)
                if value is not None:
                    minutes.append(value)
                minute += timedelta(minutes=1)
            if minutes:
                timestamps.append(bucket)
                values.append(self._stat(name, metric["MetricName"], stat["Stat"], minutes))
            bucket += period
        return {
            "Id": query["Id"],
            "Label": metric["MetricName"],
            "Timestamps": timestamps,
            "Values": values,
            "StatusCode": "Complete",
        }

    def _value(self, name: str | None, metric: str, minute: datetime) -> float | None:
        rate = self.rates.get((name, metric))
        if rate is not None:
            return rate.at(minute)
        if name is None and metric in {"Invocations", "Errors", "Throttles"}:
            # Account level: the sum over every function that reported this minute.
            found = [r.at(minute) for (n, m), r in self.rates.items() if m == metric and n in self.functions]
            present = [v for v in found if v is not None]
            return float(sum(present)) if present else None
        return None

    def _stat(self, name: str | None, metric: str, stat: str, minutes: list[float]) -> float:
        fixed = self.stat_values.get((name, metric, stat))
        if fixed is not None:
            return fixed
        if stat == "Sum":
            return float(sum(minutes))
        if stat == "Average":
            return sum(minutes) / len(minutes)
        return max(minutes)  # Maximum, and a plausible stand-in for any percentile

    def list_metrics(self, params: dict[str, Any]) -> dict[str, Any]:
        """The Resource / ExecutedVersion and AsyncEventsReceived metrics of the functions set up so."""
        found: list[dict[str, Any]] = []
        for function in self.functions.values():
            dims = [{"Name": "FunctionName", "Value": function.name}]
            if function.async_traffic:
                found.append({"MetricName": "AsyncEventsReceived", "Dimensions": dims})
            for alias in function.aliases:
                resource = [*dims, {"Name": "Resource", "Value": f"{function.name}:{alias['Name']}"}]
                found.append({"MetricName": "Invocations", "Dimensions": resource})
                extra = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights", {})
                versions = {alias["FunctionVersion"], *extra}
                for version in sorted(versions):
                    executed = [*resource, {"Name": "ExecutedVersion", "Value": version}]
                    found.append({"MetricName": "Invocations", "Dimensions": executed})
        wanted_name = params.get("MetricName")
        wanted_dims = {d["Name"] for d in params.get("Dimensions", [])}
        metrics = [
            {"Namespace": "AWS/Lambda", **m}
            for m in found
            if (wanted_name is None or m["MetricName"] == wanted_name)
            and wanted_dims <= {d["Name"] for d in m["Dimensions"]}
        ]
        return {"Metrics": metrics}

    # ---- logs -------------------------------------------------------------------------------
    def start_query(self, params: dict[str, Any]) -> dict[str, Any]:
        query_id = f"query-{len(self._queries) + 1}"
        in_range = int(params["startTime"]) <= self.reports_at.timestamp() <= int(params["endTime"])
        self._queries[query_id] = list(params["logGroupNames"]) if in_range else []
        return {"queryId": query_id}

    def get_query_results(self, params: dict[str, Any]) -> dict[str, Any]:
        """Answers lambdatop's cold-start query (stats by @log, bin(1m), init): every REPORT
        line of a group was written in the minute of `reports_at`."""
        groups = self._queries[params["queryId"]]
        bucket = self.reports_at.strftime("%Y-%m-%d %H:%M:00.000")
        rows = []
        for group in groups:
            inits = self.reports.get(group)
            if not inits:
                continue  # no REPORT line in the range: Insights has no row for the group
            by_init = Counter(inits)
            for init, count in by_init.items():
                cells = {
                    "@log": f"{ACCOUNT}:{group}",
                    "bin(1m)": bucket,
                    "reports": str(count),
                    "text_restores": "0",
                    "json_restores": "0",
                }
                if init is not None:
                    cells["init"] = str(init)
                rows.append([{"field": k, "value": v} for k, v in cells.items()])
        return {
            "status": "Complete",
            "results": rows,
            "statistics": {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 2048.0},
        }

    def filter_log_events(self, params: dict[str, Any]) -> dict[str, Any]:
        inits = self.reports.get(params["logGroupName"], [])
        at_ms = int(self.reports_at.timestamp() * 1000)
        if not int(params["startTime"]) <= at_ms <= int(params["endTime"]):
            inits = []
        events = []
        for i, init in enumerate(inits):
            line = f"REPORT RequestId: 00000000-0000-4000-8000-{i:012d}\tDuration: 101.00 ms\tBilled Duration: 102 ms\t"
            if init is not None:
                line += f"Init Duration: {init:.2f} ms\t"
            events.append({"message": line, "timestamp": at_ms + i})
        return {"events": events}

    # ---- sqs --------------------------------------------------------------------------------
    def get_queue_url(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["QueueName"]
        if name not in self.queue_depths:
            raise FakeError("AWS.SimpleQueueService.NonExistentQueue", 400, "no such queue")
        return {"QueueUrl": f"{NOWHERE}/{ACCOUNT}/{name}"}

    def get_queue_attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["QueueUrl"].rsplit("/", 1)[-1]
        if name not in self.queue_depths:
            raise FakeError("AWS.SimpleQueueService.NonExistentQueue", 400, "no such queue")
        return {"Attributes": {"ApproximateNumberOfMessages": str(self.queue_depths[name])}}


def _stash_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_PARAMS_KEY] = params


def fake_pool(fake: FakeAws) -> ClientPool:
    pool = ClientPool(AwsTarget(endpoint_url=NOWHERE, credentials=("x", "x"), isolated=True))
    fake.install(pool)
    return pool


def fake_collector(
    fake: FakeAws, *, cadence: Cadence | None = None, window_minutes: int = 15
) -> tuple[Collector, FakeClock]:
    """A one-Region collector on the fake, with a FakeClock. Close it with `collector.pool.close()`.

    The control-plane budget paces real seconds (1,000 functions' detail reads would take
    minutes at 3 rps); it has its own tests, so here it is opened wide.
    """
    clock = FakeClock()
    wide_budget = ControlPlaneBudgets(shared_rps=1e9, shared_burst=1_000_000_000, get_function_rps=1e9)
    collector = Collector(
        fake_pool(fake),
        [REGION],
        clock,
        window_minutes=window_minutes,
        cadence=cadence,
        budgets=wide_budget,
        strict=True,  # a bug in a refresher fails the test instead of showing as a status
    )
    for region in collector.regions:
        region.logs.filter_limiter = RateLimiter(1e9, burst=1_000_000_000)
        region.logs.insights.poll_initial_s = 0.0
    return collector, clock


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait (real time, polling) until `condition()` holds; fail the test after `timeout_s`."""
    for _ in range(int(timeout_s / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("not within the time allowed")


@contextlib.asynccontextmanager
async def collecting(fake: FakeAws, cadence: Cadence | None = None) -> AsyncIterator[tuple[Collector, RegionCollector]]:
    """A one-Region collector on the fake, and its Region; the pool is closed afterwards."""
    collector, _ = fake_collector(fake, cadence=cadence)
    try:
        yield collector, collector.regions[0]
    finally:
        await collector.pool.close()


@contextlib.asynccontextmanager
async def running(collector: Collector, on_snapshot: Callable[[FleetSnapshot], None]) -> AsyncIterator[None]:
    """The collector's loops running, as the app runs them, for the block; stopped after it."""
    task = asyncio.create_task(collector.run(on_snapshot))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def row(collector: Collector, fake: FakeAws, name: str) -> FunctionRow:
    """`name`'s row in the collector's snapshot now."""
    found = collector.snapshot().function(fake.arn(name))
    assert found is not None
    return found
